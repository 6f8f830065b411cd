package store

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/integrationsagentur-marl/integrabot/internal/conversation"
)

// Claim is what ClaimUpdate found.
type Claim int

// The answers of ClaimUpdate.
const (
	Fresh    Claim = iota // nobody has handled it: this replica does now
	Busy                  // another replica is handling it right now
	Done                  // it was answered already (a webhook retry, a re-fetch after restart)
	ChatBusy              // another replica is answering the resident's previous update: try again shortly
)

// UpdateTTL is how long an answered update is remembered: Telegram keeps
// undelivered updates for 24 hours, so a retry cannot come later.
const UpdateTTL = 25 * time.Hour

// claimTTL: a replica that dies while handling an update frees it after this.
const claimTTL = 60 * time.Second

// claimScript claims an update and, unless it was answered, returns the
// resident's state with it: one round trip instead of two. A busy update
// comes with the state too, for the poller that takes over a dead
// process's update.
var claimScript = redis.NewScript(`
local v = redis.call('GET', KEYS[1])
if v == 'done' then return {2, false} end
if v then return {1, redis.call('GET', KEYS[2])} end
redis.call('SET', KEYS[1], 'busy', 'PX', ARGV[1])
return {0, redis.call('GET', KEYS[2])}`)

// UpdateRef names an update and the resident it comes from; the update's key
// shares the resident's hash slot, so that it can be read with their state.
type UpdateRef struct {
	ID     int64
	UserID int64 // 0 when the update has no sender
}

func (s *Store) updateKey(r UpdateRef) string {
	return s.prefix + "{u" + strconv.FormatInt(r.UserID, 10) + "}:upd:" + strconv.FormatInt(r.ID, 10)
}

// ClaimUpdate deduplicates updates across restarts and replicas by update_id.
// For a fresh or busy update it also returns the resident's state.
func (s *Store) ClaimUpdate(ctx context.Context, r UpdateRef) (Claim, conversation.State, error) {
	res, err := claimScript.Run(ctx, s.rdb, []string{s.updateKey(r), s.stateKey(r.UserID)}, claimTTL.Milliseconds()).Slice()
	if err != nil {
		return Fresh, conversation.State{}, fmt.Errorf("claim update: %w", err)
	}
	return claimed(res)
}

// claimed reads a claim script's answer: {claim, state or nil}.
func claimed(res []any) (Claim, conversation.State, error) {
	var st conversation.State
	if len(res) != 2 {
		return Fresh, st, fmt.Errorf("claim update: unexpected answer %v", res)
	}
	n, _ := res[0].(int64)
	if data, ok := res[1].(string); ok {
		if err := json.Unmarshal([]byte(data), &st); err != nil {
			return Claim(n), conversation.State{}, fmt.Errorf("claim update: stored state is not valid: %w", err)
		}
	}
	return Claim(n), st, nil
}

// settleTimeout bounds the writes that settle an update (finish, release).
// They run even when the caller's ctx has ended, which is often why the
// update failed: otherwise it would stay claimed and its chat locked.
const settleTimeout = 2 * time.Second

func settling(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(ctx), settleTimeout)
}

// FinishUpdate records that an update was answered. Updates answered at the
// same time are recorded together, in one round trip.
func (s *Store) FinishUpdate(ctx context.Context, r UpdateRef) error {
	ctx, cancel := settling(ctx)
	defer cancel()
	if err := s.done.set(ctx, s.updateKey(r)); err != nil {
		return fmt.Errorf("finish update: %w", err)
	}
	return nil
}

// ReleaseUpdate gives up a claim, so that Telegram's retry is handled again.
func (s *Store) ReleaseUpdate(ctx context.Context, r UpdateRef) error {
	ctx, cancel := settling(ctx)
	defer cancel()
	if err := s.rdb.Del(ctx, s.updateKey(r)).Err(); err != nil {
		return fmt.Errorf("release update: %w", err)
	}
	return nil
}

// claimLockedScript is claimScript that also takes the resident's chat lock:
// with replicas, one round trip instead of three (claim, lock, load).
var claimLockedScript = redis.NewScript(`
local v = redis.call('GET', KEYS[1])
if v == 'done' then return {2, false} end
if v then return {1, false} end
if not redis.call('SET', KEYS[3], ARGV[2], 'NX', 'PX', ARGV[3]) then return {3, false} end
redis.call('SET', KEYS[1], 'busy', 'PX', ARGV[1])
return {0, redis.call('GET', KEYS[2])}`)

// finishUnlockScript records an update as answered and frees the chat lock
// if this replica still holds it.
var finishUnlockScript = redis.NewScript(`
if ARGV[1] == 'done' then redis.call('SET', KEYS[1], 'done', 'PX', ARGV[3]) else redis.call('DEL', KEYS[1]) end
if redis.call('GET', KEYS[2]) == ARGV[2] then redis.call('DEL', KEYS[2]) end
return 1`)

// ChatLock is a held lock on a resident's chat.
type ChatLock struct {
	key, token string
}

func (s *Store) userLockKey(userID int64) string {
	return s.prefix + "{u" + strconv.FormatInt(userID, 10) + "}:lock"
}

// ClaimUpdateLocked is ClaimUpdate for replicas (webhook mode) and an update
// from the resident's own chat: it also locks that chat, so that the
// resident's updates never interleave, in the same round trip. ChatBusy
// means another replica holds the lock: nothing was claimed, try again. The
// lock frees itself after ttl if this replica dies.
func (s *Store) ClaimUpdateLocked(ctx context.Context, r UpdateRef, ttl time.Duration) (Claim, conversation.State, ChatLock, error) {
	l := ChatLock{key: s.userLockKey(r.UserID), token: newToken()}
	res, err := claimLockedScript.Run(ctx, s.rdb, []string{s.updateKey(r), s.stateKey(r.UserID), l.key},
		claimTTL.Milliseconds(), l.token, ttl.Milliseconds()).Slice()
	if err != nil {
		return Fresh, conversation.State{}, ChatLock{}, fmt.Errorf("claim update: %w", err)
	}
	c, st, err := claimed(res)
	if c != Fresh {
		return c, st, ChatLock{}, err
	}
	if err != nil {
		_ = s.ReleaseUpdateLocked(ctx, r, l)
		return c, st, ChatLock{}, err
	}
	return Fresh, st, l, nil
}

// FinishUpdateLocked records an update as answered and unlocks its chat.
func (s *Store) FinishUpdateLocked(ctx context.Context, r UpdateRef, l ChatLock) error {
	ctx, cancel := settling(ctx)
	defer cancel()
	if err := finishUnlockScript.Run(ctx, s.rdb, []string{s.updateKey(r), l.key}, "done", l.token, UpdateTTL.Milliseconds()).Err(); err != nil {
		return fmt.Errorf("finish update: %w", err)
	}
	return nil
}

// ReleaseUpdateLocked gives up a claim and unlocks the chat, so that
// Telegram's retry is handled again.
func (s *Store) ReleaseUpdateLocked(ctx context.Context, r UpdateRef, l ChatLock) error {
	ctx, cancel := settling(ctx)
	defer cancel()
	if err := finishUnlockScript.Run(ctx, s.rdb, []string{s.updateKey(r), l.key}, "release", l.token, 0).Err(); err != nil {
		return fmt.Errorf("release update: %w", err)
	}
	return nil
}

func newToken() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

func (s *Store) chatLockKey(chatID int64) string {
	return s.prefix + "{c" + strconv.FormatInt(chatID, 10) + "}:lock"
}

var unlockScript = redis.NewScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`)

// LockChat makes the updates of one chat run one at a time across replicas
// (groups; a resident's own chat is locked by ClaimUpdateLocked),
// so that a multi-step dialogue never interleaves. It waits until the lock is
// free or ctx ends; the lock frees itself after ttl if its holder dies.
func (s *Store) LockChat(ctx context.Context, chatID int64, ttl time.Duration) (unlock func(), err error) {
	token := newToken()
	key := s.chatLockKey(chatID)
	wait := 2 * time.Millisecond
	for {
		ok, err := s.rdb.SetNX(ctx, key, token, ttl).Result()
		if err != nil {
			return nil, fmt.Errorf("lock chat: %w", err)
		}
		if ok {
			return func() {
				uctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
				defer cancel()
				_ = unlockScript.Run(uctx, s.rdb, []string{key}, token).Err()
			}, nil
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("lock chat: %w", ctx.Err())
		case <-time.After(wait):
		}
		wait = min(wait*2, 50*time.Millisecond)
	}
}
