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

// seenBuckets spreads the residents index over sorted sets small enough for
// Redis to keep packed (a listpack, while a set holds at most 128 members:
// zset-max-listpack-entries), about 20 bytes a resident instead of about
// 106 in one large set, up to some 100,000 residents before buckets grow
// past that.
const seenBuckets = 1024

// seenKey is the bucket of the residents index that holds id.
func (s *Store) seenKey(id int64) string {
	b := id % seenBuckets
	if b < 0 {
		b = -b
	}
	return s.seenBucket(b)
}

func (s *Store) seenBucket(b int64) string { return s.global("seen:" + strconv.FormatInt(b, 10)) }

// oldSeen is the residents index as one set, as versions before the buckets
// wrote it: the heartbeat moves its members into their buckets.
func (s *Store) oldSeen() string { return s.global("seen") }

// seenKeys are the buckets of the residents index, then the old index.
func (s *Store) seenKeys() []string {
	keys := make([]string, 0, seenBuckets+1)
	for b := range int64(seenBuckets) {
		keys = append(keys, s.seenBucket(b))
	}
	return append(keys, s.oldSeen())
}

// moveSeenScript moves up to ARGV[1] members of the old residents index
// into their buckets, each keeping the later of its two times (a resident
// may have written since under the new version). KEYS: the buckets, then
// the old index. Returns how many are left.
var moveSeenScript = redis.NewScript(`
local old = KEYS[#KEYS]
local n = #KEYS - 1
local page = redis.call('ZPOPMIN', old, ARGV[1])
for i = 1, #page, 2 do
  local b = math.abs(tonumber(page[i])) % n
  redis.call('ZADD', KEYS[b + 1], 'GT', page[i + 1], page[i])
end
return redis.call('ZCARD', old)`)

// Seen returns the residents who wrote since from, in no particular order:
// the residents index that /stats counts.
func (s *Store) Seen(ctx context.Context, from time.Time) ([]int64, error) {
	by := &redis.ZRangeBy{Min: strconv.FormatInt(from.Unix(), 10), Max: "+inf"}
	var out []int64
	cmds := make([]*redis.StringSliceCmd, 0, seenBuckets+1)
	_, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for _, key := range s.seenKeys() {
			cmds = append(cmds, p.ZRangeByScore(ctx, key, by))
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("seen: %w", err)
	}
	dup := map[int64]bool{}
	for _, c := range cmds {
		for _, id := range c.Val() {
			if n, err := strconv.ParseInt(id, 10, 64); err == nil && !dup[n] {
				dup[n] = true
				out = append(out, n)
			}
		}
	}
	return out, nil
}

// Heartbeat records that replica is alive, moves a page of the old
// residents index into its buckets (until it is empty; then once an hour), forgets the residents of one bucket
// not seen for the state's TTL (their state is gone too; the retention
// sweep deletes them before, unless no replica swept for that long: the
// bucket named by the clock's millisecond, each one every 1,024 beats on
// average), and returns how many replicas
// beat in the last window: with Redis away, each sends only its share of
// the rate.
func (s *Store) Heartbeat(ctx context.Context, replica string, window time.Duration) (int, error) {
	now := time.Now()
	var n *redis.IntCmd
	var left *redis.Cmd // members of the old index still to move
	_, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		key := s.global("replicas")
		p.ZAdd(ctx, key, redis.Z{Score: float64(now.UnixMilli()), Member: replica})
		p.ZRemRangeByScore(ctx, key, "-inf", strconv.FormatInt(now.Add(-window).UnixMilli(), 10))
		n = p.ZCard(ctx, key)
		if now.Unix() >= s.oldSeenCheck.Load() {
			left = moveSeenScript.Run(ctx, p, s.seenKeys(), 1000)
		}
		old := strconv.FormatInt(now.Add(-s.timing.StateTTL()).Unix(), 10)
		p.ZRemRangeByScore(ctx, s.seenKey(now.UnixMilli()), "-inf", old)
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("heartbeat: %w", err)
	}
	if left != nil {
		if k, _ := left.Int(); k == 0 {
			// moved: look again in an hour, for what a replica of the
			// version before wrote meanwhile (a rolling upgrade)
			s.oldSeenCheck.Store(now.Add(time.Hour).Unix())
		}
	}
	return int(n.Val()), nil
}
