package store

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/integrationsagentur-marl/integrabot/internal/config"
)

func TestFloodKeysShareTheChatsSlot(t *testing.T) {
	s := New(nil, "", config0())
	if got := s.floodKey(-100, 7); got != "ib:{c-100}:flood:7" {
		t.Errorf("group: %q", got)
	}
}

// floodLeft is how long the current flood window of a resident's private
// chat has to run, by Redis's clock (0: none).
func floodLeft(t *testing.T, rdb redis.UniversalClient, s *Store, user int64) time.Duration {
	t.Helper()
	ctx := context.Background()
	rec, err := parseRecord(rdb.Get(ctx, s.stateKey(user)).Val())
	if err != nil {
		t.Fatal(err)
	}
	_, end, ok := strings.Cut(rec.flood, ".")
	if !ok {
		return 0
	}
	ends, err := strconv.ParseInt(end, 10, 64)
	if err != nil {
		t.Fatalf("flood count %q: %v", rec.flood, err)
	}
	now, err := rdb.Time(ctx).Result()
	if err != nil {
		t.Fatal(err)
	}
	return max(0, time.UnixMilli(ends).Sub(now))
}

// claimCounted claims and commits update id of user in chat, counted, and
// returns its count.
func claimCounted(t *testing.T, s *Store, chat, user, id int64, silenced bool) int {
	t.Helper()
	ctx := context.Background()
	c, err := s.Claim(ctx, UpdateRef{ID: id, Chat: chat, User: user, Count: true}, false)
	if err != nil || c.Claim != Fresh {
		t.Fatalf("claim %d = %+v, %v", id, c, err)
	}
	if err := s.Commit(ctx, Commit{Claimed: c, Silenced: silenced}, time.Now()); err != nil {
		t.Fatal(err)
	}
	return c.Recent
}

// Claiming counts a resident's updates in their chat, in the same round
// trip; what is not counted (staff, ignored updates) leaves the count alone;
// in a group every member has a count of their own; the count is one key
// that ends with the window.
func TestClaimCountsTheFlood(t *testing.T) {
	for name, rdb := range bothRedis(t) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			s := newStore(t, rdb)
			for i := int64(1); i <= 3; i++ {
				if n := claimCounted(t, s, 7, 7, i, false); n != int(i) {
					t.Errorf("update %d counted as %d", i, n)
				}
			}
			c, _ := s.Claim(ctx, UpdateRef{ID: 4, Chat: 7, User: 7}, false) // not counted
			if c.Recent != 0 {
				t.Errorf("an uncounted update has count %d", c.Recent)
			}
			_ = s.Commit(ctx, Commit{Claimed: c}, time.Now())
			if n := claimCounted(t, s, 7, 7, 5, false); n != 4 {
				t.Errorf("after an uncounted update the count is %d, want 4", n)
			}
			if n := claimCounted(t, s, -100, 7, 6, false); n != 1 {
				t.Errorf("the resident's first update in a group counted as %d", n)
			}
			if n := claimCounted(t, s, -100, 8, 7, false); n != 1 {
				t.Errorf("another member's first update in the group counted as %d", n)
			}
			if again, _ := s.Claim(ctx, UpdateRef{ID: 5, Chat: 7, User: 7, Count: true}, false); again.Claim != Done || again.Recent != 0 {
				t.Errorf("a done update claimed again = %+v; want done and not counted", again)
			}
			if n := claimCounted(t, s, 7, 7, 8, false); n != 5 {
				t.Errorf("a retried update was counted: %d, want 5", n)
			}
			if left := floodLeft(t, rdb, s, 7); left <= 0 || left > config.DefaultTiming.FloodWindow {
				t.Errorf("the count's window has %v to run, want at most the window %v", left, config.DefaultTiming.FloodWindow)
			}
			if ttl := rdb.PTTL(ctx, s.floodKey(-100, 7)).Val(); ttl <= 0 || ttl > config.DefaultTiming.FloodWindow {
				t.Errorf("the count in the group lives %v, want at most the window %v", ttl, config.DefaultTiming.FloodWindow)
			}
		})
	}
}

// The window begins at the first counted update and ends with it: then the
// count starts again.
func TestFloodWindowEnds(t *testing.T) {
	for name, rdb := range bothRedis(t) {
		t.Run(name, func(t *testing.T) {
			timing := config.DefaultTiming
			timing.FloodWindow = 300 * time.Millisecond
			s := newStore(t, rdb)
			s.timing = timing
			claimCounted(t, s, 9, 9, 1, false)
			claimCounted(t, s, 9, 9, 2, false)
			deadline := time.Now().Add(3 * time.Second) // the embedded store moves its clock once a second
			for floodLeft(t, rdb, s, 9) > 0 && time.Now().Before(deadline) {
				time.Sleep(50 * time.Millisecond)
			}
			if n := claimCounted(t, s, 9, 9, 3, false); n != 1 {
				t.Errorf("after the window the count is %d, want 1", n)
			}
		})
	}
}

// An update silenced by the flood limit leaves nothing behind: a flood of a
// hundred messages costs the resident's one record, not a hundred done
// marks.
func TestSilencedUpdatesLeaveNoKey(t *testing.T) {
	for name, rdb := range bothRedis(t) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			s := newStore(t, rdb)
			claimCounted(t, s, 11, 11, 1, false)
			for id := int64(2); id <= 100; id++ {
				claimCounted(t, s, 11, 11, id, true)
			}
			if v := rdb.Exists(ctx, s.updateKey(11, 50)).Val(); v != 0 {
				t.Error("a silenced update is still marked")
			}
			if done := doneIDs(t, rdb, s, 11); fmt.Sprint(done) != "[1]" {
				t.Errorf("the updates remembered done are %v, want only the answered one", done)
			}
			keys := residentKeys(t, rdb, s, 11)
			if len(keys) != 1 { // the record: done updates, the count and the state in one
				t.Errorf("%d keys for one resident after a flood of 100, want 1: %v", len(keys), keys)
			}
			for _, k := range keys {
				if rdb.TTL(ctx, k).Val() < 0 {
					t.Errorf("%s has no TTL", k)
				}
			}
		})
	}
}

// residentKeys lists the keys in a resident's slot.
func residentKeys(t *testing.T, rdb redis.UniversalClient, s *Store, user int64) []string {
	t.Helper()
	keys, err := rdb.Keys(context.Background(), s.prefix+"*").Result()
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, k := range keys {
		if strings.HasPrefix(k, s.tag(user)+":") {
			out = append(out, k)
		}
	}
	return out
}
