package broadcast_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/integrationsagentur-marl/integrabot/internal/app"
	"github.com/integrationsagentur-marl/integrabot/internal/broadcast"
	"github.com/integrationsagentur-marl/integrabot/internal/config"
	"github.com/integrationsagentur-marl/integrabot/internal/conversation"
	"github.com/integrationsagentur-marl/integrabot/internal/reminder"
	"github.com/integrationsagentur-marl/integrabot/internal/store"
	"github.com/integrationsagentur-marl/integrabot/internal/store/storetest"
	"github.com/integrationsagentur-marl/integrabot/internal/telegram"
)

const staffID = 5000

type fixture struct {
	t     *testing.T
	ctx   context.Context
	store *store.Store
	run   *reminder.Runner
	now   time.Time
}

// pausing pauses (or cancels) the broadcast after its first page is queued.
type pausing struct {
	*store.Store
	mu     sync.Mutex
	pushes int
	to     string
	id     string
}

func (p *pausing) PushOnce(ctx context.Context, msgs []store.Outgoing, d time.Duration) (store.Pushed, error) {
	res, err := p.Store.PushOnce(ctx, msgs, d)
	p.mu.Lock()
	if len(msgs) > 0 && strings.HasPrefix(msgs[0].ID, "b:") {
		p.pushes++
	}
	first := p.pushes == 1 && len(msgs) > 0
	p.mu.Unlock()
	if first && p.to != "" {
		_, _ = p.Store.TransitionBroadcast(ctx, p.id, p.to, time.Now())
	}
	return res, err
}

func newFixture(t *testing.T, pauseTo string) (*fixture, *pausing) {
	t.Helper()
	rdb, _, prefix := storetest.Redis(t, fmt.Sprintf("ibtest:bc:%d:", time.Now().UnixNano()))
	ctx := context.Background()
	k, err := app.LoadKnowledge("", true)
	if err != nil {
		t.Fatal(err)
	}
	s := store.New(rdb, prefix, config.DefaultTiming)
	p := &pausing{Store: s, to: pauseTo, id: "b1"}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	src := reminder.Source{Content: k.Content, Core: k.Core()}
	r := reminder.New(s, func() {}, telegram.Render, config.DefaultReminderOffsets, src, reminder.Options{}, log, nil)
	sender := broadcast.New(p, telegram.Render, func() {}, 16, 0, nil, log) // a page of one bucket: several pages
	r.Handle("b:", sender.Do)
	r.Handle("p:", sender.Progress)
	f := &fixture{t: t, ctx: ctx, store: s, run: r, now: time.Now()}
	langs := []string{"de", "tr", "ar", "uk"}
	for i := int64(0); i < 60; i++ {
		st := conversation.State{Lang: langs[i%4]}
		if i < 50 {
			st.Subs = []string{"news"}
			_ = s.Follow(ctx, "news", 7000+i)
		}
		_ = s.SaveState(ctx, 7000+i, st)
	}
	_ = s.SaveState(ctx, staffID, conversation.State{Lang: "de"})
	return f, p
}

func (f *fixture) create(lang string) {
	f.t.Helper()
	b := store.Broadcast{ID: "b1", Staff: staffID, Created: f.now, Due: f.now, Topic: "news", Lang: lang, Text: "Hallo <b>alle</b>"}
	if _, err := f.store.CreateBroadcast(f.ctx, b); err != nil {
		f.t.Fatal(err)
	}
}

func (f *fixture) received(id int64) int {
	ps, _ := f.store.Pending(f.ctx, id)
	n := 0
	for _, p := range ps {
		if strings.Contains(string(p), "Hallo <b>alle</b>") {
			n++
		}
	}
	return n
}

func (f *fixture) reached() int {
	n := 0
	for i := int64(0); i < 60; i++ {
		n += f.received(7000 + i)
	}
	return n
}

// Paused after its first page, a broadcast stops queueing; resumed, it goes
// on where it stopped, and every follower has it once.
func TestPauseAndResume(t *testing.T) {
	f, _ := newFixture(t, store.BroadcastPaused)
	f.create("")
	if _, err := f.run.Pass(f.ctx, f.now); err != nil {
		t.Fatal(err)
	}
	first := f.reached()
	if first == 0 || first >= 50 {
		t.Fatalf("%d queued before the pause took effect; want one page", first)
	}
	if _, err := f.run.Pass(f.ctx, f.now.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if n := f.reached(); n != first {
		t.Fatalf("%d queued while paused, %d before", n, first)
	}
	if _, err := f.store.TransitionBroadcast(f.ctx, "b1", store.BroadcastRunning, f.now.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if _, err := f.run.Pass(f.ctx, f.now.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	for i := int64(0); i < 60; i++ {
		want := 1
		if i >= 50 {
			want = 0
		}
		if got := f.received(7000 + i); got != want {
			t.Errorf("resident %d has it %d times, want %d", 7000+i, got, want)
		}
	}
	b, _, _ := f.store.GetBroadcast(f.ctx, "b1")
	if b.State != store.BroadcastRunning || !b.Queued || b.Counts["queued"] != 50 { // delivery is what is left
		t.Errorf("record after resuming: %s %v %v", b.State, b.Queued, b.Counts)
	}
}

// Cancelled after its first page: nobody else gets it, and its job is gone.
func TestCancelStopsIt(t *testing.T) {
	f, _ := newFixture(t, store.BroadcastCancelled)
	f.create("")
	if _, err := f.run.Pass(f.ctx, f.now); err != nil {
		t.Fatal(err)
	}
	first := f.reached()
	if _, err := f.run.Pass(f.ctx, f.now.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if n := f.reached(); n != first || n >= 50 {
		t.Errorf("%d queued after cancelling (%d before)", n, first)
	}
}

// Only the followers who read the chosen language get it.
func TestOneLanguage(t *testing.T) {
	f, _ := newFixture(t, "")
	f.create("tr")
	if _, err := f.run.Pass(f.ctx, f.now); err != nil {
		t.Fatal(err)
	}
	for i := int64(0); i < 50; i++ {
		want := 0
		if i%4 == 1 { // Turkish
			want = 1
		}
		if got := f.received(7000 + i); got != want {
			t.Errorf("resident %d (%d) has it %d times, want %d", 7000+i, i%4, got, want)
		}
	}
}

// The progress message is edited every few seconds; many failures pause the
// broadcast and tell staff; once every message is sent the report comes.
func TestProgressAndFailures(t *testing.T) {
	f, _ := newFixture(t, "")
	f.create("")
	if _, err := f.run.Pass(f.ctx, f.now); err != nil {
		t.Fatal(err)
	}
	staffGot := func() string {
		ps, _ := f.store.Pending(f.ctx, staffID)
		var b strings.Builder
		for _, p := range ps {
			b.Write(p)
			b.WriteString("\n")
		}
		return b.String()
	}
	_ = f.store.CountBroadcast(f.ctx, "b1", "sent", 20)
	for i := 0; i < 12; i++ { // Telegram refused 10 as too long and could not be reached for 2
		reason := conversation.FailTooLong
		if i >= 10 {
			reason = conversation.FailUnreachable
		}
		_ = f.store.CountBroadcastFailed(f.ctx, "b1", reason)
	}
	if _, err := f.run.Pass(f.ctx, f.now.Add(5*time.Second)); err != nil {
		t.Fatal(err)
	}
	got := staffGot()
	if !strings.Contains(got, "editMessageText@bc:b1") || !strings.Contains(got, "20 von 50 gesendet") {
		t.Fatalf("no progress edit:\n%s", got)
	}
	if !strings.Contains(got, "Von selbst angehalten: 12") {
		t.Fatalf("12 failures of 32 did not pause it:\n%s", got)
	}
	for _, why := range []string{"Text zu lang für Telegram: 10", "Telegram war nicht erreichbar: 2"} {
		if !strings.Contains(got, why) {
			t.Errorf("staff are not told why (%q):\n%s", why, got)
		}
	}
	if b, _, _ := f.store.GetBroadcast(f.ctx, "b1"); b.State != store.BroadcastPaused {
		t.Fatalf("state %s", b.State)
	}
	_, _ = f.store.TransitionBroadcast(f.ctx, "b1", store.BroadcastRunning, f.now.Add(10*time.Second))
	_ = f.store.CountBroadcast(f.ctx, "b1", "sent", 18)
	if _, err := f.run.Pass(f.ctx, f.now.Add(10*time.Second)); err != nil {
		t.Fatal(err)
	}
	got = staffGot()
	if !strings.Contains(got, "Versand fertig: 38 gesendet") {
		t.Fatalf("no report once every message was sent or failed:\n%s", got)
	}
	if report := got[strings.LastIndex(got, "Versand fertig"):]; !strings.Contains(report, "Text zu lang für Telegram: 10") {
		t.Errorf("the report does not say why messages failed:\n%s", report)
	}
	if jobs, _ := f.store.Jobs(f.ctx); len(jobs) != 0 {
		t.Errorf("jobs left: %v", jobs)
	}
}

// Each follower gets the version in their language; with "skip", those whose
// language has none get nothing, and the record counts them.
func TestVersionsAndSkip(t *testing.T) {
	f, _ := newFixture(t, "")
	b := store.Broadcast{ID: "b1", Staff: staffID, Created: f.now, Due: f.now, Topic: "news", Text: "Hallo <b>alle</b>",
		Main: "de", Versions: map[string]string{"tr": "Merhaba herkese"}, Fallback: conversation.FallbackSkip}
	if _, err := f.store.CreateBroadcast(f.ctx, b); err != nil {
		t.Fatal(err)
	}
	if _, err := f.run.Pass(f.ctx, f.now); err != nil {
		t.Fatal(err)
	}
	for i := int64(0); i < 50; i++ {
		ps, _ := f.store.Pending(f.ctx, 7000+i)
		got := ""
		for _, p := range ps {
			got += string(p)
		}
		switch i % 4 {
		case 0: // German: the main text
			if !strings.Contains(got, "Hallo <b>alle</b>") {
				t.Errorf("German follower %d: %q", 7000+i, got)
			}
		case 1: // Turkish: the version
			if !strings.Contains(got, "Merhaba herkese") || strings.Contains(got, "Hallo") {
				t.Errorf("Turkish follower %d: %q", 7000+i, got)
			}
		default: // Arabic, Ukrainian: skipped
			if got != "" {
				t.Errorf("follower %d without a version got %q", 7000+i, got)
			}
		}
	}
	rec, _, _ := f.store.GetBroadcast(f.ctx, "b1")
	if rec.Counts["skipped"] != 24 || rec.Counts["queued"] != 26 {
		t.Errorf("counts %v", rec.Counts)
	}
}
