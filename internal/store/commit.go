package store

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/integrationsagentur-marl/integrabot/internal/conversation"
)

// Outgoing is one Bot API call committed for delivery.
type Outgoing struct {
	ID      string // unique: the update id and the message's place in the decision
	Chat    int64
	Lane    conversation.Lane
	Payload []byte // the rendered call (JSON), opaque to the store
	Record  string // when set, the message id Telegram gives it is kept under this name
}

// Commit is the outcome of one update: written at once, or not at all.
type Commit struct {
	Claimed  Claimed
	State    *conversation.State // nil: unchanged (its TTL is renewed)
	Forget   bool                // delete everything stored about the sender, in every chat
	Messages []Outgoing          // to any chat; the update's own chat commits atomically with the state
	// Topics the sender starts or stops following (their private chat's
	// state lists them): the index of followers is kept in step.
	Follow, Unfollow []string
	// Silenced: the update is one of a flood, answered by nothing. Its
	// claim is removed and it is not added to the chat's done set, so that
	// a flood leaves no mark per message; should Telegram bring it again, it is
	// counted again and so silenced again (or, once the window has passed,
	// answered: it was written after all).
	Silenced bool
	// Tally names the day's counters of the figures this update adds one
	// to: counted once the commit stands, written within a second (Tallier).
	Tally []string
}

// ErrLost means the claim expired and another process took the update: this
// process's decision is dropped, the other's counts.
var ErrLost = fmt.Errorf("commit: the update's claim was lost")

// commitScript writes an update's outcome in its chat's slot: the new state
// (or its deletion), the messages to the chat, the update marked done, and
// the chat's lock freed. It does nothing unless the claim is still this
// process's, so that an update is committed once. A private chat's state,
// done updates and flood count are its one record (record.go): the update
// joins its done updates, those older than UpdateTTL and a flood count
// whose window ended are dropped, and the record lives as long as its
// state (renewed by every update), or, holding no state, as long as its
// done updates and count need. A group's state is the member's own key, and
// its done updates one set for the group, scored by when (unix ms), whose
// members older than UpdateTTL go at each commit. The claim's key goes.
//
// KEYS: update, state, reply queue, bulk queue, lock, done set (groups),
// keys to forget… ARGV: claim token, state mode (keep|set|forget), state
// JSON, state TTL s, update TTL ms, lock token, queue TTL s, update id,
// flags ("p": a private chat, "s": silenced, not marked done), the
// commit's time (unix ms: the residents index's clock, so that the sweep
// reads both alike), number of replies, of bulk, entries…
var commitScript = redis.NewScript(recordLua + `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
local priv, mark = string.find(ARGV[9], 'p', 1, true), not string.find(ARGV[9], 's', 1, true)
local keep = tonumber(ARGV[5])
if ARGV[2] == 'forget' then
  for i = 7, #KEYS do redis.call('DEL', KEYS[i]) end
elseif priv then
  local now = tonumber(ARGV[10])
  local minute = math.floor(now / 60000)
  local done, flood, state = rec_read(redis.call('GET', KEYS[2]))
  if ARGV[2] == 'set' then state = ARGV[3] end
  local kept = {}
  for _, e in ipairs(done) do
    if (minute - e[2]) * 60000 < keep then kept[#kept + 1] = e end
  end
  if mark then kept[#kept + 1] = {tonumber(ARGV[8]), minute} end
  local ends = tonumber(string.match(flood, '%.(%d+)$') or '0')
  if ends <= now then flood = '' end
  if state ~= '' then
    redis.call('SET', KEYS[2], rec_write(kept, flood, state), 'EX', ARGV[4])
  elseif #kept > 0 or flood ~= '' then
    local ttl = math.min(ends - now, keep)
    if #kept > 0 then ttl = keep end
    redis.call('SET', KEYS[2], rec_write(kept, flood, state), 'PX', ttl)
  else
    redis.call('DEL', KEYS[2])
  end
else
  if ARGV[2] == 'set' then
    redis.call('SET', KEYS[2], ARGV[3], 'EX', ARGV[4])
  else
    redis.call('EXPIRE', KEYS[2], ARGV[4])
  end
end
local nr, nb = tonumber(ARGV[11]), tonumber(ARGV[12])
for i = 1, nr do redis.call('RPUSH', KEYS[3], ARGV[12 + i]) end
for i = 1, nb do redis.call('RPUSH', KEYS[4], ARGV[12 + nr + i]) end
if nr > 0 then redis.call('EXPIRE', KEYS[3], ARGV[7]) end
if nb > 0 then redis.call('EXPIRE', KEYS[4], ARGV[7]) end
redis.call('DEL', KEYS[1])
if mark and not priv then
  local now = now_ms()
  redis.call('ZADD', KEYS[6], now, ARGV[8])
  redis.call('ZREMRANGEBYSCORE', KEYS[6], '-inf', '(' .. (now - keep))
  redis.call('PEXPIRE', KEYS[6], keep)
end
if ARGV[6] ~= '' and redis.call('GET', KEYS[5]) == ARGV[6] then redis.call('DEL', KEYS[5]) end
return 1`)

// pushScript adds a message to another chat's queue once, whatever how often
// the update that sends it is retried. KEYS: queue, dedupe key. ARGV: entry,
// TTL s.
var pushScript = redis.NewScript(`
if not redis.call('SET', KEYS[2], '1', 'NX', 'EX', ARGV[2]) then return 0 end
redis.call('RPUSH', KEYS[1], ARGV[1])
redis.call('EXPIRE', KEYS[1], ARGV[2])
return 1`)

// enqueueScript makes a chat with new messages ready for the delivery
// workers, in the slot all replicas share. A chat already there keeps its
// time (it may be waiting for its own limit, or held by a worker), moving to
// the reply set when a reply came; the dirty mark tells a worker holding it
// that more came. A chat that was sent to a moment ago becomes ready only
// when its pace allows. KEYS: ready replies, ready bulk, dirty, pace.
// ARGV: chat, lane.
var enqueueScript = redis.NewScript(`
local t = redis.call('TIME')
local now = t[1] * 1000 + math.floor(t[2] / 1000)
local pace = tonumber(redis.call('ZSCORE', KEYS[4], ARGV[1]) or '0')
if pace > now then now = pace end
if ARGV[2] == 'r' then
  local s = redis.call('ZSCORE', KEYS[2], ARGV[1])
  if s then
    redis.call('ZREM', KEYS[2], ARGV[1])
    redis.call('ZADD', KEYS[1], 'NX', s, ARGV[1])
  end
  redis.call('ZADD', KEYS[1], 'NX', now, ARGV[1])
elseif not redis.call('ZSCORE', KEYS[1], ARGV[1]) then
  redis.call('ZADD', KEYS[2], 'NX', now, ARGV[1])
end
redis.call('SADD', KEYS[3], ARGV[1])
return 1`)

// readyKeys are the keys of enqueueScript.
func (s *Store) readyKeys() []string {
	return []string{s.global("ready:r"), s.global("ready:b"), s.global("dirty"), s.global("pace")}
}

// pipelinedScripts are the scripts sent in pipelines, loaded when Redis
// does not know them.
var pipelinedScripts = []*redis.Script{claimScript, pushScript, commitScript, enqueueScript, headScript, ackScript, pushOnceScript, alignScript, openThreadScript, countScript, moveSeenScript, takeScript}

// entry is how a message stands in a queue: its id, the tries so far, the
// name its message id is kept under, and its payload, each on a line of its
// own (the payload last: it may hold anything), so that a script can tell
// the head's id and nothing needs decoding.
func entry(o Outgoing, tries int) string {
	return o.ID + "\n" + strconv.Itoa(tries) + "\n" + o.Record + "\n" + string(o.Payload)
}

// parseEntry reads an entry.
func parseEntry(s string) (id string, tries int, record string, payload []byte, ok bool) {
	parts := strings.SplitN(s, "\n", 4)
	if len(parts) != 4 {
		return "", 0, "", nil, false
	}
	tries, err := strconv.Atoi(parts[1])
	return parts[0], tries, parts[2], []byte(parts[3]), err == nil
}

// Commit writes an update's outcome. Messages to other chats are pushed
// first, each once by its id, then the update's own chat is committed in one
// script, and the chats are made ready for delivery, all in one round trip.
// A failure before the script leaves the update claimed, not done: its retry
// decides again and the pushes already made are not repeated.
func (s *Store) Commit(ctx context.Context, c Commit, now time.Time) error {
	ref := c.Claimed.ref
	mode, stateJSON := "keep", ""
	switch {
	case c.Forget:
		mode = "forget"
	case c.State != nil:
		data, err := json.Marshal(c.State)
		if err != nil {
			return fmt.Errorf("commit: %w", err)
		}
		mode, stateJSON = "set", string(data)
	}
	var replies, bulk []any
	ready := map[int64]string{} // chat → lane it becomes ready in
	cmds := []func(p redis.Pipeliner){}
	for _, o := range c.Messages {
		lane := "r"
		if o.Lane == conversation.LaneBulk {
			lane = "b"
		}
		if ready[o.Chat] != "r" {
			ready[o.Chat] = lane
		}
		if o.Chat == ref.Chat {
			if lane == "r" {
				replies = append(replies, entry(o, 0))
			} else {
				bulk = append(bulk, entry(o, 0))
			}
			continue
		}
		o := o
		q := s.replyQ(o.Chat)
		if lane == "b" {
			q = s.bulkQ(o.Chat)
		}
		cmds = append(cmds, func(p redis.Pipeliner) {
			pushScript.Run(ctx, p, []string{q, s.dupKey(o.Chat, o.ID)}, entry(o, 0), int64(QueueTTL/time.Second))
		})
	}
	keys := []string{s.updateKey(ref.Chat, ref.ID), s.convKey(ref.Chat, ref.User), s.replyQ(ref.Chat), s.bulkQ(ref.Chat), s.lockKey(ref.Chat), s.doneKey(ref.Chat)}
	var forget forgetting
	if c.Forget {
		keys = append(keys, s.convKey(ref.Chat, ref.User))
		var err error
		if forget, err = s.findForget(ctx, ref.User); err != nil {
			return fmt.Errorf("commit: %w", err)
		}
		if err := s.forgetMarks(ctx, forget, ref); err != nil {
			return fmt.Errorf("commit: %w", err)
		}
	}
	flags := private(ref)
	if c.Silenced {
		flags += "s"
	}
	args := []any{c.Claimed.token, mode, stateJSON, int64(s.timing.StateTTL() / time.Second), ms(UpdateTTL), c.Claimed.lock,
		int64(QueueTTL / time.Second), ref.ID, flags, now.UnixMilli(), len(replies), len(bulk)}
	args = append(append(args, replies...), bulk...)

	var commit *redis.Cmd
	s.group.do(ctx, func(p redis.Pipeliner) {
		if c.Forget { // first: should the commit fail, its retry finds the question and deletes again
			s.forgetBefore(ctx, p, forget, ref)
		}
		for _, f := range cmds {
			f(p)
		}
		for _, topic := range c.Follow { // before the state that lists it: the index is never short
			p.SAdd(ctx, s.followersKey(topic, ref.User), ref.User)
		}
		commit = commitScript.Run(ctx, p, keys, args...)
		for chat, lane := range ready {
			enqueueScript.Run(ctx, p, s.readyKeys(), strconv.FormatInt(chat, 10), lane)
		}
		if ref.User != 0 {
			if c.Forget {
				s.forgetShared(ctx, p, ref.User, ref.Chat != ref.User)
			} else {
				p.ZAdd(ctx, s.seenKey(ref.User), redis.Z{Score: float64(now.Unix()), Member: ref.User})
			}
		}
	})
	if err := commit.Err(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	if n, _ := commit.Int(); n == 0 {
		return ErrLost
	}
	s.counts.add(s.statsKey(now), 1, c.Tally...) // it stands: it counts
	// Committed. Should making the chat ready have failed (Redis went
	// away between two commands), Repair finds the chat at the next start.
	// Only now may the index forget what the state no longer lists; should
	// this fail, the next reminder finds the stale member and removes it.
	if c.Forget {
		// A private chat's done updates went with its record, the
		// update's own included: should Telegram send it again, it finds
		// no state and asks the question again; it deletes nothing
		// unasked. Should this fail, a reminder finds the stale followers:
		// the commit stands.
		_ = s.forgetAfter(ctx, ref.User, append(forget.topics, c.Unfollow...))
		return nil
	}
	for _, topic := range c.Unfollow {
		if err := s.Unfollow(ctx, topic, ref.User); err != nil {
			return nil
		}
	}
	return nil
}
