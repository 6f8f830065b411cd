package store

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/integrationsagentur-marl/integrabot/internal/conversation"
)

func realRedis(t *testing.T) redis.UniversalClient {
	t.Helper()
	u := os.Getenv("REDIS_TEST_URL")
	if u == "" {
		u = "redis://127.0.0.1:6379/0"
	}
	o, err := redis.ParseURL(u)
	if err != nil {
		t.Fatal(err)
	}
	rdb := redis.NewClient(o)
	if err := rdb.Ping(context.Background()).Err(); err != nil {
		t.Fatalf("these tests need a real Redis at %s (start redis-server, or run .ci/run): %v", u, err)
	}
	t.Cleanup(func() { rdb.Close() })
	return rdb
}

// bothRedis returns the real Redis and the embedded one: the store must
// behave the same on each.
func bothRedis(t *testing.T) map[string]redis.UniversalClient {
	embedded, erdb, err := NewEmbedded()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(embedded.Close)
	return map[string]redis.UniversalClient{"real redis": realRedis(t), "embedded": erdb}
}

func TestStateRoundTrip(t *testing.T) {
	for name, rdb := range bothRedis(t) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			s := New(rdb, fmt.Sprintf("ibtest:%d:", time.Now().UnixNano()))
			const user = 4242
			st, err := s.LoadState(ctx, user)
			if err != nil || st.Lang != "" {
				t.Fatalf("unknown resident: %+v, %v", st, err)
			}
			want := conversation.State{Lang: "uk", Screen: "main", Choices: []string{"m:services", "m:contacts"}}
			if err := s.SaveState(ctx, user, want); err != nil {
				t.Fatal(err)
			}
			got, err := s.LoadState(ctx, user)
			if err != nil || got.Lang != "uk" || len(got.Choices) != 2 {
				t.Fatalf("loaded %+v, %v", got, err)
			}
			ttl, _ := rdb.TTL(ctx, s.stateKey(user)).Result()
			if ttl < 179*24*time.Hour {
				t.Errorf("TTL %v, want about 180 days as the privacy text says", ttl)
			}
			if err := s.DeleteState(ctx, user); err != nil {
				t.Fatal(err)
			}
			if got, _ := s.LoadState(ctx, user); got.Lang != "" {
				t.Errorf("state still there after deletion: %+v", got)
			}
		})
	}
}

// miniredis does not expire keys by itself; the embedded store must.
func TestEmbeddedHonoursTTL(t *testing.T) {
	e, rdb, err := NewEmbedded()
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	ctx := context.Background()
	if err := rdb.Set(ctx, "k", "v", time.Second).Err(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for rdb.Exists(ctx, "k").Val() == 1 {
		if time.Now().After(deadline) {
			t.Fatal("a key with a 1 s TTL still exists after 5 s")
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func TestKeysShareASlotPerResident(t *testing.T) {
	s := New(nil, "")
	if k := s.stateKey(7); k != "ib:{u7}:state" {
		t.Errorf("state key %q", k)
	}
}

// An update is answered once: claiming it again says busy, then done; a
// released claim can be taken again. A fresh claim brings the state along.
func TestClaimUpdate(t *testing.T) {
	for name, rdb := range bothRedis(t) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			s := New(rdb, fmt.Sprintf("ibtest:%d:", time.Now().UnixNano()))
			ref := UpdateRef{ID: 100, UserID: 7}
			if err := s.SaveState(ctx, 7, conversation.State{Lang: "fa"}); err != nil {
				t.Fatal(err)
			}
			c, st, err := s.ClaimUpdate(ctx, ref)
			if err != nil || c != Fresh || st.Lang != "fa" {
				t.Fatalf("first claim = %v, %+v, %v; want fresh with the state", c, st, err)
			}
			// a poller taking over a dead process's update needs the state too
			if c, st, _ := s.ClaimUpdate(ctx, ref); c != Busy || st.Lang != "fa" {
				t.Errorf("second claim = %v, %+v; want busy with the state", c, st)
			}
			if err := s.ReleaseUpdate(ctx, ref); err != nil {
				t.Fatal(err)
			}
			if c, _, _ := s.ClaimUpdate(ctx, ref); c != Fresh {
				t.Errorf("claim after release = %v, want fresh", c)
			}
			if err := s.FinishUpdate(ctx, ref); err != nil {
				t.Fatal(err)
			}
			if c, _, _ := s.ClaimUpdate(ctx, ref); c != Done {
				t.Errorf("claim after finish = %v, want done", c)
			}
			if c, st, _ := s.ClaimUpdate(ctx, UpdateRef{ID: 101, UserID: 8}); c != Fresh || st.Lang != "" {
				t.Errorf("unknown resident: %v, %+v", c, st)
			}
		})
	}
}

// With replicas, claiming a resident's update also locks their chat: their
// next update waits (ChatBusy) until the first is answered or released, and
// a dead replica's lock frees itself.
func TestClaimUpdateLocked(t *testing.T) {
	for name, rdb := range bothRedis(t) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			s := New(rdb, fmt.Sprintf("ibtest:%d:", time.Now().UnixNano()))
			if err := s.SaveState(ctx, 7, conversation.State{Lang: "uk"}); err != nil {
				t.Fatal(err)
			}
			first, second := UpdateRef{ID: 200, UserID: 7}, UpdateRef{ID: 201, UserID: 7}
			c, st, lock, err := s.ClaimUpdateLocked(ctx, first, time.Minute)
			if err != nil || c != Fresh || st.Lang != "uk" {
				t.Fatalf("first claim = %v, %+v, %v; want fresh with the state", c, st, err)
			}
			if c, _, _, _ := s.ClaimUpdateLocked(ctx, second, time.Minute); c != ChatBusy {
				t.Errorf("the resident's next update = %v, want chat busy", c)
			}
			if c, _, _, _ := s.ClaimUpdateLocked(ctx, UpdateRef{ID: 202, UserID: 8}, time.Minute); c != Fresh {
				t.Errorf("another resident's update = %v, want fresh", c)
			}
			if err := s.FinishUpdateLocked(ctx, first, lock); err != nil {
				t.Fatal(err)
			}
			if c, _, _, _ := s.ClaimUpdateLocked(ctx, first, time.Minute); c != Done {
				t.Errorf("the answered update again = %v, want done", c)
			}
			c, _, lock, _ = s.ClaimUpdateLocked(ctx, second, time.Minute)
			if c != Fresh {
				t.Fatalf("the next update after the first was answered = %v, want fresh", c)
			}
			// answering ran out of time: the release must still free the chat
			expired, cancel := context.WithCancel(ctx)
			cancel()
			if err := s.ReleaseUpdateLocked(expired, second, lock); err != nil {
				t.Fatal(err)
			}
			if c, _, _, _ := s.ClaimUpdateLocked(ctx, second, 50*time.Millisecond); c != Fresh {
				t.Errorf("a released update = %v, want fresh again", c)
			}
			// that replica dies holding the lock: it frees itself
			third := UpdateRef{ID: 203, UserID: 7}
			deadline := time.Now().Add(5 * time.Second)
			for {
				c, _, _, err := s.ClaimUpdateLocked(ctx, third, time.Minute)
				if err != nil {
					t.Fatal(err)
				}
				if c == Fresh {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("the dead replica's lock never freed: %v", c)
				}
				time.Sleep(20 * time.Millisecond)
			}
		})
	}
}
