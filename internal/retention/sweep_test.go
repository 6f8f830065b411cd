package retention_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/integrationsagentur-marl/integrabot/internal/app"
	"github.com/integrationsagentur-marl/integrabot/internal/config"
	"github.com/integrationsagentur-marl/integrabot/internal/conversation"
	"github.com/integrationsagentur-marl/integrabot/internal/reminder"
	"github.com/integrationsagentur-marl/integrabot/internal/retention"
	"github.com/integrationsagentur-marl/integrabot/internal/store"
	"github.com/integrationsagentur-marl/integrabot/internal/store/storetest"
	"github.com/integrationsagentur-marl/integrabot/internal/telegram"
)

const day = 24 * time.Hour

// env is one real Redis, the store on it, and replicas that run the due
// jobs (the sweep among them) on a clock of the test's.
type env struct {
	t      *testing.T
	ctx    context.Context
	rdb    redis.UniversalClient
	store  *store.Store
	k      *app.Knowledge
	prefix string
	update int64
}

func newEnv(t *testing.T) *env {
	t.Helper()
	rdb, _, prefix := storetest.Redis(t, fmt.Sprintf("ibtest:ret:%d:", time.Now().UnixNano()))
	ctx := context.Background()
	k, err := app.LoadKnowledge("", false)
	if err != nil {
		t.Fatal(err)
	}
	return &env{t: t, ctx: ctx, rdb: rdb, store: store.New(rdb, prefix, config.DefaultTiming), k: k, prefix: prefix}
}

// replica is one process's runner with the sweep, on its own store (its
// own connection pool) over the same Redis.
func (e *env) replica() *reminder.Runner {
	s := store.New(e.rdb, e.prefix, config.DefaultTiming)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	src := reminder.Source{Content: e.k.Content, Core: e.k.Core()}
	r := reminder.New(s, func() {}, telegram.Render, config.DefaultReminderOffsets, src, reminder.Options{}, log, nil)
	sw := retention.New(s, telegram.Render, func() {}, config.DefaultTiming, retention.Options{}, log)
	r.Handle(retention.JobID, sw.Do)
	r.OnPlan(sw.Ensure)
	return r
}

// write commits an update of user in chat at now, as the real path does
// (claim, then commit): it renews their place in the residents index.
func (e *env) write(chat, user int64, st *conversation.State, follow []string, now time.Time) {
	e.t.Helper()
	e.update++
	cl, err := e.store.Claim(e.ctx, store.UpdateRef{ID: e.update, Chat: chat, User: user}, true)
	if err != nil || cl.Claim != store.Fresh {
		e.t.Fatalf("claim: %+v %v", cl, err)
	}
	if err := e.store.Commit(e.ctx, store.Commit{Claimed: cl, State: st, Follow: follow}, now); err != nil {
		e.t.Fatal(err)
	}
}

// warnings are the retention warnings committed to a resident.
func (e *env) warnings(user int64) []string {
	e.t.Helper()
	pending, err := e.store.Pending(e.ctx, user)
	if err != nil {
		e.t.Fatal(err)
	}
	var out []string
	for _, p := range pending {
		if strings.Contains(string(p), `"callback_data":"stay"`) {
			out = append(out, string(p))
		}
	}
	return out
}

// passAll runs a pass of every replica at now, at once.
func passAll(t *testing.T, now time.Time, replicas ...*reminder.Runner) {
	t.Helper()
	var wg sync.WaitGroup
	for _, r := range replicas {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := r.Pass(context.Background(), now); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
}

// On a clock of the test's, two replicas sweeping at once: a follower
// silent 344 days gets exactly one warning, in their language, naming the
// day of the deletion; one who taps stay keeps everything; one who stays
// silent is deleted at 365 days, nothing in Redis naming them; an active
// resident is untouched; one who never followed anything gets no warning
// and is deleted at 365 days.
func TestSweepWarnsOnceAndDeletesTheSilent(t *testing.T) {
	e := newEnv(t)
	berlin, _ := time.LoadLocation("Europe/Berlin")
	t0 := time.Date(2026, 3, 2, 10, 0, 0, 0, berlin)
	const silent, stays, active, never, group = 7101, 7102, 7103, 7104, -7199
	for _, id := range []int64{silent, stays, active} {
		e.write(id, id, &conversation.State{Lang: "uk", Subs: []string{conversation.TopicNews, "e:cafe"}}, []string{conversation.TopicNews, "e:cafe"}, t0)
	}
	e.write(never, never, &conversation.State{Lang: "de"}, nil, t0)
	e.write(group, silent, &conversation.State{Lang: "uk", Screen: "privacy"}, nil, t0) // a menu in a group
	if _, err := e.store.PushOnce(e.ctx, []store.Outgoing{{ID: "r:cafe:1.0", Chat: silent, Lane: conversation.LaneBulk, Payload: []byte(`{"text":"reminder"}`)}}, 48*time.Hour); err != nil {
		t.Fatal(err)
	}
	a, b := e.replica(), e.replica()
	for _, r := range []*reminder.Runner{a, b} {
		if err := r.Plan(e.ctx, t0); err != nil {
			t.Fatal(err)
		}
	}
	e.write(active, active, nil, nil, t0.Add(300*day))

	at344 := t0.Add(344 * day).Add(time.Minute)
	passAll(t, at344, a, b)
	for _, id := range []int64{silent, stays} {
		w := e.warnings(id)
		if len(w) != 1 {
			t.Fatalf("resident %d silent 344 days: %d warnings, want 1:\n%s", id, len(w), strings.Join(w, "\n"))
		}
		date := e.k.Catalog.Date("uk", t0.Add(365*day))
		if !strings.Contains(w[0], date) || !strings.Contains(w[0], e.k.Catalog.T("uk", "button.stay")) {
			t.Errorf("the warning does not name the day %q in Ukrainian or has no stay button:\n%s", date, w[0])
		}
	}
	for _, id := range []int64{active, never} {
		if w := e.warnings(id); len(w) != 0 {
			t.Errorf("resident %d got a warning: %s", id, w)
		}
	}
	// the sweep comes again (every hour), on both replicas: no second warning
	passAll(t, at344.Add(2*time.Hour), a, b)
	passAll(t, at344.Add(5*day), a, b)
	for _, id := range []int64{silent, stays} {
		if w := e.warnings(id); len(w) != 1 {
			t.Errorf("resident %d: %d warnings after more sweeps, want still 1", id, len(w))
		}
	}
	if n := len(storetest.Naming(t, e.rdb, e.prefix, never)); n == 0 {
		t.Fatalf("the resident who never followed anything was deleted before 365 days")
	}

	e.write(stays, stays, nil, nil, at344.Add(day)) // taps "I want to stay"
	at365 := t0.Add(365 * day).Add(time.Hour)
	passAll(t, at365, a, b)
	for _, id := range []int64{silent, never} {
		if left := storetest.Naming(t, e.rdb, e.prefix, id); len(left) > 0 {
			t.Errorf("resident %d silent 365 days: still in Redis:\n%s", id, strings.Join(left, "\n"))
		}
	}
	for _, id := range []int64{stays, active} {
		st, err := e.store.LoadState(e.ctx, id)
		if err != nil || st.Lang != "uk" || len(st.Subs) != 2 {
			t.Errorf("resident %d was active: state %+v, %v; want it kept", id, st, err)
		}
		if n, _ := e.store.FollowerCount(e.ctx, conversation.TopicNews); n != 2 {
			t.Errorf("news has %d followers, want the 2 who stayed", n)
		}
	}
	// who stayed and falls silent again is warned again, once
	passAll(t, at344.Add(day).Add(344*day).Add(time.Minute), a, b)
	if w := e.warnings(stays); len(w) != 2 {
		t.Errorf("silent again for 344 days: %d warnings in all, want 2", len(w))
	}
}

// A resident who writes at the moment the sweep would delete them keeps
// their data: the sweep checks their last update again before deleting.
func TestSweepSparesWhoWroteMeanwhile(t *testing.T) {
	e := newEnv(t)
	t0 := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	e.write(7201, 7201, &conversation.State{Lang: "de"}, nil, t0)
	e.write(7201, 7201, nil, nil, t0.Add(365*day)) // after the page was read
	ok, err := e.store.ForgetSilent(e.ctx, 7201, t0.Add(time.Hour))
	if err != nil || ok {
		t.Fatalf("ForgetSilent = %v, %v; want nothing deleted", ok, err)
	}
	if st, _ := e.store.LoadState(e.ctx, 7201); st.Lang != "de" {
		t.Errorf("state %+v, want it kept", st)
	}
}

// States written under a shorter TTL (the fixed 180 days before RETENTION,
// or a RETENTION raised since) are made to live as long as the retention
// wants at the first sweep, so that a follower silent since is still
// there to be warned at 344 days; a second sweep does not walk them again.
func TestSweepAlignsStatesWrittenUnderAShorterTTL(t *testing.T) {
	e := newEnv(t)
	t0 := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	const old, fresh = 7301, 7302
	for _, id := range []int64{old, fresh} {
		e.write(id, id, &conversation.State{Lang: "de", Subs: []string{conversation.TopicNews}}, []string{conversation.TopicNews}, t0)
	}
	state := func(id int64) string { return fmt.Sprintf("%s{u%d}:state", e.prefix, id) }
	e.rdb.Expire(e.ctx, state(old), 180*day-30*day) // written 30 days ago by the old version
	r := e.replica()
	if err := r.Plan(e.ctx, t0); err != nil {
		t.Fatal(err)
	}
	passAll(t, t0.Add(time.Hour), r)
	want := config.DefaultTiming.StateTTL() - time.Hour
	for _, id := range []int64{old, fresh} {
		if ttl := e.rdb.TTL(e.ctx, state(id)).Val(); ttl < want-time.Minute || ttl > config.DefaultTiming.StateTTL() {
			t.Errorf("resident %d: the state lives %v more, want about %v", id, ttl, want)
		}
	}
	e.rdb.Expire(e.ctx, state(old), day)
	passAll(t, t0.Add(3*time.Hour), r)
	if ttl := e.rdb.TTL(e.ctx, state(old)).Val(); ttl > day {
		t.Errorf("a second sweep walked the states again (TTL %v)", ttl)
	}
}
