package store

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"
)

// SetGone records that a resident blocked the bot (403, or a my_chat_member
// update), so that bulk messages to them are dropped; false records that
// they are back. The mark is kept as long as their state at most.
func (s *Store) SetGone(ctx context.Context, userID int64, gone bool) error {
	var err error
	if gone {
		err = s.rdb.Set(ctx, s.goneKey(userID), "1", s.timing.StateTTL()).Err()
	} else {
		err = s.rdb.Del(ctx, s.goneKey(userID)).Err()
	}
	if err != nil {
		return fmt.Errorf("set gone: %w", err)
	}
	return nil
}

// Gone tells whether a resident has blocked the bot.
func (s *Store) Gone(ctx context.Context, userID int64) (bool, error) {
	n, err := s.rdb.Exists(ctx, s.goneKey(userID)).Result()
	if err != nil {
		return false, fmt.Errorf("gone: %w", err)
	}
	return n == 1, nil
}

// Seen returns the residents who wrote since from, oldest first: the
// residents index that retention and broadcasts walk.
func (s *Store) Seen(ctx context.Context, from time.Time) ([]int64, error) {
	ids, err := s.rdb.ZRangeByScore(ctx, s.global("seen"), &redis.ZRangeBy{Min: strconv.FormatInt(from.Unix(), 10), Max: "+inf"}).Result()
	if err != nil {
		return nil, fmt.Errorf("seen: %w", err)
	}
	out := make([]int64, 0, len(ids))
	for _, id := range ids {
		if n, err := strconv.ParseInt(id, 10, 64); err == nil {
			out = append(out, n)
		}
	}
	return out, nil
}

// Heartbeat records that replica is alive, forgets residents not seen for
// the state's TTL (their state is gone too; the retention sweep deletes
// them before, unless no replica swept for that long), and returns how many replicas beat in
// the last window: with Redis away, each sends only its share of the rate.
func (s *Store) Heartbeat(ctx context.Context, replica string, window time.Duration) (int, error) {
	now := time.Now()
	var n *redis.IntCmd
	_, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		key := s.global("replicas")
		p.ZAdd(ctx, key, redis.Z{Score: float64(now.UnixMilli()), Member: replica})
		p.ZRemRangeByScore(ctx, key, "-inf", strconv.FormatInt(now.Add(-window).UnixMilli(), 10))
		n = p.ZCard(ctx, key)
		p.ZRemRangeByScore(ctx, s.global("seen"), "-inf", strconv.FormatInt(now.Add(-s.timing.StateTTL()).Unix(), 10))
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("heartbeat: %w", err)
	}
	return int(n.Val()), nil
}
