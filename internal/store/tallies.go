package store

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
)

// tallies are the counts of committed updates (questions by topic,
// questions passed on and answered) and of reminders pushed, not yet added
// to the day's counters:
// a count is taken once its commit stands, so a commit that lost its claim
// to another replica counts nothing, and the counts of a second go to Redis
// together, a few commands instead of one per update. A crash loses at
// most the last second's counts; it never counts one twice.
type tallies struct {
	mu sync.Mutex
	by map[string]map[string]int64 // day's key → counter → n
}

// add counts n for each of names in the day's hash key.
func (t *tallies) add(key string, n int64, names ...string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, name := range names {
		t.addLocked(key, name, n)
	}
}

func (t *tallies) addLocked(key, name string, n int64) {
	if t.by == nil {
		t.by = map[string]map[string]int64{}
	}
	if t.by[key] == nil {
		t.by[key] = map[string]int64{}
	}
	t.by[key][name] += n
}

func (t *tallies) take() map[string]map[string]int64 {
	t.mu.Lock()
	defer t.mu.Unlock()
	by := t.by
	t.by = nil
	return by
}

// putBack returns counts that could not be written, for the next try.
func (t *tallies) putBack(by map[string]map[string]int64) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for key, day := range by {
		for name, n := range day {
			t.addLocked(key, name, n)
		}
	}
}

// FlushTallies adds the counts of this replica's committed updates to the
// day's counters.
func (s *Store) FlushTallies(ctx context.Context) error {
	by := s.counts.take()
	if len(by) == 0 {
		return nil
	}
	_, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for key, day := range by {
			for name, n := range day {
				p.HIncrBy(ctx, key, name, n)
			}
			p.Expire(ctx, key, StatsTTL)
		}
		return nil
	})
	if err != nil {
		// HINCRBY is not safe to repeat, but a pipeline that failed as a
		// whole (Redis away) wrote nothing; one cut off halfway may count
		// some of it twice, which is rarer than a crash and costs a figure
		s.counts.putBack(by)
		return fmt.Errorf("tallies: %w", err)
	}
	return nil
}

// Tallier writes the counts of committed updates every second (Run), and
// once more when it stops.
type Tallier struct {
	s     *Store
	every time.Duration
	log   *slog.Logger
}

// Tallier returns the component that writes s's counts.
func (s *Store) Tallier(log *slog.Logger) *Tallier {
	return &Tallier{s: s, every: time.Second, log: log}
}

// Run writes the counts until ctx ends, then the last ones.
func (t *Tallier) Run(ctx context.Context) error {
	tick := time.NewTicker(t.every)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			sctx, cancel := t.s.settling(ctx)
			defer cancel()
			if err := t.s.FlushTallies(sctx); err != nil {
				t.log.Warn("the last counts for /stats were not written", "err", err)
			}
			return nil
		case <-tick.C:
			if err := t.s.FlushTallies(ctx); err != nil && ctx.Err() == nil {
				t.log.Warn("counts for /stats not written yet; retrying", "err", err)
			}
		}
	}
}
