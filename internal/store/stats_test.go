package store

import (
	"context"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/integrationsagentur-marl/integrabot/internal/conversation"
)

// Seeded residents, counters, threads and broadcasts give exactly the
// figures staff expect; nothing older than its window counts, and the day's
// counters hold no resident id and expire.
func TestFigures(t *testing.T) {
	for name, rdb := range bothRedis(t) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			s := newStore(t, rdb)
			if err := s.LoadScripts(ctx); err != nil { // as at start
				t.Fatal(err)
			}
			now := time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)
			day := 24 * time.Hour
			residents := []struct {
				id   int64
				st   *conversation.State // nil: seen, but nothing stored any more
				seen time.Duration       // ago
				gone bool
			}{
				{101, &conversation.State{Lang: "de"}, time.Hour, false},
				{102, &conversation.State{Lang: "de", Subs: []string{"news"}}, 3 * day, false},
				{103, &conversation.State{Lang: "de"}, 10 * day, false},
				{104, &conversation.State{Lang: "tr", Subs: []string{"e:cafe"}}, 20 * day, false},
				{105, &conversation.State{Lang: "tr", Subs: []string{"all"}}, 40 * day, false},
				{106, &conversation.State{}, 6 * day, false},                                  // no language chosen
				{107, &conversation.State{Lang: "uk", Subs: []string{"news"}}, 2 * day, true}, // blocked the bot: follows nothing any more
				{108, nil, 5 * day, false},                               // forgotten
				{109, &conversation.State{Lang: "ar"}, 400 * day, false}, // older than the index keeps (RETENTION)
			}
			for _, r := range residents {
				if r.st != nil {
					if err := s.SaveState(ctx, r.id, *r.st); err != nil {
						t.Fatal(err)
					}
				}
				rdb.ZAdd(ctx, s.seenKey(r.id), redis.Z{Score: float64(now.Add(-r.seen).Unix()), Member: r.id})
				if r.gone {
					_ = s.SetGone(ctx, r.id, true)
				}
			}
			// counters: today by the commit path, earlier days directly; one too old to count
			c, err := s.Claim(ctx, UpdateRef{ID: 1, Chat: 101, User: 101}, false)
			if err != nil {
				t.Fatal(err)
			}
			if err := s.Commit(ctx, Commit{Claimed: c, Tally: []string{"q:contacts", "q:-", conversation.TallyAsked}}, now); err != nil {
				t.Fatal(err)
			}
			for _, tl := range []struct {
				ago  time.Duration
				name string
				n    int
			}{
				{day, "q:contacts", 2}, {5 * day, "q:service:ehrenamt", 1}, {29 * day, conversation.TallyAnswered, 1},
				{10 * day, conversation.TallyReminders, 40}, {31 * day, "q:contacts", 100},
			} {
				s.Tally(now.Add(-tl.ago), tl.name, tl.n)
			}
			// two questions in the staff group still answerable, and the list of a resident's
			rdb.Set(ctx, s.threadKey(-5001, 11), "104:tr", time.Hour)
			rdb.Set(ctx, s.threadKey(-5001, 12), "101:de", time.Hour)
			rdb.SAdd(ctx, s.threadsKey(-5001, 104), 11)
			for _, b := range []struct {
				id   string
				ago  time.Duration
				sent int64
			}{{"a", 2 * day, 5}, {"b", 10 * day, 7}, {"c", 3 * day, 0}, {"d", 40 * day, 9}} {
				at := now.Add(-b.ago)
				if _, err := s.CreateBroadcast(ctx, Broadcast{ID: b.id, Staff: 5, Created: at, Due: at, Topic: "news", Text: "x"}); err != nil {
					t.Fatal(err)
				}
				_ = s.CountBroadcast(ctx, b.id, "sent", b.sent)
			}

			f, err := s.Figures(ctx, now, -5001)
			if err != nil {
				t.Fatal(err)
			}
			want := conversation.Figures{
				Residents:   map[string]int64{"de": 3, "tr": 2, "": 1, "uk": 1},
				Subscribers: map[string]int64{"de": 1, "tr": 2},
				Active7:     5, // 101, 102, 106, 107, 108
				Active30:    7,
				Counts: map[string]int64{"q:contacts": 3, "q:-": 1, "q:service:ehrenamt": 1, conversation.TallyAsked: 1,
					conversation.TallyAnswered: 1, conversation.TallyReminders: 40},
				Open:       2,
				Broadcasts: 2, BroadcastMessages: 12,
			}
			if !reflect.DeepEqual(f, want) {
				t.Errorf("figures\n got %+v\nwant %+v", f, want)
			}
			for _, d := range []time.Time{now, now.Add(-day)} {
				key := s.statsKey(d)
				if ttl := rdb.TTL(ctx, key).Val(); ttl <= 30*day || ttl > StatsTTL {
					t.Errorf("%s: TTL %v, want at most %v", key, ttl, StatsTTL)
				}
				for k := range rdb.HGetAll(ctx, key).Val() {
					if strings.Contains(k, "101") {
						t.Errorf("a resident id in the counters: %s", k)
					}
				}
			}
		})
	}
}

// A question is counted once, even when the replica that decided it lost
// its claim (another took the update over and committed it too): only a
// commit that stands counts.
func TestQuestionCountedOnceWhenTheClaimWasLost(t *testing.T) {
	ctx := context.Background()
	rdb := realRedis(t)
	s := newStore(t, rdb)
	now := time.Now()
	tally := []string{"q:contacts"}
	c, _ := s.Claim(ctx, UpdateRef{ID: 9, Chat: 98, User: 98}, false)
	s.rdb.Set(ctx, s.updateKey(98, 9), "someone else", time.Minute) // taken over meanwhile
	if err := s.Commit(ctx, Commit{Claimed: c, Tally: tally}, now); err != ErrLost {
		t.Fatalf("commit with a lost claim = %v, want ErrLost", err)
	}
	s.rdb.Del(ctx, s.updateKey(98, 9)) // the other replica's claim, then its commit
	c, _ = s.Claim(ctx, UpdateRef{ID: 9, Chat: 98, User: 98}, false)
	if err := s.Commit(ctx, Commit{Claimed: c, Tally: tally}, now); err != nil {
		t.Fatal(err)
	}
	f, err := s.Figures(ctx, now, 0)
	if err != nil {
		t.Fatal(err)
	}
	if n := f.Counts["q:contacts"]; n != 1 {
		t.Errorf("the question was counted %d times, want once", n)
	}
}
