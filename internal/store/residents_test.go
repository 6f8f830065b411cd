package store

import (
	"context"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// The sweep's pages walk every resident of the index once, each with the
// second of their last update; those who wrote since are not among them.
func TestSilentPagesWalkEveryResidentOnce(t *testing.T) {
	for name, rdb := range bothRedis(t) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			s := newStore(t, rdb)
			now := time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)
			var want []int64
			for i := range int64(3000) {
				id := 5_000_000_000 + i*7919
				last := now.Add(-time.Duration(i) * time.Hour)
				rdb.ZAdd(ctx, s.seenKey(id), redis.Z{Score: float64(last.Unix()), Member: id})
				if i >= 24 {
					want = append(want, id)
				}
			}
			before := now.Add(-24 * time.Hour)
			var got []int64
			cursor, pages := "", 0
			for {
				page, next, err := s.SilentPage(ctx, before, cursor, 500)
				if err != nil {
					t.Fatal(err)
				}
				for _, r := range page {
					if r.Last.After(before) {
						t.Errorf("resident %d last wrote %v, after %v", r.ID, r.Last, before)
					}
					if want := now.Add(-time.Duration((r.ID-5_000_000_000)/7919) * time.Hour); !r.Last.Equal(want) {
						t.Errorf("resident %d: last update %v, want %v", r.ID, r.Last, want)
					}
					got = append(got, r.ID)
				}
				pages++
				if cursor = next; cursor == "" {
					break
				}
			}
			slices.Sort(got)
			if !slices.Equal(got, want) {
				t.Errorf("the pages hold %d residents, want the %d silent ones, each once", len(got), len(want))
			}
			if pages < 2 {
				t.Errorf("%d page(s): the walk should be cut into pages", pages)
			}
		})
	}
}

// The index as one set (written before the buckets) moves into the buckets
// at the heartbeats, keeping a resident's later update; a resident who
// wrote since stays silent no longer, and /forget removes a resident not
// yet moved too.
func TestTheOldIndexMovesIntoItsBuckets(t *testing.T) {
	for name, rdb := range bothRedis(t) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			s := newStore(t, rdb)
			if err := s.LoadScripts(ctx); err != nil {
				t.Fatal(err)
			}
			now := time.Now()
			long := now.Add(-200 * 24 * time.Hour)
			var ids []int64
			for i := range int64(2500) {
				id := 5_000_000_000 + i*7919
				ids = append(ids, id)
				rdb.ZAdd(ctx, s.oldSeen(), redis.Z{Score: float64(long.Unix()), Member: id})
			}
			wrote, forgotten := ids[10], ids[20]
			rdb.ZAdd(ctx, s.seenKey(wrote), redis.Z{Score: float64(now.Unix()), Member: wrote})
			if err := s.Forget(ctx, forgotten); err != nil {
				t.Fatal(err)
			}
			for range 3 {
				if _, err := s.Heartbeat(ctx, "r1", time.Minute); err != nil {
					t.Fatal(err)
				}
			}
			if n := rdb.Exists(ctx, s.oldSeen()).Val(); n != 0 {
				t.Fatalf("the old index is still there after three beats")
			}
			silent := map[int64]bool{}
			cursor := ""
			for {
				page, next, err := s.SilentPage(ctx, now.Add(-time.Hour), cursor, 500)
				if err != nil {
					t.Fatal(err)
				}
				for _, r := range page {
					silent[r.ID] = true
				}
				if cursor = next; cursor == "" {
					break
				}
			}
			for _, id := range ids {
				if want := id != wrote && id != forgotten; silent[id] != want {
					t.Errorf("resident %d silent = %v, want %v", id, silent[id], want)
				}
			}
			if got := rdb.ZScore(ctx, s.seenKey(wrote), strconv.FormatInt(wrote, 10)).Val(); int64(got) != now.Unix() {
				t.Errorf("the resident who wrote since is at %v, want %v", got, now.Unix())
			}
		})
	}
}
