package decide_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/integrationsagentur-marl/integrabot/internal/conversation"
	"github.com/integrationsagentur-marl/integrabot/internal/decide"
	"github.com/integrationsagentur-marl/integrabot/internal/store"
)

// floodStore counts claimed updates as the store's claim does: per sender
// and chat, only those the decider asks to count.
type floodStore struct {
	fakeStore
	state  conversation.State
	counts map[[2]int64]int
	refs   []store.UpdateRef
}

func (f *floodStore) Claim(_ context.Context, r store.UpdateRef, _ bool) (store.Claimed, error) {
	f.refs = append(f.refs, r)
	c := store.Claimed{Claim: store.Fresh, State: f.state}
	if r.Count {
		if f.counts == nil {
			f.counts = map[[2]int64]int{}
		}
		f.counts[[2]int64{r.Chat, r.User}]++
		c.Recent = f.counts[[2]int64{r.Chat, r.User}]
	}
	return c, nil
}

// Within the limit the core answers; the first update over it gets one
// kind request to slow down in the resident's language, and no answer; the
// rest of the window is committed silenced, with nothing to send, and still
// confirmed (a result, not an error).
func TestFloodLimit(t *testing.T) {
	ctx := context.Background()
	s, out := &floodStore{state: conversation.State{Lang: "tr"}}, &fakeOut{}
	d, cat := newDeciderWithLimit(t, s, out, 3)
	var results []decide.Result
	for id := int64(1); id <= 6; id++ {
		res, err := d.Handle(ctx, text(id, "de", "Telefon"), false)
		if err != nil {
			t.Fatalf("update %d: %v", id, err)
		}
		results = append(results, res)
	}
	want := []decide.Result{decide.Committed, decide.Committed, decide.Committed, decide.Flooded, decide.Flooded, decide.Flooded}
	for i := range want {
		if results[i] != want[i] {
			t.Errorf("update %d: %v, want %v", i+1, results[i], want[i])
		}
	}
	for i, c := range s.commits[:3] {
		if len(c.Messages) == 0 || !strings.Contains(string(c.Messages[0].Payload), "Flachmeier") || c.Silenced {
			t.Errorf("update %d within the limit: %+v", i+1, c)
		}
	}
	slow := s.commits[3]
	if len(slow.Messages) != 1 || string(slow.Messages[0].Payload) != cat.T("tr", "flood.slow_down") || slow.Messages[0].Chat != 7 || slow.Silenced || slow.State != nil {
		t.Errorf("the first update over the limit: %+v; want the slow-down in Turkish, the state kept", slow)
	}
	for i, c := range s.commits[4:] {
		if len(c.Messages) != 0 || !c.Silenced || c.State != nil || c.Forget {
			t.Errorf("update %d later in the window: %+v; want silenced with nothing else", i+5, c)
		}
	}
	if out.woken != 4 {
		t.Errorf("the workers were woken %d times, want 4 (three answers, one slow-down)", out.woken)
	}
}

// A resident who chose no language is asked to slow down in their app's.
func TestFloodSlowDownInTheAppsLanguage(t *testing.T) {
	s := &floodStore{}
	d, cat := newDeciderWithLimit(t, s, &fakeOut{}, 1)
	for id := int64(1); id <= 2; id++ {
		d.Handle(context.Background(), text(id, "uk", "Hilfe"), false)
	}
	if got := string(s.commits[1].Messages[0].Payload); got != cat.T("uk", "flood.slow_down") {
		t.Errorf("slow-down %q, want the Ukrainian", got)
	}
}

// Staff are never slowed down; what the bot ignores anyway (group chatter,
// updates without an answer) is not counted; a group command is.
func TestFloodCountsOnlyWhatIsAnswered(t *testing.T) {
	s := &floodStore{}
	d, _ := newDeciderWithLimit(t, s, &fakeOut{}, 2)
	ctx := context.Background()
	staff := text(1, "de", "Hilfe")
	staff.Event.Role = conversation.RoleStaff
	chatter := decide.Update{ID: 2, Chat: -5, User: 7, Answer: true, Event: conversation.Event{UserID: 7, ChatID: -5, Group: true, Kind: conversation.KindText, Text: "hallo zusammen", Now: time.Now()}}
	command := decide.Update{ID: 3, Chat: -5, User: 7, Answer: true, Event: conversation.Event{UserID: 7, ChatID: -5, Group: true, Kind: conversation.KindCommand, Command: "help", Now: time.Now()}}
	edit := decide.Update{ID: 4, Chat: 7, User: 7}
	for _, u := range []decide.Update{staff, chatter, command, edit} {
		d.Handle(ctx, u, false)
	}
	want := []bool{false, false, true, false}
	for i, r := range s.refs {
		if r.Count != want[i] {
			t.Errorf("update %d counted: %v, want %v", r.ID, r.Count, want[i])
		}
	}
	for i := int64(0); i < 10; i++ {
		if res, _ := d.Handle(ctx, staff, false); res != decide.Committed {
			t.Fatalf("staff's update %d: %v, want answered", i, res)
		}
	}
}

// Without a limit nothing is counted.
func TestNoFloodLimit(t *testing.T) {
	s := &floodStore{}
	d, _ := newDeciderWithLimit(t, s, &fakeOut{}, 0)
	for id := int64(1); id <= 30; id++ {
		if res, _ := d.Handle(context.Background(), text(id, "de", "Hilfe"), false); res != decide.Committed {
			t.Fatalf("update %d: %v", id, res)
		}
	}
	if s.refs[0].Count {
		t.Error("an update was counted without a limit")
	}
}
