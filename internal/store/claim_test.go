package store

import (
	"context"
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/integrationsagentur-marl/integrabot/internal/conversation"
)

func TestKeysShareAChatsSlot(t *testing.T) {
	s := New(nil, "", config0())
	for _, tt := range []struct{ got, want string }{
		{s.stateKey(7), "ib:{u7}:state"},
		{s.convKey(7, 7), "ib:{u7}:state"},
		{s.convKey(-100, 7), "ib:{c-100}:st:7"},
		{s.updateKey(7, 55), "ib:{u7}:upd:55"},
		{s.updateKey(-100, 56), "ib:{c-100}:upd:56"},
		{s.doneKey(7), "ib:{u7}:done"},
		{s.doneKey(-100), "ib:{c-100}:done"},
		{s.replyQ(-100), "ib:{c-100}:q:r"},
		{s.global("ready:r"), "ib:{g}:ready:r"},
	} {
		if tt.got != tt.want {
			t.Errorf("key %q, want %q", tt.got, tt.want)
		}
	}
}

// An update is claimed once: a live claim is never taken over (a rolling
// deploy's new process waits for it), a committed one is done, a released
// one can be claimed again; a fresh claim brings the sender's state along.
func TestClaim(t *testing.T) {
	for name, rdb := range bothRedis(t) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			s := newStore(t, rdb)
			if err := s.SaveState(ctx, 7, conversation.State{Lang: "fa"}); err != nil {
				t.Fatal(err)
			}
			ref := UpdateRef{ID: 100, Chat: 7, User: 7}
			c, err := s.Claim(ctx, ref, false)
			if err != nil || c.Claim != Fresh || c.State.Lang != "fa" {
				t.Fatalf("first claim = %+v, %v; want fresh with the state", c, err)
			}
			if again, _ := s.Claim(ctx, ref, false); again.Claim != Busy {
				t.Errorf("a live claim again = %v, want busy (never taken over)", again.Claim)
			}
			if err := s.Release(ctx, c); err != nil {
				t.Fatal(err)
			}
			c, _ = s.Claim(ctx, ref, false)
			if c.Claim != Fresh {
				t.Fatalf("claim after release = %v, want fresh", c.Claim)
			}
			if err := s.Commit(ctx, Commit{Claimed: c}, time.Now()); err != nil {
				t.Fatal(err)
			}
			if again, _ := s.Claim(ctx, ref, false); again.Claim != Done {
				t.Errorf("claim after commit = %v, want done", again.Claim)
			}
		})
	}
}

// doneIDs lists the updates a chat remembers done: a private chat's record
// lists them, a group's done set.
func doneIDs(t *testing.T, rdb redis.UniversalClient, s *Store, chat int64) []int64 {
	t.Helper()
	ctx := context.Background()
	var ids []int64
	if chat > 0 {
		rec, err := parseRecord(rdb.Get(ctx, s.stateKey(chat)).Val())
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range rec.done {
			ids = append(ids, d.id)
		}
		return ids
	}
	members, err := rdb.ZRange(ctx, s.doneKey(chat), 0, -1).Result()
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range members {
		id, _ := strconv.ParseInt(m, 10, 64)
		ids = append(ids, id)
	}
	return ids
}

// A committed update is remembered with its chat, not in a key of its own:
// a private chat's record lists it, a group's set of done updates. A second
// claim (Telegram's retry, a re-fetch, another replica) is answered done,
// the claim's key is gone, and what is remembered lives UpdateTTL and drops
// the updates older than that. Done marks an earlier release wrote (the
// update's own key, a private chat's done set) are honoured until they
// expire, so that an upgrade answers no update twice.
func TestDoneUpdatesAreRememberedWithTheChat(t *testing.T) {
	for name, rdb := range bothRedis(t) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			s := newStore(t, rdb)
			for _, chat := range []int64{7, -100} {
				stale := time.Now().Add(-UpdateTTL - time.Hour)
				if chat > 0 { // done a day and more ago
					rdb.Set(ctx, s.stateKey(chat), record{done: []doneUpdate{{id: 1, minute: stale.Unix() / 60}}}.String(), time.Hour)
				} else {
					rdb.ZAdd(ctx, s.doneKey(chat), redis.Z{Score: float64(stale.UnixMilli()), Member: 1})
				}
				ref := UpdateRef{ID: 100, Chat: chat, User: 7}
				c, err := s.Claim(ctx, ref, false)
				if err != nil || c.Claim != Fresh {
					t.Fatalf("chat %d: first claim = %+v, %v; want fresh", chat, c, err)
				}
				if err := s.Commit(ctx, Commit{Claimed: c}, time.Now()); err != nil {
					t.Fatal(err)
				}
				if again, err := s.Claim(ctx, ref, false); err != nil || again.Claim != Done {
					t.Errorf("chat %d: the committed update claimed again = %v, %v; want done", chat, again.Claim, err)
				}
				if n := rdb.Exists(ctx, s.updateKey(chat, 100)).Val(); n != 0 {
					t.Errorf("chat %d: the update's claim key outlived its commit", chat)
				}
				if done := doneIDs(t, rdb, s, chat); fmt.Sprint(done) != "[100]" {
					t.Errorf("chat %d: updates remembered done %v, want [100]: the new one, not the one done more than %v ago", chat, done, UpdateTTL)
				}
				key := s.doneKey(chat)
				if chat > 0 {
					key = s.stateKey(chat) // no state: the record lives as long as its done updates need
				}
				if ttl := rdb.PTTL(ctx, key).Val(); ttl <= UpdateTTL-time.Minute || ttl > UpdateTTL {
					t.Errorf("chat %d: the done updates live %v, want %v", chat, ttl, UpdateTTL)
				}
				old := UpdateRef{ID: 99, Chat: chat, User: 7}
				rdb.Set(ctx, s.updateKey(chat, 99), "done", UpdateTTL) // as the release before the done set wrote it
				if c, err := s.Claim(ctx, old, false); err != nil || c.Claim != Done {
					t.Errorf("chat %d: an update an earlier release marked done = %v, %v; want done", chat, c.Claim, err)
				}
			}
			rdb.ZAdd(ctx, s.doneKey(7), redis.Z{Score: float64(time.Now().UnixMilli()), Member: 98}) // as the release before the record wrote it
			if c, err := s.Claim(ctx, UpdateRef{ID: 98, Chat: 7, User: 7}, false); err != nil || c.Claim != Done {
				t.Errorf("an update in the done set of the release before = %v, %v; want done", c.Claim, err)
			}
		})
	}
}

// A state the release before stored (its JSON alone) is read, and becomes a
// record at the resident's next update with its TTL: the chosen language
// is kept across the upgrade.
func TestTheStateOfTheReleaseBeforeIsRead(t *testing.T) {
	for name, rdb := range bothRedis(t) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			s := newStore(t, rdb)
			rdb.Set(ctx, s.stateKey(7), `{"l":"fa"}`, time.Hour)
			if st, err := s.LoadState(ctx, 7); err != nil || st.Lang != "fa" {
				t.Fatalf("state = %+v, %v; want fa", st, err)
			}
			c, err := s.Claim(ctx, UpdateRef{ID: 5, Chat: 7, User: 7, Count: true}, false)
			if err != nil || c.Claim != Fresh || c.State.Lang != "fa" || c.Recent != 1 {
				t.Fatalf("claim = %+v, %v; want fresh with fa, counted once", c, err)
			}
			if ttl := rdb.TTL(ctx, s.stateKey(7)).Val(); ttl < 59*time.Minute {
				t.Errorf("counting the update cut the state's time to %v", ttl)
			}
			if err := s.Commit(ctx, Commit{Claimed: c}, time.Now()); err != nil {
				t.Fatal(err)
			}
			if st, err := s.LoadState(ctx, 7); err != nil || st.Lang != "fa" {
				t.Errorf("after the update the state = %+v, %v; want fa", st, err)
			}
			if done := doneIDs(t, rdb, s, 7); fmt.Sprint(done) != "[5]" {
				t.Errorf("updates remembered done %v, want [5]", done)
			}
			if ttl := rdb.TTL(ctx, s.stateKey(7)).Val(); ttl < s.timing.StateTTL()-time.Minute {
				t.Errorf("after an update the state lives %v, want %v", ttl, s.timing.StateTTL())
			}
		})
	}
}

// With replicas a chat's updates take its lock: the next waits (ChatBusy)
// until the first is committed; the commit frees the lock.
func TestClaimWithLock(t *testing.T) {
	for name, rdb := range bothRedis(t) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			s := newStore(t, rdb)
			first, err := s.Claim(ctx, UpdateRef{ID: 200, Chat: 7, User: 7}, true)
			if err != nil || first.Claim != Fresh {
				t.Fatalf("first = %+v, %v", first, err)
			}
			if c, _ := s.Claim(ctx, UpdateRef{ID: 201, Chat: 7, User: 7}, true); c.Claim != ChatBusy {
				t.Errorf("the chat's next update = %v, want chat busy", c.Claim)
			}
			if c, _ := s.Claim(ctx, UpdateRef{ID: 202, Chat: 8, User: 8}, true); c.Claim != Fresh {
				t.Errorf("another chat's update = %v, want fresh", c.Claim)
			}
			if err := s.Commit(ctx, Commit{Claimed: first}, time.Now()); err != nil {
				t.Fatal(err)
			}
			if c, _ := s.Claim(ctx, UpdateRef{ID: 201, Chat: 7, User: 7}, true); c.Claim != Fresh {
				t.Errorf("after the commit the next update = %v, want fresh", c.Claim)
			}
		})
	}
}

// A resident's menu in a group has its own state: it never overwrites their
// private chat's choices.
func TestGroupStateIsApart(t *testing.T) {
	ctx := context.Background()
	s := newStore(t, realRedis(t))
	private := conversation.State{Lang: "tr", Screen: "contacts", Choices: []string{"cards"}}
	c, _ := s.Claim(ctx, UpdateRef{ID: 1, Chat: 7, User: 7}, false)
	if err := s.Commit(ctx, Commit{Claimed: c, State: &private}, time.Now()); err != nil {
		t.Fatal(err)
	}
	g, _ := s.Claim(ctx, UpdateRef{ID: 2, Chat: -100, User: 7}, false)
	if g.State.Screen != "" {
		t.Errorf("a group update got the private chat's state %+v", g.State)
	}
	group := conversation.State{Screen: "main", Choices: []string{"m:services"}}
	if err := s.Commit(ctx, Commit{Claimed: g, State: &group}, time.Now()); err != nil {
		t.Fatal(err)
	}
	c, _ = s.Claim(ctx, UpdateRef{ID: 3, Chat: 7, User: 7}, false)
	if c.State.Screen != "contacts" || c.State.Lang != "tr" {
		t.Errorf("the private state after a group menu = %+v, want %+v", c.State, private)
	}
}

// A resident who keeps asking the same thing keeps their chosen language:
// every update renews the state's time (RETENTION and its grace), not only a changed state.
func TestEveryUpdateRenewsTheStatesTime(t *testing.T) {
	ctx := context.Background()
	s := newStore(t, realRedis(t))
	st := conversation.State{Lang: "tr"}
	c, _ := s.Claim(ctx, UpdateRef{ID: 1, Chat: 31, User: 31}, false)
	s.Commit(ctx, Commit{Claimed: c, State: &st}, time.Now())
	s.rdb.Expire(ctx, s.stateKey(31), time.Hour) // as if months had passed
	c, _ = s.Claim(ctx, UpdateRef{ID: 2, Chat: 31, User: 31}, false)
	if err := s.Commit(ctx, Commit{Claimed: c}, time.Now()); err != nil { // the same answer again: no change
		t.Fatal(err)
	}
	if ttl := s.rdb.TTL(ctx, s.stateKey(31)).Val(); ttl < s.timing.StateTTL()-time.Minute {
		t.Errorf("after an update the state lives %v more, want %v", ttl, s.timing.StateTTL())
	}
}
