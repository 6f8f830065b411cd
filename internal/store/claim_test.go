package store

import (
	"context"
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

// A committed update is remembered in its chat's one set of done updates,
// not in a key of its own: a second claim (Telegram's retry, a re-fetch,
// another replica) is answered done, the claim's key is gone, the set lives
// UpdateTTL and drops members older than that. A done mark an earlier
// release wrote as the update's own key is honoured until it expires, so
// that an upgrade answers no update twice.
func TestDoneUpdatesAreRememberedInTheChatsSet(t *testing.T) {
	for name, rdb := range bothRedis(t) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			s := newStore(t, rdb)
			for _, chat := range []int64{7, -100} {
				stale := time.Now().Add(-UpdateTTL - time.Hour).UnixMilli()
				rdb.ZAdd(ctx, s.doneKey(chat), redis.Z{Score: float64(stale), Member: 1}) // done a day and more ago
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
				if _, err := rdb.ZScore(ctx, s.doneKey(chat), "100").Result(); err != nil {
					t.Errorf("chat %d: the committed update is not in the done set: %v", chat, err)
				}
				if _, err := rdb.ZScore(ctx, s.doneKey(chat), "1").Result(); err != redis.Nil {
					t.Errorf("chat %d: an update done more than %v ago is still remembered (%v)", chat, UpdateTTL, err)
				}
				if ttl := rdb.PTTL(ctx, s.doneKey(chat)).Val(); ttl <= UpdateTTL-time.Minute || ttl > UpdateTTL {
					t.Errorf("chat %d: the done set lives %v, want %v", chat, ttl, UpdateTTL)
				}
				old := UpdateRef{ID: 99, Chat: chat, User: 7}
				rdb.Set(ctx, s.updateKey(chat, 99), "done", UpdateTTL) // as the release before wrote it
				if c, err := s.Claim(ctx, old, false); err != nil || c.Claim != Done {
					t.Errorf("chat %d: an update an earlier release marked done = %v, %v; want done", chat, c.Claim, err)
				}
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
