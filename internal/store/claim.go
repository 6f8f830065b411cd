package store

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"strconv"

	"github.com/redis/go-redis/v9"

	"github.com/integrationsagentur-marl/integrabot/internal/conversation"
)

// Claim is what claiming an update found.
type Claim int

// The answers of Claim.
const (
	Fresh    Claim = iota // nobody has handled it: this process does now
	Busy                  // another process is handling it right now
	Done                  // it was committed already (a webhook retry, a re-fetch after restart)
	ChatBusy              // another replica holds the chat's lock: try again shortly
)

// UpdateRef names an update and where it comes from: its keys are in its
// chat's slot, so that claiming it also reads the sender's state there.
type UpdateRef struct {
	ID   int64
	Chat int64 // the chat the update belongs to (0: none, such as a member update without a chat)
	User int64 // the sender (0: none)
	// Count: the update counts against its sender's flood limit in this
	// chat (the decider says which do: not staff's, not what it ignores).
	Count bool
}

// Claimed is a claimed update: the sender's state in the chat, and the
// tokens that prove the claim (and the chat's lock) are this process's.
type Claimed struct {
	Claim Claim
	State conversation.State
	// Recent is how many counted updates the sender sent in this chat in
	// the current flood window, this one included (0: not counted).
	Recent int
	ref    UpdateRef
	token  string
	lock   string
}

// claimScript claims an update unless it is claimed or done, takes the
// chat's lock when asked to (webhook replicas), counts the update against
// its sender's flood limit when asked to, and returns the sender's state and
// that count: one round trip. A live claim is never taken over; a dead
// process's claim expires after Timing.Claim. An update is done when its
// chat's done updates list it (a private chat's record, a group's done
// set; a private chat's done set as the release before wrote it, until it
// expires), or when its claim key says "done" (as releases before the done
// set wrote it). The count ends with the window (Timing.FloodWindow), fixed
// from the first update counted: in a private chat it is a line of the
// record, in a group a key of the member's own whose TTL is the window.
//
// KEYS: update, state (a private chat's record), lock, flood count (groups),
// done set. ARGV: claim token, claim ms, lock token (empty: no lock), lock
// ms, window ms (empty: not counted), update id, "p" for a private chat.
var claimScript = redis.NewScript(recordLua + `
local priv = ARGV[7] == 'p'
local v = redis.call('GET', KEYS[2])
local done, flood, state = {}, '', v
if priv then
  done, flood, state = rec_read(v)
  local id = tonumber(ARGV[6])
  for _, e in ipairs(done) do
    if e[1] == id then return {2, false, 0} end
  end
end
if redis.call('ZSCORE', KEYS[5], ARGV[6]) then return {2, false, 0} end
local c = redis.call('GET', KEYS[1])
if c == 'done' then return {2, false, 0} end
if c then return {1, false, 0} end
if ARGV[3] ~= '' then
  if not redis.call('SET', KEYS[3], ARGV[3], 'NX', 'PX', ARGV[4]) then return {3, false, 0} end
end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
local n = 0
if ARGV[5] ~= '' and priv then
  local now = now_ms()
  local count, ends = string.match(flood, '^(%d+)%.(%d+)$')
  count, ends = tonumber(count) or 0, tonumber(ends) or 0
  if ends <= now then count, ends = 0, now + tonumber(ARGV[5]) end
  n = count + 1
  redis.call('SET', KEYS[2], rec_write(done, string.format('%d.%d', n, ends), state), 'KEEPTTL')
  if redis.call('PTTL', KEYS[2]) < 0 then redis.call('PEXPIRE', KEYS[2], ARGV[5]) end
elseif ARGV[5] ~= '' then
  n = redis.call('INCR', KEYS[4])
  if redis.call('PTTL', KEYS[4]) < 0 then redis.call('PEXPIRE', KEYS[4], ARGV[5]) end
end
if state == '' then state = false end
return {0, state, n}`)

// private tells whether an update's sender keeps their state in the
// record of their private chat, where its done updates and flood count are
// kept too: "p", or "" for a group.
func private(r UpdateRef) string {
	if r.User != 0 && (r.Chat == r.User || r.Chat == 0) {
		return "p"
	}
	return ""
}

// Claim claims an update; with lock, it also takes the chat's lock, so that
// replicas never interleave one chat's updates.
func (s *Store) Claim(ctx context.Context, r UpdateRef, lock bool) (Claimed, error) {
	c := Claimed{ref: r, token: newToken()}
	if lock {
		c.lock = newToken()
	}
	keys := []string{s.updateKey(r.Chat, r.ID), s.convKey(r.Chat, r.User), s.lockKey(r.Chat), s.floodKey(r.Chat, r.User), s.doneKey(r.Chat)}
	window := ""
	if r.Count {
		window = strconv.FormatInt(ms(s.timing.FloodWindow), 10)
	}
	var cmd *redis.Cmd
	s.group.do(ctx, func(p redis.Pipeliner) {
		cmd = claimScript.Run(ctx, p, keys, c.token, ms(s.timing.Claim), c.lock, ms(s.timing.ChatLock), window, r.ID, private(r))
	})
	res, err := cmd.Slice()
	if err != nil {
		return c, fmt.Errorf("claim update: %w", err)
	}
	if len(res) != 3 {
		return c, fmt.Errorf("claim update: unexpected answer %v", res)
	}
	n, _ := res[0].(int64)
	c.Claim = Claim(n)
	if c.Claim != Fresh {
		return c, nil
	}
	recent, _ := res[2].(int64)
	c.Recent = int(recent)
	if data, ok := res[1].(string); ok {
		st, err := decodeState(data)
		if err != nil {
			_ = s.Release(ctx, c)
			return c, fmt.Errorf("claim update: %w", err)
		}
		c.State = st
	}
	return c, nil
}

// releaseScript gives up a claim and the chat's lock if they are still this
// process's.
var releaseScript = redis.NewScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
if ARGV[2] ~= '' and redis.call('GET', KEYS[2]) == ARGV[2] then redis.call('DEL', KEYS[2]) end
return 1`)

// Release gives up a claim, so that the update is handled again (by
// Telegram's retry, or the next fetch).
func (s *Store) Release(ctx context.Context, c Claimed) error {
	ctx, cancel := s.settling(ctx)
	defer cancel()
	keys := []string{s.updateKey(c.ref.Chat, c.ref.ID), s.lockKey(c.ref.Chat)}
	if err := releaseScript.Run(ctx, s.rdb, keys, c.token, c.lock).Err(); err != nil {
		return fmt.Errorf("release update: %w", err)
	}
	return nil
}

func newToken() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
