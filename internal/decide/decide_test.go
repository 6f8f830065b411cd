package decide_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/integrationsagentur-marl/integrabot/internal/app"
	"github.com/integrationsagentur-marl/integrabot/internal/conversation"
	"github.com/integrationsagentur-marl/integrabot/internal/decide"
	"github.com/integrationsagentur-marl/integrabot/internal/i18n"
	"github.com/integrationsagentur-marl/integrabot/internal/store"
)

// fakeStore is a store whose answers a test sets.
type fakeStore struct {
	mu        sync.Mutex
	claim     store.Claim
	state     conversation.State // the state a claim finds
	claimErr  error
	commitErr error
	commits   []store.Commit
	released  int
}

func (f *fakeStore) Claim(context.Context, store.UpdateRef, bool) (store.Claimed, error) {
	return store.Claimed{Claim: f.claim, State: f.state}, f.claimErr
}

func (f *fakeStore) Commit(_ context.Context, c store.Commit, _ time.Time) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.commits = append(f.commits, c)
	return f.commitErr
}

func (f *fakeStore) Thread(context.Context, int64, int) (conversation.Thread, bool, error) {
	return conversation.Thread{}, false, nil
}
func (f *fakeStore) ThreadState(_ context.Context, _, resident int64, id string) (conversation.Thread, error) {
	return conversation.Thread{Resident: resident, ID: id, Closed: true}, nil
}
func (f *fakeStore) OpenThread(context.Context, int64, int64, string) error         { return nil }
func (f *fakeStore) CloseThread(context.Context, int64, int64, string) error        { return nil }
func (f *fakeStore) Asked(context.Context, int64) (int, error)                      { return 0, nil }
func (f *fakeStore) FollowUps(context.Context, int64) (int, error)                  { return 0, nil }
func (f *fakeStore) CountFollowUp(context.Context, int64) error                     { return nil }
func (f *fakeStore) Release(context.Context, store.Claimed) error                   { f.released++; return nil }
func (f *fakeStore) CreateBroadcast(context.Context, store.Broadcast) (bool, error) { return true, nil }
func (f *fakeStore) Followers(context.Context, string, uint64, int64) ([]int64, uint64, error) {
	return nil, 0, nil
}
func (f *fakeStore) Recipients(context.Context, []int64) ([]store.Recipient, error) { return nil, nil }
func (f *fakeStore) RecentBroadcasts(context.Context, int64) ([]store.Broadcast, error) {
	return nil, nil
}
func (f *fakeStore) TransitionBroadcast(context.Context, string, string, time.Time) (string, error) {
	return "", nil
}

// fakeOut records what was sent at once.
type fakeOut struct {
	woken  int
	direct []string
}

func (f *fakeOut) Wake() { f.woken++ }
func (f *fakeOut) Direct(_ context.Context, _ int64, payloads [][]byte) error {
	for _, p := range payloads {
		f.direct = append(f.direct, string(p))
	}
	return nil
}

func render(m conversation.Message) [][]byte {
	if m.Contact != nil {
		return [][]byte{[]byte("card " + m.Contact.Name)}
	}
	return [][]byte{[]byte(m.Text)}
}

func newDecider(t *testing.T, s decide.Store, out decide.Outbox) (*decide.Decider, *i18n.Catalog) {
	t.Helper()
	return newDeciderWithLimit(t, s, out, 0)
}

// newDeciderWithLimit is newDecider with a flood limit.
func newDeciderWithLimit(t *testing.T, s decide.Store, out decide.Outbox, flood int) (*decide.Decider, *i18n.Catalog) {
	t.Helper()
	k, err := app.LoadKnowledge("", false)
	if err != nil {
		t.Fatal(err)
	}
	return decide.New(k.Core(), k.Catalog, s, out, render, flood, decide.Staff{}, slog.New(slog.NewTextHandler(io.Discard, nil)), nil), k.Catalog
}

func text(id int64, lang, msg string) decide.Update {
	return decide.Update{ID: id, Chat: 7, User: 7, Answer: true, Event: conversation.Event{UserID: 7, ChatID: 7, LanguageCode: lang, Kind: conversation.KindText, Text: msg, Now: time.Now()}}
}

func press(id int64, data string) decide.Update {
	return decide.Update{ID: id, Chat: 7, User: 7, Answer: true, Event: conversation.Event{UserID: 7, ChatID: 7, LanguageCode: "de", Kind: conversation.KindButton, Data: data, Now: time.Now()}}
}

func TestHandle(t *testing.T) {
	ctx := context.Background()
	t.Run("a fresh update is committed with its answer and the workers woken", func(t *testing.T) {
		s, out := &fakeStore{}, &fakeOut{}
		d, _ := newDecider(t, s, out)
		res, err := d.Handle(ctx, text(1, "de", "Telefon"), false)
		if err != nil || res != decide.Committed || len(s.commits) != 1 || out.woken != 1 {
			t.Fatalf("res %v, err %v, commits %d, woken %d", res, err, len(s.commits), out.woken)
		}
		c := s.commits[0]
		if len(c.Messages) != 1 || c.Messages[0].ID != "1.0" || c.Messages[0].Chat != 7 || !strings.Contains(string(c.Messages[0].Payload), "Flachmeier") {
			t.Errorf("committed %+v", c.Messages)
		}
		if c.State == nil || c.State.Screen != "contacts" {
			t.Errorf("state %+v, want the contacts screen", c.State)
		}
	})
	t.Run("done, busy and a lost claim are told apart", func(t *testing.T) {
		for _, tt := range []struct {
			claim     store.Claim
			commitErr error
			want      decide.Result
			wantErr   error
		}{
			{store.Done, nil, decide.Duplicate, nil},
			{store.Busy, nil, 0, decide.ErrBusy},
			{store.ChatBusy, nil, 0, decide.ErrChatBusy},
			{store.Fresh, store.ErrLost, decide.Duplicate, nil},
		} {
			d, _ := newDecider(t, &fakeStore{claim: tt.claim, commitErr: tt.commitErr}, &fakeOut{})
			res, err := d.Handle(ctx, text(2, "de", "Hilfe"), false)
			if res != tt.want || !errors.Is(err, tt.wantErr) {
				t.Errorf("claim %v, commit %v: got %v, %v; want %v, %v", tt.claim, tt.commitErr, res, err, tt.want, tt.wantErr)
			}
		}
	})
	t.Run("a failed commit releases the claim for the retry", func(t *testing.T) {
		s := &fakeStore{commitErr: errors.New("connection reset")}
		d, _ := newDecider(t, s, &fakeOut{})
		if _, err := d.Handle(ctx, text(3, "de", "Hilfe"), false); err == nil || s.released != 1 {
			t.Errorf("err %v, released %d; want an error and the claim released", err, s.released)
		}
	})
	t.Run("deleting the data is an effect of the commit", func(t *testing.T) {
		s := &fakeStore{state: conversation.State{Lang: "de", Screen: "forget"}}
		d, cat := newDecider(t, s, &fakeOut{})
		d.Handle(ctx, press(4, "del:yes"), false)
		if c := s.commits[0]; !c.Forget || !strings.Contains(string(c.Messages[0].Payload), cat.T("de", "privacy.deleted")) {
			t.Errorf("commit %+v", c)
		}
	})
}

// With Redis away the answer goes out at once, in the language this
// process remembers; a deletion is never claimed.
func TestWithoutRedis(t *testing.T) {
	ctx := context.Background()
	s, out := &fakeStore{}, &fakeOut{}
	d, cat := newDecider(t, s, out)
	if _, err := d.Handle(ctx, press(1, "l:tr"), false); err != nil {
		t.Fatal(err)
	}
	s.claimErr = errors.New("dial tcp: connection refused")
	u := text(3, "de", "")
	u.Event.Kind, u.Event.Command = conversation.KindCommand, "help"
	res, err := d.Handle(ctx, u, false)
	if err != nil || res != decide.Direct {
		t.Fatalf("res %v, err %v", res, err)
	}
	if got := strings.Join(out.direct, "\n"); !strings.Contains(got, cat.T("tr", "help.text")[:20]) {
		t.Errorf("answered without Redis, not in the chosen Turkish:\n%s", got)
	}
	s.claimErr, s.state = nil, conversation.State{Lang: "tr"}
	d.Handle(ctx, press(4, "del"), false) // asks, and this process remembers the question
	s.claimErr = errors.New("dial tcp: connection refused")
	out.direct = nil
	d.Handle(ctx, press(5, "del:yes"), false)
	if got := strings.Join(out.direct, "\n"); strings.Contains(got, cat.T("tr", "privacy.deleted")) || !strings.Contains(got, cat.T("tr", "error.generic")) {
		t.Errorf("a deletion that could not happen was claimed:\n%s", got)
	}
}
