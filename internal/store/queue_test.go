package store

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/integrationsagentur-marl/integrabot/internal/conversation"
)

var fast = Rates{Interval: time.Millisecond, BulkInterval: time.Millisecond, Lease: time.Minute}

// commitTo commits one update of chat with the given messages.
func commitTo(t *testing.T, s *Store, update, chat int64, msgs ...Outgoing) {
	t.Helper()
	ctx := context.Background()
	c, err := s.Claim(ctx, UpdateRef{ID: update, Chat: chat, User: chat}, false)
	if err != nil || c.Claim != Fresh {
		t.Fatalf("claim %d: %+v, %v", update, c, err)
	}
	for i := range msgs {
		if msgs[i].Chat == 0 {
			msgs[i].Chat = chat
		}
		if msgs[i].ID == "" {
			msgs[i].ID = fmt.Sprintf("%d.%d", update, i)
		}
	}
	if err := s.Commit(ctx, Commit{Claimed: c, Messages: msgs}, time.Now()); err != nil {
		t.Fatal(err)
	}
}

func msg(text string, lane conversation.Lane) Outgoing {
	return Outgoing{Lane: lane, Payload: []byte(fmt.Sprintf(`{"text":%q}`, text))}
}

// deliverAll takes chats until none is ready, sending every head at once,
// and returns the payloads in the order they went.
func deliverAll(t *testing.T, s *Store) []string {
	t.Helper()
	ctx := context.Background()
	var out []string
	rel := Release{}
	for i := 0; i < 100; i++ {
		tk, wait, ok, err := s.Take(ctx, fast, rel, true)
		if err != nil {
			t.Fatal(err)
		}
		rel = Release{}
		if !ok {
			if wait > 50*time.Millisecond {
				return out
			}
			time.Sleep(wait)
			continue
		}
		m, found, err := s.Head(ctx, tk.Chat)
		if err != nil {
			t.Fatal(err)
		}
		lane := ""
		if found {
			out = append(out, string(m.Payload))
			if lane, err = s.Ack(ctx, m, Sent, 1); err != nil {
				t.Fatal(err)
			}
		}
		rel = Release{Chat: tk.Chat, Lane: lane}
	}
	t.Fatal("delivery did not end")
	return nil
}

// Replies go before bulk; chats are served oldest first; each chat's
// messages go in the order committed.
func TestDeliveryOrder(t *testing.T) {
	for name, rdb := range bothRedis(t) {
		t.Run(name, func(t *testing.T) {
			s := newStore(t, rdb)
			commitTo(t, s, 1, 71, msg("bulk-71", conversation.LaneBulk))
			commitTo(t, s, 2, 72, msg("reply-72", conversation.LaneReply))
			time.Sleep(2 * time.Millisecond) // a later ready time for the next chat
			commitTo(t, s, 3, 73, msg("reply-73", conversation.LaneReply))
			got := fmt.Sprint(deliverAll(t, s))
			want := fmt.Sprint([]string{`{"text":"reply-72"}`, `{"text":"reply-73"}`, `{"text":"bulk-71"}`})
			if got != want {
				t.Errorf("delivered %s, want %s", got, want)
			}
			commitTo(t, s, 4, 74, msg("first", conversation.LaneReply), msg("second", conversation.LaneReply), msg("third", conversation.LaneReply))
			if got := fmt.Sprint(deliverAll(t, s)); got != `[{"text":"first"} {"text":"second"} {"text":"third"}]` {
				t.Errorf("one chat's messages went as %s", got)
			}
		})
	}
}

// A chat a worker holds is not given to another worker, and a message
// committed while it was held is not lost when the worker releases the chat
// as empty.
func TestHeldChatsAndMessagesMeanwhile(t *testing.T) {
	for name, rdb := range bothRedis(t) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			s := newStore(t, rdb)
			commitTo(t, s, 1, 81, msg("first", conversation.LaneReply))
			tk, _, ok, err := s.Take(ctx, fast, Release{}, true)
			if err != nil || !ok || tk.Chat != 81 {
				t.Fatalf("take = %+v %v %v", tk, ok, err)
			}
			time.Sleep(2 * time.Millisecond)
			if other, _, ok, _ := s.Take(ctx, fast, Release{}, true); ok {
				t.Fatalf("a held chat was given to a second worker: %+v", other)
			}
			m, _, _ := s.Head(ctx, 81)
			lane, _ := s.Ack(ctx, m, Sent, 1)
			commitTo(t, s, 2, 81, msg("second", conversation.LaneReply)) // after the ack, before the release
			if _, _, _, err := s.Take(ctx, fast, Release{Chat: 81, Lane: lane}, false); err != nil {
				t.Fatal(err)
			}
			if got := fmt.Sprint(deliverAll(t, s)); got != `[{"text":"second"}]` {
				t.Errorf("after the release: %s, want the second message", got)
			}
		})
	}
}

// The whole bot's rate holds for every worker of every replica, and a
// 429's pause stops them all.
func TestRateAndPauseAreShared(t *testing.T) {
	ctx := context.Background()
	rdb := realRedis(t)
	a := newStore(t, rdb)
	b := New(rdb, a.prefix, config0()) // a second replica on the same Redis
	for i := int64(1); i <= 3; i++ {
		commitTo(t, a, i, 90+i, msg("m", conversation.LaneReply))
	}
	slow := Rates{Interval: 300 * time.Millisecond, BulkInterval: 300 * time.Millisecond, Lease: time.Minute}
	if _, _, ok, _ := a.Take(ctx, slow, Release{}, true); !ok {
		t.Fatal("the first message did not go")
	}
	_, wait, ok, _ := b.Take(ctx, slow, Release{}, true)
	if ok || wait <= 200*time.Millisecond || wait > 300*time.Millisecond {
		t.Fatalf("the other replica's next message: ok %v, wait %v; want to wait about 300 ms", ok, wait)
	}
	time.Sleep(wait)
	tk, _, ok, _ := b.Take(ctx, slow, Release{}, true)
	if !ok {
		t.Fatal("no message after the wait")
	}
	m, _, _ := b.Head(ctx, tk.Chat)
	b.Ack(ctx, m, Retry, 0)
	paused := time.Now()
	if _, _, _, err := b.Take(ctx, slow, Release{Chat: tk.Chat, Lane: "r", Pause: 2 * time.Second}, false); err != nil {
		t.Fatal(err)
	}
	time.Sleep(slow.Interval)
	// what is left of the pause, however slow this machine was meanwhile
	left := 2*time.Second - time.Since(paused)
	if _, wait, ok, _ := a.Take(ctx, slow, Release{}, true); ok || wait < left-200*time.Millisecond {
		t.Errorf("after a 429 asked for 2 s, the other replica may send: ok %v, wait %v, want about %v", ok, wait, left)
	}
}

// A message that fails is tried again with its count of tries; a chat that
// is gone loses its queue, and its resident is marked so that bulk
// messages to them are dropped.
func TestRetriesAndGoneChats(t *testing.T) {
	ctx := context.Background()
	s := newStore(t, realRedis(t))
	commitTo(t, s, 1, 95, msg("one", conversation.LaneReply), msg("two", conversation.LaneReply))
	m, _, _ := s.Head(ctx, 95)
	if lane, _ := s.Ack(ctx, m, Retry, 0); lane != "r" {
		t.Fatalf("after a retry lane %q, want r", lane)
	}
	again, _, _ := s.Head(ctx, 95)
	if again.ID != m.ID || again.Tries != 1 || string(again.Payload) != `{"text":"one"}` {
		t.Fatalf("after a retry the head is %+v, want the same message with one try", again)
	}
	if lane, _ := s.Ack(ctx, again, Gone, 0); lane != "" {
		t.Fatalf("a gone chat still has lane %q", lane)
	}
	if gone, _ := s.Gone(ctx, 95); !gone {
		t.Error("the resident is not marked as having blocked the bot")
	}
	commitTo(t, s, 2, 95, msg("broadcast", conversation.LaneBulk))
	if _, found, _ := s.Head(ctx, 95); found {
		t.Error("a bulk message to a resident who blocked the bot would be sent")
	}
	// a group that is gone marks nobody
	commitTo(t, s, 3, -96, msg("g", conversation.LaneReply))
	gm, _, _ := s.Head(ctx, -96)
	s.Ack(ctx, gm, Gone, 0)
	if n, _ := s.rdb.Exists(ctx, s.goneKey(-96)).Result(); n != 0 {
		t.Error("a gone group was marked like a resident")
	}
}

// A message an update sends to another chat is pushed once, however often
// the update is committed.
func TestMessagesToOtherChatsArePushedOnce(t *testing.T) {
	ctx := context.Background()
	s := newStore(t, realRedis(t))
	staff := Outgoing{ID: "5.0", Chat: -500, Lane: conversation.LaneReply, Payload: []byte(`{"text":"question"}`)}
	c, _ := s.Claim(ctx, UpdateRef{ID: 5, Chat: 97, User: 97}, false)
	// a commit that got as far as the push, then lost its claim
	s.rdb.Set(ctx, s.updateKey(97, 5), "someone else", time.Minute)
	if err := s.Commit(ctx, Commit{Claimed: c, Messages: []Outgoing{staff}}, time.Now()); err != ErrLost {
		t.Fatalf("commit with a lost claim = %v, want ErrLost", err)
	}
	s.rdb.Del(ctx, s.updateKey(97, 5))
	c, _ = s.Claim(ctx, UpdateRef{ID: 5, Chat: 97, User: 97}, false)
	if err := s.Commit(ctx, Commit{Claimed: c, Messages: []Outgoing{staff}}, time.Now()); err != nil {
		t.Fatal(err)
	}
	if n, _ := s.rdb.LLen(ctx, s.replyQ(-500)).Result(); n != 1 {
		t.Errorf("the staff group's queue holds %d messages, want 1", n)
	}
}

// Repair finds a chat whose messages were committed but which never became
// ready.
func TestRepair(t *testing.T) {
	ctx := context.Background()
	s := newStore(t, realRedis(t))
	commitTo(t, s, 1, 98, msg("stranded", conversation.LaneReply))
	s.rdb.Del(ctx, s.global("ready:r"))
	if n, err := s.Repair(ctx); err != nil || n != 1 {
		t.Fatalf("repair found %d, %v; want 1", n, err)
	}
	if got := fmt.Sprint(deliverAll(t, s)); got != `[{"text":"stranded"}]` {
		t.Errorf("after repair: %s", got)
	}
}

// Forgetting a resident deletes their state and marks in the same commit
// that queues the confirmation.
func TestForget(t *testing.T) {
	ctx := context.Background()
	s := newStore(t, realRedis(t))
	st := conversation.State{Lang: "ar"}
	c, _ := s.Claim(ctx, UpdateRef{ID: 1, Chat: 99, User: 99}, false)
	s.Commit(ctx, Commit{Claimed: c, State: &st}, time.Now())
	s.SetGone(ctx, 99, true)
	c, _ = s.Claim(ctx, UpdateRef{ID: 2, Chat: 99, User: 99}, false)
	if err := s.Commit(ctx, Commit{Claimed: c, Forget: true, Messages: []Outgoing{{ID: "2.0", Chat: 99, Payload: []byte(`{}`)}}}, time.Now()); err != nil {
		t.Fatal(err)
	}
	if st, _ := s.LoadState(ctx, 99); st.Lang != "" {
		t.Errorf("state after forgetting: %+v", st)
	}
	if gone, _ := s.Gone(ctx, 99); gone {
		t.Error("the blocked mark survived forgetting")
	}
	if seen, _ := s.Seen(ctx, time.Time{}); len(seen) != 0 {
		t.Errorf("still in the residents index: %v", seen)
	}
	if _, found, _ := s.Head(ctx, 99); !found {
		t.Error("the confirmation was not queued")
	}
}

// A chat that was sent to keeps its pace even when its queue ran empty: a
// message committed right after waits for the chat's time.
func TestPaceOutlivesAnEmptyQueue(t *testing.T) {
	for name, rdb := range bothRedis(t) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			s := newStore(t, rdb)
			commitTo(t, s, 1, 85, msg("one", conversation.LaneReply))
			tk, _, ok, _ := s.Take(ctx, fast, Release{}, true)
			if !ok {
				t.Fatal("nothing to take")
			}
			m, _, _ := s.Head(ctx, tk.Chat)
			lane, _ := s.Ack(ctx, m, Sent, 1)
			s.Take(ctx, fast, Release{Chat: 85, Lane: lane, After: time.Second}, false) // empty: handed back
			commitTo(t, s, 2, 85, msg("two", conversation.LaneReply))
			for until := time.Now().Add(500 * time.Millisecond); time.Now().Before(until); {
				_, wait, ok, _ := s.Take(ctx, fast, Release{}, true)
				if ok {
					t.Fatal("the next message to the chat went within half a second of the last, want about 1 s after")
				}
				time.Sleep(wait)
			}
		})
	}
}

// No rolling second carries more than PerSecond, however large the burst:
// the sixth message waits (for the sends to end, then for the first to be
// a second old; at most a second before it asks again).
func TestRollingSecond(t *testing.T) {
	ctx := context.Background()
	s := newStore(t, realRedis(t))
	for i := int64(1); i <= 8; i++ {
		commitTo(t, s, i, 600+i, msg("m", conversation.LaneReply))
	}
	r := Rates{PerSecond: 5, Interval: time.Millisecond, BulkInterval: time.Millisecond, Tolerance: 100 * time.Millisecond, Lease: time.Minute}
	got, _, err := s.TakeMany(ctx, r, nil, 8)
	if err != nil || len(got) != 5 {
		t.Fatalf("took %d chats (%v), want the 5 a second allows", len(got), err)
	}
	_, wait, err := s.TakeMany(ctx, r, nil, 8)
	if err != nil || wait < 900*time.Millisecond || wait > time.Second {
		t.Errorf("the sixth waits %v (%v), want about a second", wait, err)
	}
}

// A send still in flight after a second keeps its place in the log: it may
// reach Telegram within the next second, together with new ones. Handed
// back, it counts for a second from then; one that sent nothing (its chat
// had nothing left) gives its place back at once.
func TestSlowSendsStillCount(t *testing.T) {
	ctx := context.Background()
	s := newStore(t, realRedis(t))
	for i := int64(1); i <= 8; i++ {
		commitTo(t, s, i, 620+i, msg("m", conversation.LaneReply))
	}
	r := Rates{PerSecond: 5, Interval: time.Millisecond, BulkInterval: time.Millisecond, Tolerance: 100 * time.Millisecond, Lease: time.Minute}
	got, _, err := s.TakeMany(ctx, r, nil, 8)
	if err != nil || len(got) != 5 {
		t.Fatalf("took %d chats (%v), want the 5 a second allows", len(got), err)
	}
	time.Sleep(1100 * time.Millisecond) // the five sends are slow: still in flight a second later
	if more, _, err := s.TakeMany(ctx, r, nil, 8); err != nil || len(more) != 0 {
		t.Fatalf("took %d more chats while five sends were still in flight (%v)", len(more), err)
	}
	var rels []Release
	for i, g := range got {
		rels = append(rels, Release{Chat: g.Chat, Slot: g.Slot, Unsent: i < 2}) // two had nothing to send
	}
	more, _, err := s.TakeMany(ctx, r, rels, 8)
	if err != nil || len(more) != 2 {
		t.Errorf("took %d chats (%v) after three sends ended and two sent nothing, want 2", len(more), err)
	}
}

// A slot counts for a second from when its send ended, not from when its
// chat was handed back: a replica gathers hand-backs for a few milliseconds
// and Redis may answer late, and at a thousand messages a second every
// millisecond lost that way is a message less a second, so the queue grows
// without end while the rate would allow it.
func TestSlotCountsFromWhenTheSendEnded(t *testing.T) {
	ctx := context.Background()
	s := newStore(t, realRedis(t))
	for i := int64(1); i <= 8; i++ {
		commitTo(t, s, i, 640+i, msg("m", conversation.LaneReply))
	}
	r := Rates{PerSecond: 5, Interval: time.Millisecond, BulkInterval: time.Millisecond, Tolerance: 100 * time.Millisecond, Lease: time.Minute}
	got, _, err := s.TakeMany(ctx, r, nil, 8)
	if err != nil || len(got) != 5 {
		t.Fatalf("took %d chats (%v), want the 5 a second allows", len(got), err)
	}
	ended := time.Now().Add(-600 * time.Millisecond) // handed back late
	var rels []Release
	for _, g := range got {
		rels = append(rels, Release{Chat: g.Chat, Slot: g.Slot, Ended: ended})
	}
	more, wait, err := s.TakeMany(ctx, r, rels, 8)
	if err != nil || len(more) != 0 {
		t.Fatalf("took %d chats (%v) while five sends ended 600 ms ago", len(more), err)
	}
	if wait > 450*time.Millisecond {
		t.Errorf("the sixth waits %v after five sends ended 600 ms ago, want about 400 ms", wait)
	}
}

// With Ahead, a chat may be taken for a place in the rolling second that
// frees soon: its send waits the rest, and no place is promised twice.
func TestPlacesThatFreeSoonAreTakenAhead(t *testing.T) {
	ctx := context.Background()
	s := newStore(t, realRedis(t))
	for i := int64(1); i <= 12; i++ {
		commitTo(t, s, i, 660+i, msg("m", conversation.LaneReply))
	}
	r := Rates{PerSecond: 5, Interval: time.Millisecond, BulkInterval: time.Millisecond, Tolerance: 100 * time.Millisecond, Lease: time.Minute, Ahead: 200 * time.Millisecond}
	got, _, err := s.TakeMany(ctx, r, nil, 5)
	if err != nil || len(got) != 5 {
		t.Fatalf("took %d chats (%v), want 5", len(got), err)
	}
	for _, g := range got {
		if g.Wait != 0 {
			t.Errorf("a free place waits %v", g.Wait)
		}
	}
	// three sends ended 900 ms ago, two just now: three places free in 100 ms
	var rels []Release
	for i, g := range got {
		ended := time.Now()
		if i < 3 {
			ended = ended.Add(-900 * time.Millisecond)
		}
		rels = append(rels, Release{Chat: g.Chat, Slot: g.Slot, Ended: ended})
	}
	ahead, _, err := s.TakeMany(ctx, r, rels, 2)
	if err != nil || len(ahead) != 2 {
		t.Fatalf("took %d chats (%v) for places that free within 100 ms, want 2", len(ahead), err)
	}
	for _, a := range ahead {
		if a.Wait < 50*time.Millisecond || a.Wait > 100*time.Millisecond {
			t.Errorf("taken ahead, it waits %v, want what is left of the 100 ms", a.Wait)
		}
	}
	more, _, err := s.TakeMany(ctx, r, nil, 5)
	if err != nil || len(more) != 1 {
		t.Fatalf("took %d chats (%v): one place freeing soon is left, the other two are promised", len(more), err)
	}
	_, wait, err := s.TakeMany(ctx, r, nil, 5)
	if err != nil || wait < 600*time.Millisecond {
		t.Errorf("with every place promised, the next waits %v (%v), want until the sends that ended now are nearly a second old", wait, err)
	}
	// without Ahead, nothing is taken before its place is free
	r.Ahead = 0
	if none, _, err := s.TakeMany(ctx, r, nil, 5); err != nil || len(none) != 0 {
		t.Errorf("took %d chats (%v) without Ahead", len(none), err)
	}
}

// However chats are taken ahead, no send starts less than a second after
// the end of the send whose place it took: the per-th send before it in the
// order they started.
func TestSendsTakenAheadKeepTheRollingSecond(t *testing.T) {
	ctx := context.Background()
	s := newStore(t, realRedis(t))
	const per = 10
	for i := int64(1); i <= 40; i++ {
		commitTo(t, s, i, 700+i, msg("m", conversation.LaneReply))
	}
	r := Rates{PerSecond: per, Interval: time.Millisecond, BulkInterval: time.Millisecond, Tolerance: time.Second, Lease: time.Minute, Ahead: 300 * time.Millisecond}
	type send struct{ start, end time.Time }
	var sends []send
	var rels []Release
	deadline := time.Now().Add(10 * time.Second)
	for len(sends) < 40 && time.Now().Before(deadline) {
		got, wait, err := s.TakeMany(ctx, r, rels, 3)
		if err != nil {
			t.Fatal(err)
		}
		rels = nil
		answered := time.Now()
		if len(got) == 0 {
			time.Sleep(min(wait, 20*time.Millisecond))
			continue
		}
		for _, g := range got {
			start := answered.Add(g.Wait)
			time.Sleep(time.Until(start))
			start = time.Now()
			time.Sleep(5 * time.Millisecond) // the request travels
			sends = append(sends, send{start, time.Now()})
			rels = append(rels, Release{Chat: g.Chat, Slot: g.Slot, Ended: time.Now()})
		}
	}
	if len(sends) < 40 {
		t.Fatalf("%d of 40 sends in 10 s", len(sends))
	}
	for j := per; j < len(sends); j++ {
		if gap := sends[j].start.Sub(sends[j-per].end); gap < time.Second {
			t.Errorf("send %d started %v after send %d ended, less than a second", j, gap, j-per)
		}
	}
}

// A message committed with a record name keeps the id Telegram gave it,
// for a later step (a staff member's answer to a passed-on question).
func TestSentIDsAreKept(t *testing.T) {
	ctx := context.Background()
	s := newStore(t, realRedis(t))
	m := msg("question", conversation.LaneReply)
	m.Record = "q1"
	commitTo(t, s, 1, -700, m)
	head, _, _ := s.Head(ctx, -700)
	if id, _ := s.SentID(ctx, -700, "q1"); id != 0 {
		t.Fatalf("an id before the message went: %d", id)
	}
	if _, err := s.Ack(ctx, head, Sent, 4711); err != nil {
		t.Fatal(err)
	}
	if id, err := s.SentID(ctx, -700, "q1"); err != nil || id != 4711 {
		t.Errorf("sent id = %d, %v; want 4711", id, err)
	}
}

// A Redis that forgot the scripts (restarted, or flushed) still hands out
// chats: the take goes in a pipeline with other calls, and a pipeline
// loads what Redis does not know.
func TestTakeAfterRedisForgotItsScripts(t *testing.T) {
	embedded, rdb, err := NewEmbedded() // a flush on the shared Redis would reach other tests
	if err != nil {
		t.Fatal(err)
	}
	defer embedded.Close()
	ctx := context.Background()
	s := newStore(t, rdb)
	commitTo(t, s, 1, 690, msg("m", conversation.LaneReply))
	rdb.ScriptFlush(ctx)
	got, _, err := s.TakeMany(ctx, fast, nil, 5)
	if err != nil || len(got) != 1 {
		t.Fatalf("took %d chats (%v) after Redis forgot the scripts, want 1", len(got), err)
	}
	rdb.ScriptFlush(ctx)
	heads, found, errs := s.Heads(ctx, []int64{690})
	if errs[0] != nil || !found[0] || string(heads[0].Payload) != `{"text":"m"}` {
		t.Fatalf("head after Redis forgot the scripts: %+v %v %v", heads[0], found[0], errs[0])
	}
}
