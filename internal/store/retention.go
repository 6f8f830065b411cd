package store

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"
)

// The retention sweep walks the residents index ({g}:seen, by the second of
// each resident's last update) from the oldest: those silent for the
// retention period are deleted as /forget deletes them (Forget), followers
// silent a little less are warned once. The sweep is a job in the due set,
// so that one replica at a time does it; what it does for one resident is
// safe to repeat (a warning is pushed once by its id, a deletion finds
// nothing the second time).

// Silent is a resident as the sweep finds them: their id and the second of
// their last update.
type Silent struct {
	ID   int64
	Last time.Time
}

// SilentPage returns about n residents whose last update was at or before
// before, oldest first, after cursor ("" from the oldest), and the cursor
// of the next page ("" once this was the last). Residents of the same
// second stay on one page, so that none is skipped between two pages.
func (s *Store) SilentPage(ctx context.Context, before time.Time, cursor string, n int64) ([]Silent, string, error) {
	key, max := s.global("seen"), strconv.FormatInt(before.Unix(), 10)
	min := "-inf"
	if cursor != "" {
		min = "(" + cursor
	}
	page, err := s.rdb.ZRangeByScoreWithScores(ctx, key, &redis.ZRangeBy{Min: min, Max: max, Count: n}).Result()
	if err != nil {
		return nil, "", fmt.Errorf("silent residents: %w", err)
	}
	next := ""
	if int64(len(page)) >= n && n > 0 {
		last := strconv.FormatInt(int64(page[len(page)-1].Score), 10)
		same, err := s.rdb.ZRangeByScoreWithScores(ctx, key, &redis.ZRangeBy{Min: last, Max: last}).Result()
		if err != nil {
			return nil, "", fmt.Errorf("silent residents: %w", err)
		}
		page = append(page, same...)
		next = last
	}
	out := make([]Silent, 0, len(page))
	seen := map[int64]bool{}
	for _, z := range page {
		m, _ := z.Member.(string)
		id, err := strconv.ParseInt(m, 10, 64)
		if err != nil || seen[id] {
			continue
		}
		seen[id] = true
		out = append(out, Silent{ID: id, Last: time.Unix(int64(z.Score), 0)})
	}
	return out, next, nil
}

// ForgetSilent deletes everything stored about a resident, as /forget does
// (Forget), if their last update was still at or before before; false when
// they wrote since (or are gone already).
func (s *Store) ForgetSilent(ctx context.Context, userID int64, before time.Time) (bool, error) {
	score, err := s.rdb.ZScore(ctx, s.global("seen"), strconv.FormatInt(userID, 10)).Result()
	if err == redis.Nil {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("forget silent %d: %w", userID, err)
	}
	if int64(score) > before.Unix() {
		return false, nil
	}
	if err := s.Forget(ctx, userID); err != nil {
		return false, err
	}
	return true, nil
}

// EnsureJob plans a job that repeats (the retention sweep) at due, unless
// it is planned already: a fresh or flushed Redis gets it again.
func (s *Store) EnsureJob(ctx context.Context, id string, due time.Time) error {
	if err := s.rdb.ZAddNX(ctx, s.dueKey(), redis.Z{Score: float64(due.UnixMilli()), Member: id}).Err(); err != nil {
		return fmt.Errorf("ensure %s: %w", id, err)
	}
	return nil
}
