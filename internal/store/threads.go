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

// ThreadTTL is how long a question passed to staff can be answered: after
// it, a reply to it in the staff group reaches nobody, and the key that
// names its resident is gone.
const ThreadTTL = 30 * 24 * time.Hour

// threadRecord starts the Record name of a question to staff: once it is
// sent, the message id Telegram gives it names the thread (see the ack).
const threadRecord = "thread:"

// ThreadRecord is the Record name of a question to staff from th's resident:
// once sent, a reply to that message in the group finds them (Thread).
func ThreadRecord(th conversation.Thread) string {
	return threadRecord + strconv.FormatInt(th.Resident, 10) + ":" + th.Lang
}

// parseThread reads a thread's value: "<resident>:<lang>".
func parseThread(s string) (conversation.Thread, bool) {
	id, lang, _ := strings.Cut(s, ":")
	n, err := strconv.ParseInt(id, 10, 64)
	if err != nil || n <= 0 {
		return conversation.Thread{}, false
	}
	return conversation.Thread{Resident: n, Lang: lang}, true
}

// threadOf reads a Record name: whether it opens a thread, and its value.
func threadOf(record string) (conversation.Thread, string, bool) {
	v, ok := strings.CutPrefix(record, threadRecord)
	if !ok {
		return conversation.Thread{}, "", false
	}
	th, ok := parseThread(v)
	return th, v, ok
}

// Thread returns the resident whose question message messageID in the staff
// group chat is; false when it is none (or no longer answerable).
func (s *Store) Thread(ctx context.Context, chat int64, messageID int) (conversation.Thread, bool, error) {
	v, err := s.rdb.Get(ctx, s.threadKey(chat, messageID)).Result()
	if errors.Is(err, redis.Nil) {
		return conversation.Thread{}, false, nil
	}
	if err != nil {
		return conversation.Thread{}, false, fmt.Errorf("thread: %w", err)
	}
	th, ok := parseThread(v)
	return th, ok, nil
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
	keys := []string{set}
	for _, id := range ids {
		if n, err := strconv.Atoi(id); err == nil {
			keys = append(keys, s.threadKey(chat, n))
		}
	}
	if err := s.rdb.Del(ctx, keys...).Err(); err != nil {
		return fmt.Errorf("forget threads: %w", err)
	}
	return nil
}
