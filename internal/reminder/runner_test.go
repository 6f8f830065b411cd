package reminder_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/integrationsagentur-marl/integrabot/internal/agency"
	"github.com/integrationsagentur-marl/integrabot/internal/app"
	"github.com/integrationsagentur-marl/integrabot/internal/config"
	"github.com/integrationsagentur-marl/integrabot/internal/conversation"
	"github.com/integrationsagentur-marl/integrabot/internal/deliver"
	"github.com/integrationsagentur-marl/integrabot/internal/reminder"
	"github.com/integrationsagentur-marl/integrabot/internal/store"
	"github.com/integrationsagentur-marl/integrabot/internal/store/storetest"
	"github.com/integrationsagentur-marl/integrabot/internal/telegram"
)

var berlin = func() *time.Location {
	l, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		panic(err)
	}
	return l
}()

func local(y int, m time.Month, d, h, min int) time.Time {
	return time.Date(y, m, d, h, min, 0, 0, berlin)
}

// env is one Redis, the store on it and what the tests need to drive
// runners with a clock of their own.
type env struct {
	t      testing.TB
	ctx    context.Context
	rdb    redis.UniversalClient
	store  *store.Store
	k      *app.Knowledge
	prefix string // every key of the test's starts with it
}

func newEnv(t testing.TB) *env {
	t.Helper()
	return newEnvPrefix(t, fmt.Sprintf("ibtest:rem:%d:", time.Now().UnixNano()))
}

// newEnvPrefix is newEnv with the keys under prefix, deleted afterwards.
func newEnvPrefix(t testing.TB, prefix string) *env {
	t.Helper()
	rdb, _, _ := storetest.Redis(t, prefix)
	ctx := context.Background()
	k, err := app.LoadKnowledge("", false)
	if err != nil {
		t.Fatal(err)
	}
	return &env{t: t, ctx: ctx, rdb: rdb, store: store.New(rdb, prefix, config.DefaultTiming), k: k, prefix: prefix}
}

// café is a weekly encounter on Tuesdays, 15:00–17:00 in Marl.
func café(start time.Time) agency.Encounter {
	return agency.Encounter{
		ID: "cafe", Title: agency.Text{"de": "Sprachcafé", "en": "Language café", "tr": "Dil kafesi", "uk": "Мовне кафе"},
		Start: start, End: start.Add(2 * time.Hour), Repeat: agency.Weekly, Place: "Rathaus",
	}
}

// source is the agency's content with the given encounters.
func (e *env) source(loaded time.Time, encounters ...agency.Encounter) reminder.Source {
	c := *e.k.Content
	c.Encounters = encounters
	k := *e.k
	c.Stamp = agency.Stamp(loaded, nil) // content changed later is newer
	k.Content = &c
	return reminder.Source{Content: &c, Core: k.Core()}
}

func (e *env) runner(src reminder.Source, opt reminder.Options, offsets ...time.Duration) *reminder.Runner {
	if len(offsets) == 0 {
		offsets = config.DefaultReminderOffsets
	}
	return reminder.New(e.store, func() {}, telegram.Render, offsets, src, opt, slog.New(slog.NewTextHandler(io.Discard, nil)), nil)
}

// follow stores a resident who reads lang and follows topics.
func (e *env) follow(user int64, lang string, topics ...string) {
	e.t.Helper()
	if err := e.store.SaveState(e.ctx, user, conversation.State{Lang: lang, Subs: topics}); err != nil {
		e.t.Fatal(err)
	}
	for _, topic := range topics {
		if err := e.store.Follow(e.ctx, topic, user); err != nil {
			e.t.Fatal(err)
		}
	}
}

// inbox is what was committed to a resident and not yet sent, one string per message.
func (e *env) inbox(user int64) []string {
	e.t.Helper()
	ps, err := e.store.Pending(e.ctx, user)
	if err != nil {
		e.t.Fatal(err)
	}
	var out []string
	for _, p := range ps {
		out = append(out, string(p))
	}
	return out
}

// replicas returns n runners on the same content, each planning and
// running seven followers a page, as several processes would.
func (e *env) replicas(n int, src reminder.Source) []*reminder.Runner {
	var out []*reminder.Runner
	for range n {
		out = append(out, e.runner(src, reminder.Options{Page: 7}))
	}
	return out
}

// planAndPassAtOnce lets every replica plan and run what is due at once,
// at now and a minute later, as replicas sharing one Redis do.
func (e *env) planAndPassAtOnce(replicas []*reminder.Runner, now time.Time) {
	var wg sync.WaitGroup
	for _, r := range replicas {
		wg.Add(1)
		go func() {
			defer wg.Done()
			e.plan(r, now)
			e.pass(r, now)
			e.plan(r, now.Add(time.Minute))
			e.pass(r, now.Add(time.Minute))
		}()
	}
	wg.Wait()
}

func (e *env) plan(r *reminder.Runner, now time.Time) {
	e.t.Helper()
	if err := r.Plan(e.ctx, now); err != nil {
		e.t.Fatal(err)
	}
}

func (e *env) pass(r *reminder.Runner, now time.Time) int {
	e.t.Helper()
	n, err := r.Pass(e.ctx, now)
	if err != nil {
		e.t.Fatal(err)
	}
	return n
}

// A follower gets a reminder at each offset, once, in the language they
// read when it is sent; a resident who does not follow the encounter gets
// none, and one who follows it twice (it and all encounters) gets one.
func TestRemindersAtEachOffsetOnce(t *testing.T) {
	e := newEnv(t)
	start := local(2026, 12, 8, 15, 0)
	r := e.runner(e.source(local(2026, 12, 1, 0, 0), café(start)), reminder.Options{})
	e.follow(1, "tr", "e:cafe")
	e.follow(2, "en", "all")
	e.follow(3, "de", "news")
	e.follow(4, "de", "e:cafe", "all")

	now := start.Add(-30 * time.Hour)
	e.plan(r, now)
	if n := e.pass(r, now); n != 0 {
		t.Fatalf("%d reminders 30 hours before", n)
	}
	due := start.Add(-24 * time.Hour)
	if n := e.pass(r, due.Add(-time.Second)); n != 0 {
		t.Fatalf("%d reminders a second early", n)
	}
	if n := e.pass(r, due); n != 3 {
		t.Fatalf("%d reminders at the day before, want 3", n)
	}
	e.plan(r, due) // planning again changes nothing
	if n := e.pass(r, due.Add(time.Minute)); n != 0 {
		t.Fatalf("%d reminders sent again", n)
	}
	if got := e.inbox(1); len(got) != 1 || !strings.Contains(got[0], "Dil kafesi") || !strings.Contains(got[0], "Hatırlatma") || !strings.Contains(got[0], "15:00") {
		t.Fatalf("Turkish reminder: %q", got)
	}
	if got := e.inbox(3); len(got) != 0 {
		t.Fatalf("a news subscriber got %q", got)
	}
	// the resident changes to Ukrainian before the second reminder
	e.follow(1, "uk", "e:cafe")
	if n := e.pass(r, start.Add(-2*time.Hour)); n != 3 {
		t.Fatalf("%d reminders two hours before, want 3", n)
	}
	got := e.inbox(1)
	if len(got) != 2 || !strings.Contains(got[1], "Мовне кафе") || !strings.Contains(got[1], "Нагадування") {
		t.Fatalf("the second reminder is not in the language read now: %q", got)
	}
	for _, user := range []int64{2, 4} {
		if got := e.inbox(user); len(got) != 2 {
			t.Errorf("resident %d: %d reminders, want 2", user, len(got))
		}
	}
	if !strings.Contains(got[1], `"callback_data":"ics:cafe:`+strconv.FormatInt(start.Unix(), 10)+`"`) || !strings.Contains(got[1], `"callback_data":"uns:e:cafe"`) {
		t.Errorf("a reminder lacks its calendar or unsubscribe button: %s", got[1])
	}
	if n := e.pass(r, start.Add(time.Minute)); n != 0 {
		t.Errorf("%d reminders after the start", n)
	}
	// the staff's figures count the six reminders, whenever they went
	if f, err := e.store.Figures(context.Background(), start, 0); err != nil || f.Counts[conversation.TallyReminders] != 6 {
		t.Errorf("reminders counted for the figures: %d (%v), want 6", f.Counts[conversation.TallyReminders], err)
	}
}

// A resident who stopped following gets nothing, and leaves the index.
func TestUnsubscribedGetsNone(t *testing.T) {
	e := newEnv(t)
	start := local(2026, 12, 8, 15, 0)
	r := e.runner(e.source(local(2026, 12, 1, 0, 0), café(start)), reminder.Options{})
	e.follow(1, "de", "e:cafe")
	e.follow(2, "de", "e:cafe")
	if err := e.store.SaveState(e.ctx, 2, conversation.State{Lang: "de"}); err != nil { // stopped: the state says so, the index lags
		t.Fatal(err)
	}
	e.plan(r, start.Add(-48*time.Hour))
	if n := e.pass(r, start.Add(-24*time.Hour)); n != 1 || len(e.inbox(2)) != 0 {
		t.Fatalf("%d reminders; the resident who stopped got %q", n, e.inbox(2))
	}
	if n, _ := e.store.FollowerCount(e.ctx, "e:cafe"); n != 1 {
		t.Errorf("the index still holds %d followers, want 1", n)
	}
}

// After downtime, a reminder whose moment passed goes out late, once; of
// two that passed only the later one goes; none once the date has begun.
func TestLateAfterDowntime(t *testing.T) {
	e := newEnv(t)
	start := local(2026, 12, 8, 15, 0)
	r := e.runner(e.source(local(2026, 12, 1, 0, 0), café(start)), reminder.Options{})
	e.follow(1, "de", "e:cafe")
	e.plan(r, start.Add(-48*time.Hour))
	if n := e.pass(r, start.Add(-3*time.Hour)); n != 1 {
		t.Fatalf("%d late reminders, want 1", n)
	}
	// the next week's date: both moments passed while down
	next := start.AddDate(0, 0, 7)
	e.plan(r, start.Add(time.Hour))
	if n := e.pass(r, next.Add(-time.Hour)); n != 1 {
		t.Fatalf("%d reminders after both moments passed, want 1", n)
	}
	// the week after: down until it began
	e.plan(r, next.Add(time.Hour))
	if n := e.pass(r, next.AddDate(0, 0, 7).Add(time.Minute)); n != 0 {
		t.Fatalf("%d reminders of a date that has begun", n)
	}
}

// A moved date: its followers are told the old and the new time, once,
// and reminders follow the new time. A removed encounter: one
// cancellation notice, no more reminders.
func TestMovedAndCancelled(t *testing.T) {
	e := newEnv(t)
	start := local(2026, 12, 8, 15, 0)
	r := e.runner(e.source(local(2026, 12, 1, 0, 0), café(start)), reminder.Options{})
	e.follow(1, "de", "e:cafe")
	e.follow(2, "en", "all")
	now := start.Add(-48 * time.Hour)
	e.plan(r, now)

	later := café(start.Add(time.Hour)) // 16:00 from now on
	other := e.runner(e.source(local(2026, 12, 2, 0, 0), later), reminder.Options{})
	e.plan(other, now)
	e.plan(r, now) // the replica with the older content must not move it back
	if n := e.pass(other, now); n != 2 {
		t.Fatalf("%d move notices, want one per follower for the one date ahead", n)
	}
	got := e.inbox(1)
	if len(got) != 1 || !strings.Contains(got[0], "15:00") || !strings.Contains(got[0], "16:00") || !strings.Contains(got[0], "neuen Termin") {
		t.Fatalf("move notice: %q", got)
	}
	if n := e.pass(other, start.Add(-24*time.Hour)); n != 0 {
		t.Fatalf("%d reminders at the old time", n)
	}
	if n := e.pass(other, start.Add(time.Hour-24*time.Hour)); n != 2 {
		t.Fatalf("%d reminders at the new time, want 2", n)
	}
	if got := e.inbox(2); !strings.Contains(got[len(got)-1], "16:00") {
		t.Errorf("the reminder does not say the new time: %q", got[len(got)-1])
	}

	gone := e.runner(e.source(local(2026, 12, 3, 0, 0)), reminder.Options{}) // the encounter left the content
	e.plan(gone, start.Add(-23*time.Hour))
	e.plan(gone, start.Add(-23*time.Hour))
	if n := e.pass(gone, start.Add(-23*time.Hour)); n != 2 {
		t.Fatalf("%d cancellation notices, want 2", n)
	}
	if got := e.inbox(2); !strings.Contains(got[len(got)-1], "does not take place any more") || !strings.Contains(got[len(got)-1], "Language café") {
		t.Errorf("cancellation: %q", got[len(got)-1])
	}
	if n := e.pass(gone, start.Add(time.Hour-2*time.Hour)); n != 0 {
		t.Errorf("%d reminders of a cancelled encounter", n)
	}
}

// Across the daylight-saving changes a weekly 10:00 stays 10:00 local
// time, and its reminder is due 24 real hours before.
func TestDaylightSavingWeeks(t *testing.T) {
	for _, tc := range []struct {
		name  string
		first time.Time // the week before the change
	}{
		{"March", local(2027, 3, 22, 10, 0)},
		{"October", local(2026, 10, 19, 10, 0)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			enc := café(tc.first)
			r := e.runner(e.source(tc.first, enc), reminder.Options{})
			e.follow(1, "de", "e:cafe")
			after := tc.first.AddDate(0, 0, 7) // 10:00 local, the Monday after the change
			if after.Hour() != 10 || after.Sub(tc.first) == 7*24*time.Hour {
				t.Fatalf("test setup: %v is not across a change", after)
			}
			e.plan(r, tc.first.Add(time.Hour))
			due := after.Add(-24 * time.Hour)
			if n := e.pass(r, due.Add(-time.Second)); n != 0 {
				t.Fatalf("%d reminders a second early", n)
			}
			if n := e.pass(r, due); n != 1 {
				t.Fatalf("%d reminders at %v", n, due)
			}
			if got := e.inbox(1); !strings.Contains(got[0], "10:00") {
				t.Errorf("the reminder says another time: %q", got)
			}
		})
	}
}

// Two schedulers on one Redis: every follower gets one reminder.
func TestTwoRunnersNoDuplicate(t *testing.T) {
	e := newEnv(t)
	start := local(2026, 12, 8, 15, 0)
	src := e.source(local(2026, 12, 1, 0, 0), café(start))
	a, b := e.runner(src, reminder.Options{Page: 7}), e.runner(src, reminder.Options{Page: 7})
	for u := int64(1); u <= 200; u++ {
		e.follow(u, "de", "e:cafe")
	}
	e.plan(a, start.Add(-48*time.Hour))
	e.plan(b, start.Add(-48*time.Hour))
	var wg sync.WaitGroup
	counts := make([]int, 2)
	for i, r := range []*reminder.Runner{a, b} {
		wg.Add(1)
		go func() { defer wg.Done(); counts[i] = e.pass(r, start.Add(-24*time.Hour)) }()
	}
	wg.Wait()
	if counts[0]+counts[1] != 200 {
		t.Fatalf("%v reminders, want 200 in all", counts)
	}
	for u := int64(1); u <= 200; u++ {
		if got := e.inbox(u); len(got) != 1 {
			t.Fatalf("resident %d got %d", u, len(got))
		}
	}
}

// failing fails every call after the first n pushes: a replica dying in
// the middle of a job.
type failing struct {
	*store.Store
	mu     sync.Mutex
	pushes int
}

var errCrash = errors.New("crashed")

func (f *failing) PushOnce(ctx context.Context, msgs []store.Outgoing, d time.Duration) (store.Pushed, error) {
	f.mu.Lock()
	f.pushes++
	n := f.pushes
	f.mu.Unlock()
	if n > 1 {
		return store.Pushed{}, errCrash
	}
	return f.Store.PushOnce(ctx, msgs, d)
}

// A crash between taking a job and finishing it: nobody else takes it while
// its lease runs, then another replica finishes it, and every follower has
// one reminder.
func TestCrashMidJob(t *testing.T) {
	e := newEnv(t)
	start := local(2026, 12, 8, 15, 0)
	src := e.source(local(2026, 12, 1, 0, 0), café(start))
	for u := int64(1); u <= 30; u++ {
		e.follow(u, "de", "e:cafe")
	}
	lease := 30 * time.Second
	crashing := reminder.New(&failing{Store: e.store}, func() {}, telegram.Render, config.DefaultReminderOffsets, src,
		reminder.Options{Page: 10, Lease: lease, Now: func() time.Time { return start.Add(-24 * time.Hour) }}, slog.New(slog.NewTextHandler(io.Discard, nil)), nil)
	due := start.Add(-24 * time.Hour)
	e.plan(crashing, start.Add(-48*time.Hour))
	if _, err := crashing.Pass(e.ctx, due); !errors.Is(err, errCrash) {
		t.Fatalf("the crash did not happen: %v", err)
	}
	other := e.runner(src, reminder.Options{Page: 10})
	if n := e.pass(other, due.Add(lease/2)); n != 0 {
		t.Fatalf("%d sent while the crashed replica's lease ran", n)
	}
	e.pass(other, due.Add(lease+time.Second))
	for u := int64(1); u <= 30; u++ {
		if got := e.inbox(u); len(got) != 1 {
			t.Fatalf("resident %d got %d reminders, want 1", u, len(got))
		}
	}
}

// A follower who blocked the bot gets nothing and follows nothing more.
func TestBlockedFollowerEndsSubscriptions(t *testing.T) {
	e := newEnv(t)
	start := local(2026, 12, 8, 15, 0)
	r := e.runner(e.source(local(2026, 12, 1, 0, 0), café(start)), reminder.Options{})
	e.follow(1, "de", "e:cafe", "news")
	if err := e.store.SetGone(e.ctx, 1, true); err != nil {
		t.Fatal(err)
	}
	e.plan(r, start.Add(-48*time.Hour))
	if n := e.pass(r, start.Add(-24*time.Hour)); n != 0 {
		t.Fatalf("%d reminders to a resident who blocked the bot", n)
	}
	st, _ := e.store.LoadState(e.ctx, 1)
	if len(st.Subs) != 0 || st.Lang != "de" {
		t.Errorf("state after blocking: %+v", st)
	}
	for _, topic := range []string{"e:cafe", "news"} {
		if n, _ := e.store.FollowerCount(e.ctx, topic); n != 0 {
			t.Errorf("%s still has %d followers", topic, n)
		}
	}
}

// One date of a series cancelled (except), then the whole series
// (cancelled: true): a notice for the date, then one for the series; no
// reminder for either.
func TestCancelledDateAndSeries(t *testing.T) {
	e := newEnv(t)
	start := local(2026, 12, 8, 15, 0)
	r := e.runner(e.source(local(2026, 12, 1, 0, 0), café(start)), reminder.Options{})
	e.follow(1, "en", "e:cafe")
	now := start.Add(-48 * time.Hour)
	e.plan(r, now)

	one := café(start)
	one.Except = []time.Time{local(2026, 12, 8, 0, 0)}
	r.SetSource(e.source(local(2026, 12, 2, 0, 0), one))
	e.plan(r, now)
	e.plan(r, now)
	if n := e.pass(r, now); n != 1 {
		t.Fatalf("%d notices for one cancelled date, want 1", n)
	}
	if got := e.inbox(1); !strings.Contains(got[0], "does not take place") || !strings.Contains(got[0], "Tuesday") {
		t.Fatalf("date cancelled: %q", got)
	}
	if n := e.pass(r, start.Add(-2*time.Hour)); n != 0 {
		t.Fatalf("%d reminders of the cancelled date", n)
	}
	// the next week's date is planned and then the whole series is called off
	next := start.AddDate(0, 0, 7)
	e.plan(r, next.Add(-48*time.Hour))
	off := one
	off.Cancelled = true
	r.SetSource(e.source(local(2026, 12, 3, 0, 0), off))
	e.plan(r, next.Add(-47*time.Hour))
	if n := e.pass(r, next.Add(-47*time.Hour)); n != 1 {
		t.Fatalf("%d notices for the cancelled series, want 1", n)
	}
	if got := e.inbox(1); !strings.Contains(got[len(got)-1], "does not take place any more") {
		t.Fatalf("series cancelled: %q", got[len(got)-1])
	}
	if n := e.pass(r, next.Add(-2*time.Hour)); n != 0 {
		t.Fatalf("%d reminders of a cancelled series", n)
	}
}

// An encounter deleted while its next date is still beyond the planning
// horizon tells its followers too; one whose last date is past tells nobody
// (it took place).
func TestDeletedBeyondTheHorizon(t *testing.T) {
	tests := []struct {
		name    string
		start   time.Time // a one-off encounter's date
		notices int
	}{
		{"in two months", local(2027, 2, 1, 15, 0), 1},
		{"past", local(2026, 11, 20, 15, 0), 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			once := café(tt.start)
			once.Repeat = ""
			now := local(2026, 12, 1, 12, 0)
			r := e.runner(e.source(local(2026, 11, 1, 0, 0), once), reminder.Options{})
			e.follow(1, "en", "e:cafe")
			e.plan(r, now)
			r.SetSource(e.source(local(2026, 12, 1, 0, 0))) // staff deleted it
			e.plan(r, now.Add(time.Minute))
			if n := e.pass(r, now.Add(time.Minute)); n != tt.notices {
				t.Fatalf("%d notices, want %d: %q", n, tt.notices, e.inbox(1))
			}
			if tt.notices > 0 && !strings.Contains(e.inbox(1)[0], "does not take place any more") {
				t.Fatalf("notice: %q", e.inbox(1))
			}
		})
	}
}

// Three replicas take up the same new content at different moments (each
// got its SIGHUP on its own) and plan and send at once: every follower is
// told of the move once, and reminded once at the new time.
func TestMoveNoticeOnceAcrossReplicas(t *testing.T) {
	e := newEnv(t)
	start := local(2026, 12, 8, 15, 0)
	now := start.Add(-48 * time.Hour)
	e.plan(e.runner(e.source(local(2026, 12, 1, 0, 0), café(start)), reminder.Options{}), now)
	for u := int64(1); u <= 60; u++ {
		e.follow(u, []string{"de", "tr", "uk"}[u%3], "e:cafe")
	}
	var replicas []*reminder.Runner
	for i := range 3 {
		loaded := local(2026, 12, 5, 9, i) // the same content, read a minute apart
		replicas = append(replicas, e.runner(e.source(loaded, café(start.Add(time.Hour))), reminder.Options{Page: 7}))
	}
	e.planAndPassAtOnce(replicas, now)
	for _, r := range replicas {
		e.pass(r, start.Add(time.Hour-24*time.Hour))
	}
	for u := int64(1); u <= 60; u++ {
		got := e.inbox(u)
		if len(got) != 2 || !strings.Contains(got[0], "16:00") || !strings.Contains(got[1], "16:00") {
			t.Fatalf("resident %d: want one move notice and one reminder at the new time, got %d:\n%q", u, len(got), got)
		}
	}
}

// recorder is a Sender that records which chat each message went to, and
// its text, in order.
type recorder struct {
	mu    sync.Mutex
	chats []int64
	said  []string
}

func (r *recorder) Send(_ context.Context, chat int64, payload []byte, _ bool) deliver.Result {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.chats = append(r.chats, chat)
	r.said = append(r.said, string(payload))
	return deliver.Result{Kind: deliver.Delivered, MessageID: len(r.chats)}
}

// texts returns what was sent, in order.
func (r *recorder) texts() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.said)
}

func (r *recorder) sent() []int64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.chats)
}

// Two reminders due a minute apart, each to many followers, both found due
// at once (after downtime): the delivery sends them at the bulk rate, the
// earlier one's followers first.
func TestManyDueLeaveInDueOrder(t *testing.T) {
	e := newEnv(t)
	first := local(2026, 12, 8, 15, 0)
	a, b := café(first), café(first.Add(time.Minute))
	a.ID, b.ID = "a", "b"
	const n = 150
	for u := int64(1); u <= n; u++ {
		e.follow(u, "de", "e:a")
		e.follow(1000+u, "de", "e:b")
	}
	r := e.runner(e.source(local(2026, 12, 1, 0, 0), b, a), reminder.Options{Page: 20})
	e.plan(r, first.Add(-48*time.Hour))
	if got := e.pass(r, first.Add(time.Minute-24*time.Hour)); got != 2*n {
		t.Fatalf("%d committed, want %d", got, 2*n)
	}
	rec := &recorder{}
	lim := deliver.Limits{Rate: 400, BulkRate: 400, Burst: 4, PerChat: time.Millisecond, Group: time.Millisecond, MaxTries: 3, Workers: 4}
	d := deliver.New(e.store, rec, lim, time.Minute, time.Second, nil, slog.New(slog.NewTextHandler(io.Discard, nil)), nil)
	ctx, cancel := context.WithCancel(e.ctx)
	done := make(chan struct{})
	go func() { _ = d.Run(ctx); close(done) }()
	defer func() { cancel(); <-done }()
	for deadline := time.Now().Add(20 * time.Second); len(rec.sent()) < 2*n; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d delivered", len(rec.sent()), 2*n)
		}
	}
	sent := rec.sent()
	lastA, firstB := -1, len(sent)
	for i, chat := range sent {
		if chat <= n {
			lastA = i
		} else if i < firstB {
			firstB = i
		}
	}
	if lastA-firstB >= lim.Workers { // messages in flight together may finish in any order
		t.Errorf("the later reminder's followers went before the earlier one's: last of the first at %d, first of the second at %d", lastA, firstB)
	}
}
