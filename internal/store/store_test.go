package store

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/integrationsagentur-marl/integrabot/internal/config"
	"github.com/integrationsagentur-marl/integrabot/internal/conversation"
)

// newStore returns a store under a prefix of its own, cleaned up afterwards.
func newStore(t *testing.T, rdb redis.UniversalClient) *Store {
	t.Helper()
	prefix := fmt.Sprintf("ibtest:%d:", time.Now().UnixNano())
	t.Cleanup(func() {
		ctx := context.Background()
		if keys, _ := rdb.Keys(ctx, prefix+"*").Result(); len(keys) > 0 {
			for _, k := range keys {
				rdb.Del(ctx, k)
			}
		}
	})
	return New(rdb, prefix, config.DefaultTiming)
}

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
			s := newStore(t, rdb)
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
			if ttl < s.timing.StateTTL()-time.Minute {
				t.Errorf("TTL %v, want about %v, the retention period as the privacy text says and its grace", ttl, s.timing.StateTTL())
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

// Many states saved at once read back as each saved alone would, with the
// same TTL.
func TestSaveStates(t *testing.T) {
	for name, rdb := range bothRedis(t) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			s := newStore(t, rdb)
			if err := s.SaveStates(ctx, nil); err != nil {
				t.Fatal(err)
			}
			want := map[int64]conversation.State{
				7: {Lang: "tr", Subs: []string{"e:cafe", "news"}},
				8: {Lang: "ar"},
				9: {Lang: "de", Subs: []string{"all"}},
			}
			if err := s.SaveStates(ctx, want); err != nil {
				t.Fatal(err)
			}
			for id, w := range want {
				got, err := s.LoadState(ctx, id)
				if err != nil || got.Lang != w.Lang || len(got.Subs) != len(w.Subs) {
					t.Errorf("resident %d: loaded %+v, %v; want %+v", id, got, err, w)
				}
				if ttl, _ := rdb.TTL(ctx, s.stateKey(id)).Result(); ttl < s.timing.StateTTL()-time.Minute {
					t.Errorf("resident %d: TTL %v, want about %v", id, ttl, s.timing.StateTTL())
				}
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

func config0() config.Timing { return config.DefaultTiming }

// The embedded store listens on 127.0.0.1 with a random password: another
// process on the machine cannot read residents' state or mark updates done.
func TestEmbeddedNeedsItsPassword(t *testing.T) {
	e, rdb, err := NewEmbedded()
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	ctx := context.Background()
	if err := rdb.Set(ctx, "k", "v", 0).Err(); err != nil {
		t.Fatalf("the bot's own client: %v", err)
	}
	stranger := redis.NewClient(&redis.Options{Addr: rdb.(*redis.Client).Options().Addr})
	defer stranger.Close()
	if v, err := stranger.Get(ctx, "k").Result(); err == nil {
		t.Errorf("a client without the password read %q", v)
	}
}
