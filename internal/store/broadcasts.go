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

// A broadcast is a message staff send to an audience of followers. Its
// record (who, when, audience, text, state, counts) is a hash kept for
// audit; it is sent by a job in the due set like a reminder, page by page
// with a checkpoint, each recipient's message committed once by its id.
//
// States: confirmed → running ⇄ paused → done | cancelled (scheduled is
// confirmed with a later due time). Every change goes through
// transitionScript, which allows only these.

// BroadcastRetention is how long a broadcast's record is kept for audit.
const BroadcastRetention = 90 * 24 * time.Hour

// Broadcast states.
const (
	BroadcastConfirmed = "confirmed"
	BroadcastRunning   = "running"
	BroadcastPaused    = "paused"
	BroadcastDone      = "done"
	BroadcastCancelled = "cancelled"
)

func (s *Store) broadcastKey(id string) string { return s.global("bc:" + id) }
func (s *Store) broadcastsKey() string         { return s.global("bcs") }

// Broadcast is a broadcast's record.
type Broadcast struct {
	ID      string
	State   string
	Staff   int64     // who confirmed it (a staff member's Telegram id)
	Created time.Time // when it was confirmed
	Due     time.Time // when it is (or was) to be sent
	Topic   string    // the audience: followers of this topic…
	Lang    string    // …reading this language ("" all)
	Text    string    // the message, as Telegram HTML
	Counts  map[string]int64
	Queued  bool // every recipient's message is committed; what is left is sending it
	// Main is Text's language; Versions the texts in other languages;
	// Fallback what a follower of a language without one gets ("note", "skip").
	Main     string
	Versions map[string]string
	Fallback string
	Media    string // "photo:<file id>" or "document:<file id>": sent with the text as its caption
}

// createBroadcastScript records a confirmed broadcast and plans its job,
// once per id. KEYS: record, list, due. ARGV: id, job id, job key, due ms,
// created unix, retention s, then field, value pairs.
var createBroadcastScript = redis.NewScript(`
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
for i = 7, #ARGV, 2 do redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
redis.call('HSET', KEYS[1], 'state', 'confirmed')
redis.call('EXPIRE', KEYS[1], ARGV[6])
redis.call('ZADD', KEYS[2], ARGV[5], ARGV[1])
redis.call('ZADD', KEYS[3], 'NX', ARGV[4], ARGV[2])
redis.call('HSET', ARGV[3], 'p', ARGV[1])
redis.call('ZADD', KEYS[3], 'NX', tonumber(ARGV[4]) + 5000, 'p:' .. ARGV[1])
redis.call('HSET', ARGV[3]:sub(1, #ARGV[3] - #ARGV[2]) .. 'p:' .. ARGV[1], 'p', ARGV[1])
return 1`)

// ProgressJob is the id of the job that keeps staff's view of a broadcast
// up to date until every message has been sent or given up.
func ProgressJob(id string) string { return "p:" + id }

// RescheduleJob makes a job due again at at (it stays with its payload and
// checkpoints): a job that repeats until its work is done.
func (s *Store) RescheduleJob(ctx context.Context, id string, at time.Time) error {
	if err := s.rdb.ZAddXX(ctx, s.dueKey(), redis.Z{Score: float64(at.UnixMilli()), Member: id}).Err(); err != nil {
		return fmt.Errorf("reschedule %s: %w", id, err)
	}
	return nil
}

// BroadcastJob is the id of a broadcast's job in the due set.
func BroadcastJob(id string) string { return "b:" + id }

// BroadcastOf is the broadcast a message belongs to (its id is the job's
// and a number: "b:<broadcast>.<n>"), if it is one.
func BroadcastOf(messageID string) (string, bool) {
	rest, ok := strings.CutPrefix(messageID, "b:")
	if !ok {
		return "", false
	}
	if i := strings.LastIndexByte(rest, '.'); i >= 0 {
		rest = rest[:i]
	}
	return rest, rest != ""
}

// CreateBroadcast records b as confirmed and plans its job at b.Due; a
// second call with the same id (a retried update, a double tap) does
// nothing and says false.
func (s *Store) CreateBroadcast(ctx context.Context, b Broadcast) (bool, error) {
	job := BroadcastJob(b.ID)
	args := []any{b.ID, job, s.jobKey(job), b.Due.UnixMilli(), b.Created.Unix(), int64(BroadcastRetention / time.Second),
		"staff", b.Staff, "created", b.Created.Unix(), "due", b.Due.Unix(), "topic", b.Topic, "lang", b.Lang, "text", b.Text,
		"main", b.Main, "fallback", b.Fallback, "media", b.Media}
	for lang, text := range b.Versions {
		args = append(args, "v:"+lang, text)
	}
	n, err := createBroadcastScript.Run(ctx, s.rdb, []string{s.broadcastKey(b.ID), s.broadcastsKey(), s.dueKey()}, args...).Int()
	if err != nil {
		return false, fmt.Errorf("create broadcast: %w", err)
	}
	return n == 1, nil
}

// transitionScript changes a broadcast's state when the change is allowed,
// and moves its job: paused leaves the due set (its checkpoint stays),
// resumed comes back due now, cancelled and done remove it. KEYS: record,
// due. ARGV: to, now ms, job id, job key. Returns the state before, or
// false when the change is not allowed.
var transitionScript = redis.NewScript(`
local from = redis.call('HGET', KEYS[1], 'state')
if not from then return false end
local to = ARGV[1]
local ok = (from == 'confirmed' and (to == 'running' or to == 'cancelled' or to == 'paused'))
  or (from == 'running' and (to == 'paused' or to == 'done' or to == 'cancelled'))
  or (from == 'paused' and (to == 'running' or to == 'cancelled'))
if not ok then return false end
redis.call('HSET', KEYS[1], 'state', to)
if to == 'paused' then
  redis.call('ZREM', KEYS[2], ARGV[3])
elseif to == 'running' and from == 'paused' and redis.call('HGET', KEYS[1], 'queued') ~= '1' then
  redis.call('ZADD', KEYS[2], ARGV[2], ARGV[3])
elseif to == 'done' or to == 'cancelled' then
  redis.call('ZREM', KEYS[2], ARGV[3])
  redis.call('DEL', ARGV[4])
  redis.call('HSET', KEYS[1], 'ended', math.floor(tonumber(ARGV[2]) / 1000))
end
return from`)

// ErrTransition means a broadcast cannot go to that state from where it is
// (cancelled twice, resumed when done…).
var ErrTransition = errors.New("broadcast: not allowed in its state")

// TransitionBroadcast moves a broadcast to state to and returns the state it
// was in; ErrTransition when that change is not allowed.
func (s *Store) TransitionBroadcast(ctx context.Context, id, to string, now time.Time) (string, error) {
	job := BroadcastJob(id)
	from, err := transitionScript.Run(ctx, s.rdb, []string{s.broadcastKey(id), s.dueKey()}, to, now.UnixMilli(), job, s.jobKey(job)).Text()
	if errors.Is(err, redis.Nil) {
		return "", ErrTransition
	}
	if err != nil {
		return "", fmt.Errorf("broadcast %s: %w", id, err)
	}
	return from, nil
}

// CountBroadcast adds n to one of a broadcast's counts (pushed, sent, gone,
// failed, skipped).
func (s *Store) CountBroadcast(ctx context.Context, id, count string, n int64) error {
	if n == 0 {
		return nil
	}
	if err := s.rdb.HIncrBy(ctx, s.broadcastKey(id), "n:"+count, n).Err(); err != nil {
		return fmt.Errorf("count broadcast %s: %w", id, err)
	}
	return nil
}

// CountBroadcastFailed counts one of a broadcast's messages as failed, and
// as failed for reason (the count "failed:<reason>").
func (s *Store) CountBroadcastFailed(ctx context.Context, id, reason string) error {
	key := s.broadcastKey(id)
	_, err := s.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.HIncrBy(ctx, key, "n:failed", 1)
		p.HIncrBy(ctx, key, "n:failed:"+reason, 1)
		return nil
	})
	if err != nil {
		return fmt.Errorf("count broadcast %s: %w", id, err)
	}
	return nil
}

// GetBroadcast reads a broadcast's record; false when there is none.
func (s *Store) GetBroadcast(ctx context.Context, id string) (Broadcast, bool, error) {
	m, err := s.rdb.HGetAll(ctx, s.broadcastKey(id)).Result()
	if err != nil {
		return Broadcast{}, false, fmt.Errorf("broadcast %s: %w", id, err)
	}
	if len(m) == 0 {
		return Broadcast{}, false, nil
	}
	b := Broadcast{ID: id, State: m["state"], Topic: m["topic"], Lang: m["lang"], Text: m["text"], Counts: map[string]int64{}, Queued: m["queued"] == "1"}
	b.Staff, _ = strconv.ParseInt(m["staff"], 10, 64)
	created, _ := strconv.ParseInt(m["created"], 10, 64)
	due, _ := strconv.ParseInt(m["due"], 10, 64)
	b.Created, b.Due = time.Unix(created, 0), time.Unix(due, 0)
	b.Main, b.Fallback, b.Media = m["main"], m["fallback"], m["media"]
	for k, v := range m {
		switch {
		case strings.HasPrefix(k, "n:"):
			b.Counts[k[2:]], _ = strconv.ParseInt(v, 10, 64)
		case strings.HasPrefix(k, "v:"):
			if b.Versions == nil {
				b.Versions = map[string]string{}
			}
			b.Versions[k[2:]] = v
		}
	}
	return b, true, nil
}

// RecentBroadcasts lists the latest broadcasts, newest first.
func (s *Store) RecentBroadcasts(ctx context.Context, n int64) ([]Broadcast, error) {
	ids, err := s.rdb.ZRevRange(ctx, s.broadcastsKey(), 0, n-1).Result()
	if err != nil {
		return nil, fmt.Errorf("broadcasts: %w", err)
	}
	var out []Broadcast
	for _, id := range ids {
		b, ok, err := s.GetBroadcast(ctx, id)
		if err != nil {
			return nil, err
		}
		if ok {
			out = append(out, b)
		} else {
			s.rdb.ZRem(ctx, s.broadcastsKey(), id) // its record expired
		}
	}
	return out, nil
}

// BroadcastState is a broadcast's state ("" when there is none).
func (s *Store) BroadcastState(ctx context.Context, id string) (string, error) {
	st, err := s.rdb.HGet(ctx, s.broadcastKey(id), "state").Result()
	if errors.Is(err, redis.Nil) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("broadcast %s: %w", id, err)
	}
	return st, nil
}

// BroadcastQueued records that every recipient's message of a broadcast is
// committed, and removes its sending job: what is left is delivery.
func (s *Store) BroadcastQueued(ctx context.Context, id string) error {
	job := BroadcastJob(id)
	_, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		p.HSet(ctx, s.broadcastKey(id), "queued", "1")
		p.ZRem(ctx, s.dueKey(), job)
		p.Del(ctx, s.jobKey(job))
		return nil
	})
	if err != nil {
		return fmt.Errorf("broadcast %s: %w", id, err)
	}
	return nil
}
