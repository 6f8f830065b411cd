package store

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// The retention sweep walks the residents index ({g}:seen:<b>, by the
// second of each resident's last update) bucket by bucket: those silent for the
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

// SilentPage returns the residents whose last update was at or before
// before, in a page of whole buckets of the residents index (about n
// residents when the buckets are full), after cursor ("" from the first
// bucket), and the cursor of the next page ("" once this was the last).
// A cursor of another form (written before the buckets) starts again from
// the first: what the sweep does is safe to repeat.
func (s *Store) SilentPage(ctx context.Context, before time.Time, cursor string, n int64) ([]Silent, string, error) {
	from, err := strconv.ParseInt(strings.TrimPrefix(cursor, "b"), 10, 64)
	if !strings.HasPrefix(cursor, "b") || err != nil || from < 0 || from >= seenBuckets {
		from = 0
	}
	per := max(n/16, 1) // buckets a page reads: a page of 500 reads 31 of them
	to := min(from+per, seenBuckets)
	by := &redis.ZRangeBy{Min: "-inf", Max: strconv.FormatInt(before.Unix(), 10)}
	var cmds []*redis.ZSliceCmd
	_, err = s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for b := from; b < to; b++ {
			cmds = append(cmds, p.ZRangeByScoreWithScores(ctx, s.seenBucket(b), by))
		}
		return nil
	})
	if err != nil {
		return nil, "", fmt.Errorf("silent residents: %w", err)
	}
	var out []Silent
	for _, c := range cmds {
		for _, z := range c.Val() {
			m, _ := z.Member.(string)
			if id, err := strconv.ParseInt(m, 10, 64); err == nil {
				out = append(out, Silent{ID: id, Last: time.Unix(int64(z.Score), 0)})
			}
		}
	}
	next := ""
	if to < seenBuckets {
		next = "b" + strconv.FormatInt(to, 10)
	}
	return out, next, nil
}

// takeSilentScript deletes a resident's private record unless it shows an
// update after before: one done since, or a flood window begun since (an
// update claimed, not yet committed). The residents index, in another
// slot, learns of an update only at its commit; this check and the
// deletion are one step in the resident's slot, so that an update is
// either seen here or finds the record gone and starts afresh. KEYS:
// record. ARGV: before (unix ms), flood window ms. Returns 1 deleted (or
// nothing there), 0 spared.
var takeSilentScript = redis.NewScript(recordLua + `
local v = redis.call('GET', KEYS[1])
if not v then return 1 end
local done, flood = rec_read(v)
local before = tonumber(ARGV[1])
for _, e in ipairs(done) do
  if (e[2] + 1) * 60000 > before then return 0 end
end
local ends = tonumber(string.match(flood, '%.(%d+)$') or '0')
if ends - tonumber(ARGV[2]) > before then return 0 end
redis.call('DEL', KEYS[1])
return 1`)

// ForgetSilent deletes everything stored about a resident, as /forget does
// (Forget), if their last update was still at or before before; false when
// they wrote since (or are gone already). An update of theirs being
// answered meanwhile spares them too (takeSilentScript).
func (s *Store) ForgetSilent(ctx context.Context, userID int64, before time.Time) (bool, error) {
	score, err := s.rdb.ZScore(ctx, s.seenKey(userID), strconv.FormatInt(userID, 10)).Result()
	if err == redis.Nil {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("forget silent %d: %w", userID, err)
	}
	if int64(score) > before.Unix() {
		return false, nil
	}
	taken, err := takeSilentScript.Run(ctx, s.rdb, []string{s.stateKey(userID)}, before.UnixMilli(), ms(s.timing.FloodWindow)).Int()
	if err != nil {
		return false, fmt.Errorf("forget silent %d: %w", userID, err)
	}
	if taken == 0 {
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

// alignScript makes a key live at least ARGV[1] more seconds, if it has a
// TTL that ends sooner; a key without one, or gone, stays as it is.
var alignScript = redis.NewScript(`
local ttl = redis.call('TTL', KEYS[1])
if ttl >= 0 and ttl < tonumber(ARGV[1]) then
  redis.call('EXPIRE', KEYS[1], ARGV[1])
  return 1
end
return 0`)

func (s *Store) alignedKey() string { return s.global("retention") }

// StatesAligned is the state TTL the stored states were last brought in
// line with (0: never): when RETENTION grows, or after an upgrade from a
// shorter fixed TTL, states written before would expire before the sweep
// warns their resident.
func (s *Store) StatesAligned(ctx context.Context) (time.Duration, error) {
	v, err := s.rdb.Get(ctx, s.alignedKey()).Result()
	if err == redis.Nil {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("states aligned: %w", err)
	}
	n, _ := strconv.ParseInt(v, 10, 64)
	return time.Duration(n) * time.Second, nil
}

// SetStatesAligned records that every state was brought in line with ttl.
func (s *Store) SetStatesAligned(ctx context.Context, ttl time.Duration) error {
	if err := s.rdb.Set(ctx, s.alignedKey(), int64(ttl/time.Second), 0).Err(); err != nil {
		return fmt.Errorf("states aligned: %w", err)
	}
	return nil
}

// AlignStates makes each resident's private state and blocked mark live
// until their last update and ttl, where they would end sooner (written
// under a shorter retention); those past it are left to the sweep.
func (s *Store) AlignStates(ctx context.Context, page []Silent, ttl time.Duration, now time.Time) error {
	_, err := s.pipelined(ctx, func(p redis.Pipeliner) {
		for _, r := range page {
			left := int64(r.Last.Add(ttl).Sub(now) / time.Second)
			if left <= 0 {
				continue
			}
			alignScript.Run(ctx, p, []string{s.stateKey(r.ID)}, left)
			alignScript.Run(ctx, p, []string{s.goneKey(r.ID)}, left)
		}
	})
	if err != nil {
		return fmt.Errorf("align states: %w", err)
	}
	return nil
}
