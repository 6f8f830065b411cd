package store

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/integrationsagentur-marl/integrabot/internal/conversation"
)

// Rates are the sending limits all replicas share: PerSecond is the most
// messages of the whole bot in any rolling second (counted exactly, in a log
// of the last second's sends); within it, messages are spread by GCRA: one
// every Interval for the whole bot and one every BulkInterval for bulk, at
// most Tolerance (for bulk BulkTolerance) ahead of their slot (the burst).
// Lease is how long a worker holds a chat while sending to it. Ahead is
// how long before a place in the rolling second frees a chat may be taken
// for it: its worker waits the rest (Taken.Wait), so that the send starts
// when the place frees, not a wake-up and two round trips later. Each of
// those lost moments would otherwise add up, second after second, while
// the bot sends at its full rate.
type Rates struct {
	PerSecond                                int
	Interval, BulkInterval, Tolerance, Lease time.Duration
	BulkTolerance, Ahead                     time.Duration
}

// Release hands a chat back after a worker sent (or tried) its head
// message: Lane says which queue still holds messages ("r", "b", or "" for
// none), After when the chat may be sent to again, and Pause how long
// Telegram asked the whole bot to wait (a 429).
type Release struct {
	Chat  int64
	Lane  string
	After time.Duration
	Pause time.Duration
	Slot  string // the message's place in the last second's log (Taken.Slot)
	// Unsent: nothing went to Telegram (the chat had nothing to send, or
	// its broadcast was held), so its place in the log is given back
	Unsent bool
	// Ended is when the send ended (zero: now); its slot counts for a
	// second from then
	Ended time.Time
}

// Taken is a chat a worker holds: send its head message, then release it.
type Taken struct {
	Chat int64
	Lane conversation.Lane
	Slot string // its place in the last second's log, moved to when the send ended on release
	// Wait is how long from the answer the send must wait for its place
	// in the rolling second (Rates.Ahead); zero: it may go at once
	Wait time.Duration
}

// takeScript hands back the chats a worker pool held (each with what is
// left in its queues, when it may be sent to again, and a 429's pause),
// then gives it up to ARGV[5] chats whose time has come, those that waited
// longest first, replies before bulk, as many as the whole bot's rate (and
// for bulk the bulk rate) has room for now, unless Telegram asked for a
// pause. Times
// are Redis's own clock, the same for every replica. A chat handed back
// with nothing left keeps its next time in the pace set, so that a message
// committed a moment later still waits for it.
//
// The rates count in microseconds: at a thousand messages a second, a
// millisecond's rounding would be a twentieth of the rate.
//
// KEYS: ready replies, ready bulk, rate, bulk rate, pause, dirty, pace,
// sent log. ARGV: lease (ms), interval, bulk interval, tolerance (µs), most
// to take, per second, a token unique to the call, bulk tolerance, ahead
// (µs), then
// per chat handed back: chat, lane, after (ms), pause (ms), slot, unsent
// ("1" or ""), how long ago the send ended (µs). A slot counts for the lease
// while its send is in flight, and from when the send ended (so after
// Telegram received it) for a second: a request that took long still counts
// for a whole second from its arrival, so no rolling second at Telegram can
// carry more than the rate. The age is taken before the call leaves the
// replica, so the time it dates back to is never before the send ended; a
// hand-back that waited to go with others loses none of the second. An
// unsent slot is given back. It answers {1, chat,
// lane, slot, µs to wait for the slot, …} or {0, ms to wait}.
var takeScript = redis.NewScript(`
local t = redis.call('TIME')
local now = t[1] * 1000 + math.floor(t[2] / 1000)
local nowus = t[1] * 1000000 + t[2]
for i = 10, #ARGV, 7 do
  local c, lane = ARGV[i], ARGV[i + 1]
  if ARGV[i + 4] ~= '' then
    if ARGV[i + 5] == '1' then redis.call('ZREM', KEYS[8], ARGV[i + 4])
    else redis.call('ZADD', KEYS[8], 'XX', nowus - tonumber(ARGV[i + 6]), ARGV[i + 4]) end
  end
  local dirty = redis.call('SREM', KEYS[6], c)
  local inR = redis.call('ZSCORE', KEYS[1], c)
  local due = now + tonumber(ARGV[i + 2])
  if lane == '' and dirty == 0 then
    redis.call('ZREM', KEYS[1], c)
    redis.call('ZREM', KEYS[2], c)
    if due > now then redis.call('ZADD', KEYS[7], due, c) end
  elseif lane == 'r' or inR then
    redis.call('ZADD', KEYS[1], due, c)
    redis.call('ZREM', KEYS[2], c)
  else
    redis.call('ZADD', KEYS[2], due, c)
  end
  local pause = tonumber(ARGV[i + 3])
  if pause > 0 and redis.call('PTTL', KEYS[5]) < pause then
    redis.call('SET', KEYS[5], '1', 'PX', pause)
  end
end
redis.call('ZREMRANGEBYSCORE', KEYS[7], '-inf', now)
local most = tonumber(ARGV[5])
if most == 0 then return {0, 0} end
local p = redis.call('PTTL', KEYS[5])
if p > 0 then return {0, p} end
local interval, binterval, tol, btol = tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[8])
redis.call('ZREMRANGEBYSCORE', KEYS[8], '-inf', nowus - 1000000)
-- left places are free now; beyond them, a send may be taken for a place
-- that frees within ahead (µs): the k-th beyond waits for the k-th oldest
-- place not already promised (a call before took the first -left of them)
local ahead = tonumber(ARGV[9])
local left = tonumber(ARGV[6]) - redis.call('ZCARD', KEYS[8])
local soon = {}
if ahead > 0 and most > left then
  soon = redis.call('ZRANGEBYSCORE', KEYS[8], '-inf', string.format('(%.0f', nowus - 1000000 + ahead), 'WITHSCORES', 'LIMIT', 0, most - left)
end
local avail = left + #soon / 2
if avail <= 0 then
  local promised = 0
  if left < 0 then promised = -left end
  local next = redis.call('ZRANGE', KEYS[8], promised, promised, 'WITHSCORES')
  if #next == 0 then return {0, 1} end
  return {0, math.min(math.max(math.ceil((tonumber(next[2]) + 1000000 - ahead - nowus) / 1000), 1), 1000)}
end
most = math.min(most, avail)
-- after: how long the j-th send taken now waits for its place (µs)
local function after(j)
  if j <= left then return 0 end
  return math.max(tonumber(soon[2 * (j - left)]) + 1000000 - nowus, 0)
end
-- room: how many of most messages a GCRA (next free slot in key) lets go now
local function room(key, every, most, tol)
  local tat = tonumber(redis.call('GET', key) or '0')
  if tat < nowus then tat = nowus end
  local n = 0
  while n < most and tat + n * every - nowus <= tol do n = n + 1 end
  return n, tat
end
-- take: hold up to n chats of a ready set whose time has come
local out = {1}
local function take(set, lane, n)
  local picks = redis.call('ZRANGEBYSCORE', set, '-inf', now, 'LIMIT', 0, n)
  for _, c in ipairs(picks) do
    redis.call('ZADD', set, now + tonumber(ARGV[1]), c)
    redis.call('SREM', KEYS[6], c)
    local j = (#out + 3) / 4
    out[#out + 1] = c
    out[#out + 1] = lane
    out[#out + 1] = ARGV[7] .. j
    out[#out + 1] = after(j)
  end
  return #picks
end
local free, tat = room(KEYS[3], interval, most, tol)
if free == 0 then return {0, math.ceil((tat - nowus - tol) / 1000)} end
local taken = take(KEYS[1], 'r', free)
if taken < free then
  local bfree, btat = room(KEYS[4], binterval, free - taken, btol)
  local bulk = 0
  if bfree > 0 then bulk = take(KEYS[2], 'b', bfree) end
  if bulk > 0 then
    redis.call('SET', KEYS[4], string.format('%d', btat + bulk * binterval), 'PX', math.ceil((bulk * binterval + btol) / 1000) + 1000)
  end
  taken = taken + bulk
end
if taken > 0 then
  redis.call('SET', KEYS[3], string.format('%d', tat + taken * interval), 'PX', math.ceil((taken * interval + tol) / 1000) + 1000)
  -- in flight until handed back: counted for the lease, not for a second
  -- from now, so that a send slower than a second still counts
  local flying = nowus + tonumber(ARGV[1]) * 1000
  for k = 1, taken do redis.call('ZADD', KEYS[8], flying, ARGV[7] .. k) end
  redis.call('PEXPIRE', KEYS[8], tonumber(ARGV[1]) + 2000)
  return out
end
local wait = 60000
local r = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
if #r > 0 then wait = math.min(wait, tonumber(r[2]) - now) end
local b = redis.call('ZRANGE', KEYS[2], 0, 0, 'WITHSCORES')
if #b > 0 then
  local bt = math.ceil((tonumber(redis.call('GET', KEYS[4]) or '0') - btol) / 1000)
  wait = math.min(wait, math.max(tonumber(b[2]), bt) - now)
end
return {0, math.max(wait, 1)}`)

// pauseScript makes every replica wait d (ms) before the next send, unless
// a longer pause is already set. KEYS: pause. ARGV: d.
var pauseScript = redis.NewScript(`
local d = tonumber(ARGV[1])
if redis.call('PTTL', KEYS[1]) < d then redis.call('SET', KEYS[1], '1', 'PX', d) end
return 1`)

// Pause makes every replica wait d before its next send: Telegram answered
// 429. The worker that drew it says so at once, before it hands its chat
// back, so that no replica takes more meanwhile.
func (s *Store) Pause(ctx context.Context, d time.Duration) error {
	if err := pauseScript.Run(ctx, s.rdb, []string{s.global("pause")}, ms(d)).Err(); err != nil {
		return fmt.Errorf("pause: %w", err)
	}
	return nil
}

// Take hands back rel (when rel.Chat is not 0) and returns the next chat to
// send to, or how long to wait before asking again.
func (s *Store) Take(ctx context.Context, r Rates, rel Release, take bool) (Taken, time.Duration, bool, error) {
	var rels []Release
	if rel.Chat != 0 {
		rels = []Release{rel}
	}
	most := 0
	if take {
		most = 1
	}
	got, wait, err := s.TakeMany(ctx, r, rels, most)
	if err != nil || len(got) == 0 {
		return Taken{}, wait, false, err
	}
	return got[0], 0, true, nil
}

// TakeMany hands back rels and returns up to most chats to send to, or how
// long to wait before asking again: one round trip for a whole pool.
func (s *Store) TakeMany(ctx context.Context, r Rates, rels []Release, most int) ([]Taken, time.Duration, error) {
	keys := []string{s.global("ready:r"), s.global("ready:b"), s.global("rate"), s.global("rate:b"), s.global("pause"), s.global("dirty"), s.global("pace"), s.global("sent")}
	args := make([]any, 0, 9+7*len(rels))
	perSecond := r.PerSecond
	if perSecond <= 0 {
		perSecond = int(time.Second / max(r.Interval, time.Microsecond))
	}
	args = append(args, ms(r.Lease), r.Interval.Microseconds(), r.BulkInterval.Microseconds(), r.Tolerance.Microseconds(), most, perSecond, newToken()+":", r.BulkTolerance.Microseconds(), r.Ahead.Microseconds())
	for _, rel := range rels {
		unsent := ""
		if rel.Unsent {
			unsent = "1"
		}
		var ago time.Duration
		if !rel.Ended.IsZero() {
			ago = max(time.Since(rel.Ended), 0)
		}
		args = append(args, strconv.FormatInt(rel.Chat, 10), rel.Lane, ms(rel.After), ms(rel.Pause), rel.Slot, unsent, ago.Microseconds())
	}
	var cmd *redis.Cmd
	s.group.do(ctx, func(p redis.Pipeliner) { cmd = takeScript.Run(ctx, p, keys, args...) })
	res, err := cmd.Slice()
	if err != nil {
		return nil, 0, fmt.Errorf("take: %w", err)
	}
	if n, _ := res[0].(int64); n == 0 {
		wait, _ := res[1].(int64)
		return nil, time.Duration(wait) * time.Millisecond, nil
	}
	out := make([]Taken, 0, (len(res)-1)/4)
	for i := 1; i+3 < len(res); i += 4 {
		id, err := strconv.ParseInt(fmt.Sprint(res[i]), 10, 64)
		if err != nil {
			return out, 0, fmt.Errorf("take: not a chat id %v", res[i])
		}
		lane := conversation.LaneReply
		if res[i+1] == "b" {
			lane = conversation.LaneBulk
		}
		slot, _ := res[i+2].(string)
		wait, _ := res[i+3].(int64)
		out = append(out, Taken{Chat: id, Lane: lane, Slot: slot, Wait: time.Duration(wait) * time.Microsecond})
	}
	return out, 0, nil
}

// Queued is the message at the head of a chat's queue.
type Queued struct {
	ID      string
	Chat    int64
	Lane    conversation.Lane
	Tries   int
	Record  string
	Payload []byte
}

// headScript returns a chat's first reply, else its first bulk message; bulk
// messages to a resident who blocked the bot are dropped. KEYS: reply queue,
// bulk queue, gone.
var headScript = redis.NewScript(`
local h = redis.call('LINDEX', KEYS[1], 0)
if h then return {'r', h} end
if redis.call('EXISTS', KEYS[3]) == 1 then
  redis.call('DEL', KEYS[2])
  return false
end
h = redis.call('LINDEX', KEYS[2], 0)
if h then return {'b', h} end
return false`)

// Head returns the message to send next to chat; false when none waits.
func (s *Store) Head(ctx context.Context, chat int64) (Queued, bool, error) {
	res, err := headScript.Run(ctx, s.rdb, []string{s.replyQ(chat), s.bulkQ(chat), s.goneKey(chat)}).Slice()
	return s.head(chat, res, err)
}

// Heads is Head for many chats in one round trip; errs[i] is chat i's.
func (s *Store) Heads(ctx context.Context, chats []int64) ([]Queued, []bool, []error) {
	cmds := make([]*redis.Cmd, len(chats))
	s.group.do(ctx, func(p redis.Pipeliner) {
		for i, chat := range chats {
			cmds[i] = headScript.Run(ctx, p, []string{s.replyQ(chat), s.bulkQ(chat), s.goneKey(chat)})
		}
	})
	out, found, errs := make([]Queued, len(chats)), make([]bool, len(chats)), make([]error, len(chats))
	for i, chat := range chats {
		res, e := cmds[i].Slice()
		out[i], found[i], errs[i] = s.head(chat, res, e)
	}
	return out, found, errs
}

func (s *Store) head(chat int64, res []any, err error) (Queued, bool, error) {
	if errors.Is(err, redis.Nil) {
		return Queued{}, false, nil
	}
	if err != nil {
		return Queued{}, false, fmt.Errorf("head: %w", err)
	}
	raw, _ := res[1].(string)
	id, tries, record, payload, ok := parseEntry(raw)
	m := Queued{ID: id, Chat: chat, Tries: tries, Record: record, Payload: payload}
	if res[0] == "b" {
		m.Lane = conversation.LaneBulk
	}
	if !ok {
		if id == "" {
			m.ID, _, _ = strings.Cut(raw, "\n")
		}
		return m, true, fmt.Errorf("head: entry %q of chat %d is not valid", m.ID, chat)
	}
	return m, true, nil
}

// Outcome is what became of a message a worker tried to send.
type Outcome int

// The outcomes.
const (
	Sent    Outcome = iota // Telegram took it
	Dropped                // refused for good, or given up after its tries: never sent again
	Retry                  // try again later (Tries counts up)
	Gone                   // the chat cannot be written to: its whole queue is dropped
)

// ackScript ends a try of the head message. KEYS: the message's queue, reply
// queue, bulk queue, sent ids, gone, and for a question to staff (or a
// follow-up) its thread key and the resident's list of threads, and for a
// named thread its hash. ARGV: id, outcome, entry for a retry, record,
// message id, TTL s, mark gone (1/0), thread value, thread TTL s, root or
// follow. A sent question to staff names its thread by the message id,
// written together with the message leaving the queue: a reply to it can
// only come once it was sent, and then finds its resident. A named thread's
// messages are written only while it is open, and expire with it.
var ackScript = redis.NewScript(`
local head = redis.call('LINDEX', KEYS[1], 0)
local mine = head and string.sub(head, 1, #ARGV[1] + 1) == ARGV[1] .. '\n'
local o = ARGV[2]
if o == 'gone' then
  redis.call('DEL', KEYS[2], KEYS[3])
  if ARGV[7] == '1' then redis.call('SET', KEYS[5], '1', 'EX', ARGV[6]) end
elseif mine then
  if o == 'retry' then redis.call('LSET', KEYS[1], 0, ARGV[3]) else redis.call('LPOP', KEYS[1]) end
end
if o == 'sent' and KEYS[8] then
  local ttl = redis.call('PTTL', KEYS[8])
  if ttl > 0 then
    redis.call('SET', KEYS[6], ARGV[8], 'PX', ttl)
    if ARGV[10] == 'root' then redis.call('HSET', KEYS[8], 'root', ARGV[5]) end
    redis.call('HSET', KEYS[8], 'm:' .. ARGV[5], '1')
    redis.call('SADD', KEYS[7], ARGV[5])
    if redis.call('PTTL', KEYS[7]) < ttl then redis.call('PEXPIRE', KEYS[7], ttl) end
  end
elseif o == 'sent' and KEYS[6] then
  redis.call('SET', KEYS[6], ARGV[8], 'EX', ARGV[9])
  redis.call('SADD', KEYS[7], ARGV[5])
  redis.call('EXPIRE', KEYS[7], ARGV[9])
elseif o == 'sent' and ARGV[4] ~= '' then
  redis.call('HSET', KEYS[4], ARGV[4], ARGV[5])
  redis.call('EXPIRE', KEYS[4], ARGV[6])
end
return {redis.call('LLEN', KEYS[2]), redis.call('LLEN', KEYS[3])}`)

// Acked is what became of a message, for AckMany.
type Acked struct {
	M         Queued
	Outcome   Outcome
	MessageID int
}

// Ack records what became of m and says which of the chat's queues still
// hold messages ("r", "b" or ""). messageID is Telegram's id for a sent
// message. Gone marks a private chat's resident as having blocked the bot.
func (s *Store) Ack(ctx context.Context, m Queued, o Outcome, messageID int) (string, error) {
	keys, args := s.ackArgs(Acked{M: m, Outcome: o, MessageID: messageID})
	return lanes(ackScript.Run(ctx, s.rdb, keys, args...).Int64Slice())
}

// AckMany is Ack for many messages in one round trip; lanes[i] and errs[i]
// are message i's.
func (s *Store) AckMany(ctx context.Context, acks []Acked) ([]string, []error) {
	cmds := make([]*redis.Cmd, len(acks))
	s.group.do(ctx, func(p redis.Pipeliner) {
		for i, a := range acks {
			keys, args := s.ackArgs(a)
			cmds[i] = ackScript.Run(ctx, p, keys, args...)
		}
	})
	out, errs := make([]string, len(acks)), make([]error, len(acks))
	for i := range acks {
		out[i], errs[i] = lanes(cmds[i].Int64Slice())
	}
	return out, errs
}

func (s *Store) ackArgs(a Acked) ([]string, []any) {
	m := a.M
	outcome := [...]string{Sent: "sent", Dropped: "drop", Retry: "retry", Gone: "gone"}[a.Outcome]
	q := s.replyQ(m.Chat)
	if m.Lane == conversation.LaneBulk {
		q = s.bulkQ(m.Chat)
	}
	retry := ""
	if a.Outcome == Retry {
		retry = entry(Outgoing{ID: m.ID, Record: m.Record, Payload: m.Payload}, m.Tries+1)
	}
	markGone := "0"
	if m.Chat > 0 {
		markGone = "1"
	}
	keys := []string{q, s.replyQ(m.Chat), s.bulkQ(m.Chat), s.sentKey(m.Chat), s.goneKey(m.Chat)}
	args := []any{m.ID, outcome, retry, m.Record, a.MessageID, int64(s.timing.StateTTL() / time.Second), markGone}
	if th, value, root, ok := threadOf(m.Record); ok && a.Outcome == Sent && a.MessageID > 0 {
		keys = append(keys, s.threadKey(m.Chat, a.MessageID), s.threadsKey(m.Chat, th.Resident))
		args = append(args, value, int64(s.ThreadTTL()/time.Second))
		if th.ID != "" { // a named thread: its messages live as long as it, and only while it is open
			keys = append(keys, s.threadHash(m.Chat, th.Resident, th.ID))
			kind := "follow"
			if root {
				kind = "root"
			}
			args = append(args, kind)
		}
	}
	return keys, args
}

// lanes reads the ack script's answer: which queues still hold messages.
func lanes(res []int64, err error) (string, error) {
	if err != nil {
		return "", fmt.Errorf("ack: %w", err)
	}
	switch {
	case res[0] > 0:
		return "r", nil
	case res[1] > 0:
		return "b", nil
	}
	return "", nil
}

// SentID returns the message id Telegram gave to the message committed with
// Record name to chat (0 when it is not sent yet).
func (s *Store) SentID(ctx context.Context, chat int64, name string) (int, error) {
	n, err := s.rdb.HGet(ctx, s.sentKey(chat), name).Int()
	if errors.Is(err, redis.Nil) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("sent id: %w", err)
	}
	return n, nil
}

// Waiting counts the chats with messages waiting to be sent.
func (s *Store) Waiting(ctx context.Context) (replies, bulk int64, err error) {
	var r, b *redis.IntCmd
	_, err = s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		r = p.ZCard(ctx, s.global("ready:r"))
		b = p.ZCard(ctx, s.global("ready:b"))
		return nil
	})
	if err != nil {
		return 0, 0, fmt.Errorf("waiting: %w", err)
	}
	return r.Val(), b.Val(), nil
}

// Repair makes ready every chat that has messages waiting but is in neither
// ready set: a commit whose last command was lost when Redis went away at
// that moment. It walks the keys once (at start); it returns how many it
// found.
func (s *Store) Repair(ctx context.Context) (int, error) {
	found := 0
	scan := func(ctx context.Context, c redis.UniversalClient) error {
		iter := c.Scan(ctx, 0, s.prefix+"{*}:q:*", 1000).Iterator()
		for iter.Next(ctx) {
			key := iter.Val()
			chat, lane, ok := s.queueChat(key)
			if !ok {
				continue
			}
			n, err := c.LLen(ctx, key).Result()
			if err != nil || n == 0 {
				continue
			}
			member := strconv.FormatInt(chat, 10)
			if err := s.rdb.ZScore(ctx, s.global("ready:"+lane), member).Err(); err == nil {
				continue
			} else if !errors.Is(err, redis.Nil) {
				return err
			}
			if lane == "b" {
				if err := s.rdb.ZScore(ctx, s.global("ready:r"), member).Err(); err == nil {
					continue
				}
			}
			if err := enqueueScript.Run(ctx, s.rdb, s.readyKeys(), member, lane).Err(); err != nil {
				return err
			}
			found++
		}
		return iter.Err()
	}
	var err error
	if cc, ok := s.rdb.(*redis.ClusterClient); ok {
		err = cc.ForEachMaster(ctx, func(ctx context.Context, c *redis.Client) error { return scan(ctx, c) })
	} else {
		err = scan(ctx, s.rdb)
	}
	if err != nil {
		return found, fmt.Errorf("repair: %w", err)
	}
	return found, nil
}

// queueChat reads the chat and lane from a queue's key.
func (s *Store) queueChat(key string) (int64, string, bool) {
	rest, ok := strings.CutPrefix(key, s.prefix+"{")
	if !ok || len(rest) < 2 {
		return 0, "", false
	}
	tag, suffix, ok := strings.Cut(rest[1:], "}:q:")
	if !ok || (suffix != "r" && suffix != "b") {
		return 0, "", false
	}
	chat, err := strconv.ParseInt(tag, 10, 64)
	if err != nil {
		return 0, "", false
	}
	return chat, suffix, true
}
