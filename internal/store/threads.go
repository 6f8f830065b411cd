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

// DefaultThreadTTL is how long a question passed to staff can be answered
// unless HANDOFF_RETENTION says otherwise: after it, a reply to it in the
// staff group reaches nobody, and the keys that name its resident are gone.
const DefaultThreadTTL = 30 * 24 * time.Hour

// AskedWindow is the window of the hourly limit of new questions to staff.
const AskedWindow = time.Hour

// WithThreadTTL sets how long a thread lives (HANDOFF_RETENTION); 0 keeps
// the default. It returns s.
func (s *Store) WithThreadTTL(d time.Duration) *Store {
	if d > 0 {
		s.threadTTL = d
	}
	return s
}

// ThreadTTL is how long a thread lives.
func (s *Store) ThreadTTL() time.Duration {
	if s.threadTTL > 0 {
		return s.threadTTL
	}
	return DefaultThreadTTL
}

// threadRecord starts the Record name of a question to staff, followRecord
// of a follow-up in its thread: once sent, the message id Telegram gives it
// names the thread (see the ack).
const (
	threadRecord = "thread:"
	followRecord = "follow:"
)

// ThreadRecord is the Record name of a question to staff from th's resident:
// once sent, a reply to that message in the group finds them (Thread).
func ThreadRecord(th conversation.Thread) string {
	return threadRecord + threadValue(th)
}

// FollowRecord is the Record name of a follow-up in th: once sent, a staff
// reply to it is relayed like one to the question.
func FollowRecord(th conversation.Thread) string {
	return followRecord + threadValue(th)
}

// threadValue is what a thread's message in the group names:
// "<resident>:<lang>[:<thread id>]".
func threadValue(th conversation.Thread) string {
	v := strconv.FormatInt(th.Resident, 10) + ":" + th.Lang
	if th.ID != "" {
		v += ":" + th.ID
	}
	return v
}

// parseThread reads a thread's value.
func parseThread(s string) (conversation.Thread, bool) {
	id, rest, _ := strings.Cut(s, ":")
	lang, tid, _ := strings.Cut(rest, ":")
	n, err := strconv.ParseInt(id, 10, 64)
	if err != nil || n <= 0 {
		return conversation.Thread{}, false
	}
	return conversation.Thread{Resident: n, Lang: lang, ID: tid}, true
}

// threadOf reads a Record name: whether it is a message of a thread, the
// thread, its value, and whether it is the thread's first message.
func threadOf(record string) (th conversation.Thread, value string, root, ok bool) {
	v, root := strings.CutPrefix(record, threadRecord)
	if !root {
		if v, ok = strings.CutPrefix(record, followRecord); !ok {
			return conversation.Thread{}, "", false, false
		}
	}
	th, ok = parseThread(v)
	return th, v, root, ok
}

// Thread returns the resident whose question (or follow-up) message
// messageID in the staff group chat is; false when it is none (or no
// longer answerable).
func (s *Store) Thread(ctx context.Context, chat int64, messageID int) (conversation.Thread, bool, error) {
	v, err := s.rdb.Get(ctx, s.threadKey(chat, messageID)).Result()
	if errors.Is(err, redis.Nil) {
		return conversation.Thread{}, false, nil
	}
	if err != nil {
		return conversation.Thread{}, false, fmt.Errorf("thread: %w", err)
	}
	th, ok := parseThread(v)
	if ok && th.ID != "" {
		root, err := s.rdb.HGet(ctx, s.threadHash(chat, th.Resident, th.ID), "root").Int()
		if errors.Is(err, redis.Nil) {
			return conversation.Thread{}, false, nil // closed or withdrawn a moment ago
		}
		if err != nil {
			return conversation.Thread{}, false, fmt.Errorf("thread: %w", err)
		}
		th.Root = root
	}
	return th, ok, nil
}

// ThreadState is a resident's thread id as Redis has it: Root 0 while the
// question is on its way to the group; Closed when it was closed,
// withdrawn or has expired (or never was).
func (s *Store) ThreadState(ctx context.Context, chat, resident int64, id string) (conversation.Thread, error) {
	th := conversation.Thread{Resident: resident, ID: id}
	root, err := s.rdb.HGet(ctx, s.threadHash(chat, resident, id), "root").Int()
	if errors.Is(err, redis.Nil) {
		th.Closed = true
		return th, nil
	}
	if err != nil {
		return th, fmt.Errorf("thread state: %w", err)
	}
	th.Root = root
	return th, nil
}

// openThreadScript marks a thread open before its question is sent (root
// 0), once however often its update is decided again, with the thread's
// lifetime; and lists it among the resident's. KEYS: thread hash, the
// resident's list. ARGV: member, TTL ms.
var openThreadScript = redis.NewScript(`
if redis.call('EXISTS', KEYS[1]) == 0 then
  redis.call('HSET', KEYS[1], 'root', '0')
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
redis.call('SADD', KEYS[2], ARGV[1])
if redis.call('PTTL', KEYS[2]) < tonumber(ARGV[2]) then redis.call('PEXPIRE', KEYS[2], ARGV[2]) end
return 1`)

// countScript counts one more in a fixed window that begins with the first.
// KEYS: counter. ARGV: window ms.
var countScript = redis.NewScript(`
local n = redis.call('INCR', KEYS[1])
if n == 1 or redis.call('PTTL', KEYS[1]) < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return n`)

// OpenThread marks a resident's new thread open in the staff group chat
// and counts it against their hourly limit. Before the commit of the update
// that sends the question; should that commit fail, its retry opens the
// same thread again harmlessly (and counts it once more).
func (s *Store) OpenThread(ctx context.Context, chat, resident int64, id string) error {
	_, err := s.pipelined(ctx, func(p redis.Pipeliner) {
		openThreadScript.Run(ctx, p, []string{s.threadHash(chat, resident, id), s.threadsKey(chat, resident)}, "t"+id, ms(s.ThreadTTL()))
		countScript.Run(ctx, p, []string{s.askedKey(resident)}, ms(AskedWindow))
	})
	if err != nil {
		return fmt.Errorf("open thread: %w", err)
	}
	return nil
}

// Asked is how many questions the resident passed on to staff in the
// current hour.
func (s *Store) Asked(ctx context.Context, resident int64) (int, error) {
	n, err := s.rdb.Get(ctx, s.askedKey(resident)).Int()
	if errors.Is(err, redis.Nil) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("asked: %w", err)
	}
	return n, nil
}

// CountFollowUp counts a follow-up against the resident's hourly limit.
func (s *Store) CountFollowUp(ctx context.Context, resident int64) error {
	if err := countScript.Run(ctx, s.rdb, []string{s.followUpsKey(resident)}, ms(AskedWindow)).Err(); err != nil {
		return fmt.Errorf("count follow-up: %w", err)
	}
	return nil
}

// FollowUps is how many follow-ups the resident wrote to staff in the
// current hour.
func (s *Store) FollowUps(ctx context.Context, resident int64) (int, error) {
	n, err := s.rdb.Get(ctx, s.followUpsKey(resident)).Int()
	if errors.Is(err, redis.Nil) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("follow-ups: %w", err)
	}
	return n, nil
}

// CloseThread deletes a thread: its hash, every message of it in the group
// naming the resident, and its place in the resident's list. A staff reply
// to any of its messages then reaches nobody.
func (s *Store) CloseThread(ctx context.Context, chat, resident int64, id string) error {
	hash := s.threadHash(chat, resident, id)
	fields, err := s.rdb.HGetAll(ctx, hash).Result()
	if err != nil {
		return fmt.Errorf("close thread: %w", err)
	}
	keys := []string{hash}
	members := []any{"t" + id}
	for f := range fields {
		if m, ok := strings.CutPrefix(f, "m:"); ok {
			if n, err := strconv.Atoi(m); err == nil {
				keys = append(keys, s.threadKey(chat, n))
				members = append(members, m)
			}
		}
	}
	_, err = s.pipelined(ctx, func(p redis.Pipeliner) {
		p.Del(ctx, keys...)
		p.SRem(ctx, s.threadsKey(chat, resident), members...)
	})
	if err != nil {
		return fmt.Errorf("close thread: %w", err)
	}
	return nil
}

// threadListKeys are the keys a resident's list of threads in chat names:
// each message's thread key and each thread's hash.
func (s *Store) threadListKeys(chat, resident int64, members []string) []string {
	var keys []string
	for _, m := range members {
		if id, ok := strings.CutPrefix(m, "t"); ok {
			keys = append(keys, s.threadHash(chat, resident, id))
		} else if n, err := strconv.Atoi(m); err == nil {
			keys = append(keys, s.threadKey(chat, n))
		}
	}
	return keys
}

// ForgetThreads deletes a resident's open questions in the staff group
// chat: a staff reply to them then reaches nobody. For a resident who asks
// for their data to be deleted. The messages in the group itself are the
// group's; the bot keeps no copy of their texts.
func (s *Store) ForgetThreads(ctx context.Context, chat, resident int64) error {
	set := s.threadsKey(chat, resident)
	ids, err := s.rdb.SMembers(ctx, set).Result()
	if err != nil {
		return fmt.Errorf("forget threads: %w", err)
	}
	keys := append([]string{set}, s.threadListKeys(chat, resident, ids)...)
	if err := s.rdb.Del(ctx, keys...).Err(); err != nil {
		return fmt.Errorf("forget threads: %w", err)
	}
	return nil
}
