package store

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// Jobs are work due at a moment that any replica may do: a reminder of one
// occurrence at one offset, a notice that an occurrence moved or was
// cancelled. A job is a member of one sorted set scored by when it is due;
// taking it moves its score forward by a lease, so that another replica
// takes it only when the first has stopped (crashed) without finishing.
// Its payload and how far its work got are in a hash beside it. The work of
// a pass grows with what is due, not with what is planned.
//
// A plan records, per encounter, the occurrences jobs were made for, so that
// a changed content tells what moved or was cancelled, once, whichever
// replica notices first.

func (s *Store) dueKey() string          { return s.global("due") }
func (s *Store) jobKey(id string) string { return s.global("job:" + id) }
func (s *Store) planKey() string         { return s.global("plan") }
func (s *Store) jobKeyPrefix() string    { return s.global("job:") }
func (s *Store) planKeys() []string      { return []string{s.planKey(), s.dueKey()} }
func fromMS(ms int64) time.Time          { return time.UnixMilli(ms) }

// ReminderJob is the id of the job that reminds of the occurrence of
// encounter starting at start, offset before it: "r:<encounter>:<start,
// unix s>:<offset, s>". Its followers' messages carry it with a number.
func ReminderJob(encounter string, start time.Time, offset time.Duration) string {
	return "r:" + encounter + ":" + strconv.FormatInt(start.Unix(), 10) + ":" + strconv.FormatInt(int64(offset/time.Second), 10)
}

// ReminderOf is the encounter and the start of the occurrence a reminder's
// message is about, if it is a reminder's (its id is the job's and a
// number: "r:<encounter>:<start>:<offset>.<n>").
func ReminderOf(messageID string) (encounter string, start time.Time, ok bool) {
	rest, ok := strings.CutPrefix(messageID, "r:")
	if !ok {
		return "", time.Time{}, false
	}
	parts := strings.Split(rest, ":")
	if len(parts) != 3 {
		return "", time.Time{}, false
	}
	s, err := strconv.ParseInt(parts[1], 10, 64)
	if err != nil {
		return "", time.Time{}, false
	}
	return parts[0], time.Unix(s, 0), true
}

// Job is work due at a moment.
type Job struct {
	ID      string
	Due     time.Time
	Payload string            // what the work is (opaque to the store)
	Cursors map[string]string // how far the work got, by part (a topic's scan cursor)
}

// Plans returns every encounter's plan (opaque to the store), by encounter id.
func (s *Store) Plans(ctx context.Context) (map[string]string, error) {
	m, err := s.rdb.HGetAll(ctx, s.planKey()).Result()
	if err != nil {
		return nil, fmt.Errorf("plans: %w", err)
	}
	return m, nil
}

// Plan returns one encounter's plan ("" when it has none).
func (s *Store) Plan(ctx context.Context, encounter string) (string, error) {
	p, err := s.rdb.HGet(ctx, s.planKey(), encounter).Result()
	if errors.Is(err, redis.Nil) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("plan %s: %w", encounter, err)
	}
	return p, nil
}

// replanScript replaces one encounter's plan if it is still the one the
// caller read, and with it adds and removes its jobs: so that of several
// replicas noticing the same change, one applies it (and its notices).
// KEYS: plan, due. ARGV: job key prefix, encounter, old plan, new plan
// (” deletes), number of jobs to remove, their ids…, then id, due ms,
// payload per job to add. Returns 1 applied, 0 the plan had changed.
var replanScript = redis.NewScript(`
local old = redis.call('HGET', KEYS[1], ARGV[2]) or ''
if old ~= ARGV[3] then return 0 end
if ARGV[4] == '' then redis.call('HDEL', KEYS[1], ARGV[2]) else redis.call('HSET', KEYS[1], ARGV[2], ARGV[4]) end
local nr = tonumber(ARGV[5])
for i = 1, nr do
  redis.call('ZREM', KEYS[2], ARGV[5 + i])
  redis.call('DEL', ARGV[1] .. ARGV[5 + i])
end
for i = 6 + nr, #ARGV, 3 do
  if redis.call('ZADD', KEYS[2], 'NX', ARGV[i + 1], ARGV[i]) == 1 then
    redis.call('HSET', ARGV[1] .. ARGV[i], 'p', ARGV[i + 2])
  end
end
return 1`)

// Replan replaces an encounter's plan from old to plan ("" removes it),
// removes the jobs named and adds the jobs given, at once; false when the
// plan was no longer old (another replica changed it first).
func (s *Store) Replan(ctx context.Context, encounter, old, plan string, remove []string, add []Job) (bool, error) {
	args := []any{s.jobKeyPrefix(), encounter, old, plan, len(remove)}
	for _, id := range remove {
		args = append(args, id)
	}
	for _, j := range add {
		args = append(args, j.ID, j.Due.UnixMilli(), j.Payload)
	}
	n, err := replanScript.Run(ctx, s.rdb, s.planKeys(), args...).Int()
	if err != nil {
		return false, fmt.Errorf("replan %s: %w", encounter, err)
	}
	return n == 1, nil
}

// takeJobScript leases the job due first, if one is due. KEYS: due. ARGV:
// job key prefix, now ms, lease ms. Returns id, due ms, the job's hash.
var takeJobScript = redis.NewScript(`
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[2], 'WITHSCORES', 'LIMIT', 0, 1)
if #due == 0 then return false end
redis.call('ZADD', KEYS[1], 'XX', tonumber(ARGV[2]) + tonumber(ARGV[3]), due[1])
return {due[1], due[2], redis.call('HGETALL', ARGV[1] .. due[1])}`)

// TakeJob leases the job that fell due first by now, for lease; nil when
// none is due. A job whose lease ran out (its worker stopped) is due again.
func (s *Store) TakeJob(ctx context.Context, now time.Time, lease time.Duration) (*Job, error) {
	res, err := takeJobScript.Run(ctx, s.rdb, []string{s.dueKey()}, s.jobKeyPrefix(), now.UnixMilli(), lease.Milliseconds()).Slice()
	if errors.Is(err, redis.Nil) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("take job: %w", err)
	}
	id, _ := res[0].(string)
	dueS, _ := res[1].(string)
	dueMS, _ := strconv.ParseFloat(dueS, 64)
	j := &Job{ID: id, Due: fromMS(int64(dueMS)), Cursors: map[string]string{}}
	fields, _ := res[2].([]any)
	for i := 0; i+1 < len(fields); i += 2 {
		k, _ := fields[i].(string)
		v, _ := fields[i+1].(string)
		if k == "p" {
			j.Payload = v
		} else {
			j.Cursors[k] = v
		}
	}
	return j, nil
}

// checkpointScript records how far a leased job got and renews its lease,
// if the job is still there. KEYS: due, job. ARGV: id, lease end ms, part,
// cursor.
var checkpointScript = redis.NewScript(`
if not redis.call('ZSCORE', KEYS[1], ARGV[1]) then return 0 end
redis.call('ZADD', KEYS[1], 'XX', ARGV[2], ARGV[1])
redis.call('HSET', KEYS[2], ARGV[3], ARGV[4])
return 1`)

// Checkpoint records that a job's part got to cursor and renews its lease
// until leaseEnd; a job finished meanwhile (by a replica that took it after
// this one's lease ran out) stays finished.
func (s *Store) Checkpoint(ctx context.Context, id string, leaseEnd time.Time, part, cursor string) error {
	err := checkpointScript.Run(ctx, s.rdb, []string{s.dueKey(), s.jobKey(id)}, id, leaseEnd.UnixMilli(), part, cursor).Err()
	if err != nil {
		return fmt.Errorf("checkpoint %s: %w", id, err)
	}
	return nil
}

// FinishJob removes a job that is done (or that is no longer wanted).
func (s *Store) FinishJob(ctx context.Context, id string) error {
	_, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		p.ZRem(ctx, s.dueKey(), id)
		p.Del(ctx, s.jobKey(id))
		return nil
	})
	if err != nil {
		return fmt.Errorf("finish %s: %w", id, err)
	}
	return nil
}

// NextDue is when the first job falls due (ok false: none planned).
func (s *Store) NextDue(ctx context.Context) (time.Time, bool, error) {
	z, err := s.rdb.ZRangeWithScores(ctx, s.dueKey(), 0, 0).Result()
	if err != nil {
		return time.Time{}, false, fmt.Errorf("next due: %w", err)
	}
	if len(z) == 0 {
		return time.Time{}, false, nil
	}
	return fromMS(int64(z[0].Score)), true, nil
}

// Jobs lists the planned jobs' ids by when they fall due (for tests and
// the operator's figures).
func (s *Store) Jobs(ctx context.Context) ([]string, error) {
	ids, err := s.rdb.ZRange(ctx, s.dueKey(), 0, -1).Result()
	if err != nil {
		return nil, fmt.Errorf("jobs: %w", err)
	}
	return ids, nil
}
