package deliver

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/integrationsagentur-marl/integrabot/internal/config"
	"github.com/integrationsagentur-marl/integrabot/internal/conversation"
	"github.com/integrationsagentur-marl/integrabot/internal/store"
)

// script is a Sender that answers each chat's sends from a script, then
// delivers, and records what was delivered.
type script struct {
	mu      sync.Mutex
	answers map[int64][]Kind
	reasons map[int64]string // why Telegram refuses a chat's sends (Result.Reason)
	got     []string         // "chat:payload" in the order delivered
	tries   map[string]int
	sent    chan struct{}
}

func newScript() *script {
	return &script{answers: map[int64][]Kind{}, reasons: map[int64]string{}, tries: map[string]int{}, sent: make(chan struct{}, 100)}
}

func (s *script) Send(_ context.Context, chat int64, payload []byte, _ bool) Result {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tries[string(payload)]++
	if a := s.answers[chat]; len(a) > 0 {
		s.answers[chat] = a[1:]
		if a[0] != Delivered {
			return Result{Kind: a[0], RetryAfter: 300 * time.Millisecond, Reason: s.reasons[chat], Err: fmt.Errorf("scripted %v", a[0])}
		}
	}
	s.got = append(s.got, fmt.Sprintf("%d:%s", chat, payload))
	s.sent <- struct{}{}
	return Result{Kind: Delivered, MessageID: len(s.got)}
}

func (s *script) delivered() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.got...)
}

func testStore(t *testing.T) (*store.Store, redis.UniversalClient) {
	t.Helper()
	u := os.Getenv("REDIS_TEST_URL")
	if u == "" {
		u = "redis://127.0.0.1:6379/0"
	}
	o, _ := redis.ParseURL(u)
	rdb := redis.NewClient(o)
	if err := rdb.Ping(context.Background()).Err(); err != nil {
		t.Fatalf("these tests need a real Redis at %s: %v", u, err)
	}
	prefix := fmt.Sprintf("ibtest:%d:", time.Now().UnixNano())
	t.Cleanup(func() {
		ctx := context.Background()
		keys, _ := rdb.Keys(ctx, prefix+"*").Result()
		for _, k := range keys {
			rdb.Del(ctx, k)
		}
		rdb.Close()
	})
	return store.New(rdb, prefix, config.DefaultTiming), rdb
}

func commit(t *testing.T, s *store.Store, update, chat int64, texts ...string) {
	t.Helper()
	ctx := context.Background()
	c, err := s.Claim(ctx, store.UpdateRef{ID: update, Chat: chat, User: chat}, false)
	if err != nil {
		t.Fatal(err)
	}
	var msgs []store.Outgoing
	for i, text := range texts {
		msgs = append(msgs, store.Outgoing{ID: fmt.Sprintf("%d.%d", update, i), Chat: chat, Lane: conversation.LaneReply, Payload: []byte(fmt.Sprintf("%q", text))})
	}
	if err := s.Commit(ctx, store.Commit{Claimed: c, Messages: msgs}, time.Now()); err != nil {
		t.Fatal(err)
	}
}

var quick = Limits{Rate: 1000, BulkRate: 1000, Burst: 1, PerChat: time.Millisecond, Group: time.Millisecond, MaxTries: 3, Workers: 4}

func run(t *testing.T, s *store.Store, sender Sender, lim Limits) *Deliverer {
	t.Helper()
	d := New(s, sender, lim, time.Minute, time.Second, nil, slog.New(slog.NewTextHandler(io.Discard, nil)), nil)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { _ = d.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	return d
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting: %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// A failing message is tried again and the chat's later messages wait for
// it; what fails for good is dropped and the chat goes on; a message that
// keeps failing is given up after MaxTries; a gone chat stops.
func TestOutcomes(t *testing.T) {
	s, _ := testStore(t)
	sc := newScript()
	sc.answers[1] = []Kind{Transient, Transient}            // passes on its third try
	sc.answers[2] = []Kind{Refused}                         // the first message never passes
	sc.answers[3] = []Kind{Transient, Transient, Transient} // given up after 3 tries
	sc.answers[4] = []Kind{ChatGone}
	d := run(t, s, sc, quick)
	commit(t, s, 1, 1, "a1", "a2")
	commit(t, s, 2, 2, "b1", "b2")
	commit(t, s, 3, 3, "c1", "c2")
	commit(t, s, 4, 4, "d1", "d2")
	d.Wake()
	waitFor(t, "the deliverable messages", func() bool { return len(sc.delivered()) >= 4 })
	got := fmt.Sprint(sc.delivered())
	for _, want := range []string{`1:"a1"`, `1:"a2"`, `2:"b2"`, `3:"c2"`} {
		if !contains(sc.delivered(), want) {
			t.Errorf("%s not delivered: %s", want, got)
		}
	}
	for _, never := range []string{`2:"b1"`, `3:"c1"`, `4:"d1"`, `4:"d2"`} {
		if contains(sc.delivered(), never) {
			t.Errorf("%s delivered: %s", never, got)
		}
	}
	if i, j := index(sc.delivered(), `1:"a1"`), index(sc.delivered(), `1:"a2"`); i > j {
		t.Errorf("a chat's messages out of order: %s", got)
	}
	sc.mu.Lock()
	tries := sc.tries[`"c1"`]
	sc.mu.Unlock()
	if tries != 3 {
		t.Errorf("a failing message was tried %d times, want MaxTries = 3", tries)
	}
}

// A 429 pauses every chat, not only the one that drew it.
func TestSlowDownPausesAll(t *testing.T) {
	s, _ := testStore(t)
	sc := newScript()
	sc.answers[10] = []Kind{SlowDown} // 300 ms
	d := run(t, s, sc, Limits{Rate: 1000, BulkRate: 1000, Burst: 1, PerChat: time.Millisecond, Group: time.Millisecond, MaxTries: 3, Workers: 1})
	commit(t, s, 1, 10, "first")
	d.Wake()
	waitFor(t, "the 429", func() bool { sc.mu.Lock(); defer sc.mu.Unlock(); return sc.tries[`"first"`] == 1 })
	start := time.Now()
	commit(t, s, 2, 11, "other chat")
	d.Wake()
	<-sc.sent
	<-sc.sent
	if waited := time.Since(start); waited < 200*time.Millisecond {
		t.Errorf("a message went %v after a 429 asked everyone to wait 300 ms", waited)
	}
	if got := sc.delivered(); len(got) != 2 || got[0] != `10:"first"` && got[1] != `10:"first"` {
		t.Errorf("delivered %v", got)
	}
}

func contains(list []string, s string) bool { return index(list, s) >= 0 }

func index(list []string, s string) int {
	for i, x := range list {
		if x == s {
			return i
		}
	}
	return -1
}

// A broadcast's messages already queued wait while staff have it paused and
// are dropped once they cancel it; a reply to the same resident is not held
// up meanwhile (barrier: it is delivered while the broadcast waits).
func TestPausedAndCancelledBroadcastsHoldTheirQueue(t *testing.T) {
	s, _ := testStore(t)
	ctx := context.Background()
	now := time.Now()
	if _, err := s.CreateBroadcast(ctx, store.Broadcast{ID: "bx", Staff: 1, Created: now, Due: now.Add(time.Hour), Topic: "news", Text: "x"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.TransitionBroadcast(ctx, "bx", store.BroadcastPaused, now); err != nil {
		t.Fatal(err)
	}
	var msgs []store.Outgoing
	for chat := int64(801); chat <= 803; chat++ {
		msgs = append(msgs, store.Outgoing{ID: store.BroadcastJob("bx") + ".0", Chat: chat, Lane: conversation.LaneBulk, Payload: []byte(`"broadcast"`)})
	}
	if _, err := s.PushOnce(ctx, msgs, time.Hour); err != nil {
		t.Fatal(err)
	}
	sc := newScript()
	run(t, s, sc, quick)
	commit(t, s, 1, 801, "reply")
	waitFor(t, "the reply", func() bool { return len(sc.delivered()) >= 1 })
	if got := sc.delivered(); len(got) != 1 || got[0] != `801:"reply"` {
		t.Fatalf("while paused: %v", got)
	}
	if _, err := s.TransitionBroadcast(ctx, "bx", store.BroadcastCancelled, now); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the cancelled messages dropped", func() bool {
		b, _, _ := s.GetBroadcast(ctx, "bx")
		return b.Counts["cancelled"] == 3
	})
	if got := sc.delivered(); len(got) != 1 {
		t.Errorf("a cancelled broadcast was sent: %v", got)
	}
}

// A broadcast's failed messages are counted with the reason staff are told:
// Telegram's own for a refusal, "unreachable" for one given up after its
// tries.
func TestBroadcastFailuresCountTheirReason(t *testing.T) {
	s, _ := testStore(t)
	ctx := context.Background()
	now := time.Now()
	if _, err := s.CreateBroadcast(ctx, store.Broadcast{ID: "bf", Staff: 1, Created: now, Due: now, Topic: "news", Text: "x"}); err != nil {
		t.Fatal(err)
	}
	var msgs []store.Outgoing
	for chat := int64(811); chat <= 813; chat++ {
		msgs = append(msgs, store.Outgoing{ID: store.BroadcastJob("bf") + ".0", Chat: chat, Lane: conversation.LaneBulk, Payload: []byte(`"broadcast"`)})
	}
	if _, err := s.PushOnce(ctx, msgs, time.Hour); err != nil {
		t.Fatal(err)
	}
	sc := newScript()
	sc.answers[811] = []Kind{Refused}
	sc.reasons[811] = conversation.FailTooLong
	sc.answers[812] = []Kind{Transient, Transient, Transient} // quick gives up after 3 tries
	run(t, s, sc, quick)
	var b store.Broadcast
	waitFor(t, "every message sent or failed", func() bool {
		b, _, _ = s.GetBroadcast(ctx, "bf")
		return b.Counts["sent"]+b.Counts["failed"] == 3
	})
	want := map[string]int64{"sent": 1, "failed": 2, "failed:" + conversation.FailTooLong: 1, "failed:" + conversation.FailUnreachable: 1}
	for k, n := range want {
		if b.Counts[k] != n {
			t.Errorf("count %s = %d, want %d (all: %v)", k, b.Counts[k], n, b.Counts)
		}
	}
}

// A reminder still waiting in the queue when its date has begun (the
// outbox was held up: every replica down, a chat held after kill -9, a long
// pause) is dropped, not sent late; one whose date is still ahead goes, and
// so does the reply after them (the barrier: nothing more is on its way).
func TestReminderOfABegunDateIsNotSent(t *testing.T) {
	s, _ := testStore(t)
	ctx := context.Background()
	now := time.Now()
	begun := store.ReminderJob("cafe", now.Add(-time.Minute), 2*time.Hour) + ".0"
	ahead := store.ReminderJob("cafe", now.Add(time.Hour), 2*time.Hour) + ".0"
	if _, err := s.PushOnce(ctx, []store.Outgoing{
		{ID: begun, Chat: 821, Lane: conversation.LaneBulk, Payload: []byte(`"begun"`)},
		{ID: ahead, Chat: 821, Lane: conversation.LaneBulk, Payload: []byte(`"ahead"`)},
	}, time.Hour); err != nil {
		t.Fatal(err)
	}
	sc := newScript()
	d := run(t, s, sc, quick)
	d.Wake()
	waitFor(t, "the reminder still ahead", func() bool { return contains(sc.delivered(), `821:"ahead"`) })
	commit(t, s, 1, 821, "reply")
	waitFor(t, "the reply", func() bool { return contains(sc.delivered(), `821:"reply"`) })
	if contains(sc.delivered(), `821:"begun"`) {
		t.Errorf("a reminder of a date that had begun was sent: %v", sc.delivered())
	}
}
