package store

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/integrationsagentur-marl/integrabot/internal/conversation"
)

// The followers of a topic are an index beside the truth, which is the
// resident's state: a subscription is added to the index before the state
// that holds it is committed, and removed after the state that drops it is.
// So the index is never short of a follower; a stale member (a commit that
// failed, a state that expired) is found and removed when a reminder walks
// the index.

// followerBuckets spreads a topic's followers over sets small enough for
// Redis to keep as packed integers (at most 512 ids each by default: 8 bytes
// a member instead of about 60 in a hash table), up to 131,072 followers
// per topic before a bucket grows past that.
const followerBuckets = 256

func (s *Store) followersKey(topic string, id int64) string {
	return s.global("subs:" + topic + ":" + strconv.FormatInt(bucket(id), 10))
}

func bucket(id int64) int64 {
	b := id % followerBuckets
	if b < 0 {
		b = -b
	}
	return b
}

// Followers returns one page of a topic's followers: the ids and the
// cursor of the next page (0: that was the last). count is about how many
// ids a page should hold when the buckets are full.
func (s *Store) Followers(ctx context.Context, topic string, cursor uint64, count int64) ([]int64, uint64, error) {
	per := max((count+15)/16, 1) // buckets a page reads: a page of 500 reads 32 of them
	var cmds []*redis.StringSliceCmd
	_, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for b := int64(cursor); b < int64(cursor)+per && b < followerBuckets; b++ {
			cmds = append(cmds, p.SMembers(ctx, s.followersKey(topic, b)))
		}
		return nil
	})
	if err != nil {
		return nil, 0, fmt.Errorf("followers of %s: %w", topic, err)
	}
	var ids []int64
	for _, c := range cmds {
		for _, m := range c.Val() {
			if id, err := strconv.ParseInt(m, 10, 64); err == nil {
				ids = append(ids, id)
			}
		}
	}
	next := cursor + uint64(per)
	if next >= followerBuckets {
		next = 0
	}
	return ids, next, nil
}

// FollowerCount is how many residents follow topic (stale members included
// until a reminder walks them).
func (s *Store) FollowerCount(ctx context.Context, topic string) (int64, error) {
	cmds := make([]*redis.IntCmd, followerBuckets)
	_, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for b := range cmds {
			cmds[b] = p.SCard(ctx, s.followersKey(topic, int64(b)))
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("followers of %s: %w", topic, err)
	}
	var n int64
	for _, c := range cmds {
		n += c.Val()
	}
	return n, nil
}

// Unfollow removes residents from a topic's index: their state is gone or
// no longer lists the topic.
func (s *Store) Unfollow(ctx context.Context, topic string, ids ...int64) error {
	if err := s.byBucket(ctx, topic, ids, func(p redis.Pipeliner, key string, members []any) { p.SRem(ctx, key, members...) }); err != nil {
		return fmt.Errorf("unfollow %s: %w", topic, err)
	}
	return nil
}

// byBucket runs one command per bucket of ids, in one round trip.
func (s *Store) byBucket(ctx context.Context, topic string, ids []int64, cmd func(p redis.Pipeliner, key string, members []any)) error {
	if len(ids) == 0 {
		return nil
	}
	groups := map[int64][]any{}
	for _, id := range ids {
		groups[bucket(id)] = append(groups[bucket(id)], id)
	}
	_, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for b, members := range groups {
			cmd(p, s.followersKey(topic, b), members)
		}
		return nil
	})
	return err
}

// EndSubscriptions ends everything a resident follows: they blocked the bot.
// Their state keeps the language and loses the subscriptions, and the
// index forgets them.
func (s *Store) EndSubscriptions(ctx context.Context, userID int64) error {
	key := s.stateKey(userID)
	var topics []string
	err := s.rdb.Watch(ctx, func(tx *redis.Tx) error {
		data, err := tx.Get(ctx, key).Result()
		if errors.Is(err, redis.Nil) {
			return nil
		}
		if err != nil {
			return err
		}
		rec, err := parseRecord(data)
		if err != nil {
			return err
		}
		st, err := decodeState(rec.state)
		if err != nil || len(st.Subs) == 0 {
			return err
		}
		topics, st.Subs = st.Subs, nil
		if rec.state, err = encodeState(st); err != nil {
			return err
		}
		_, err = tx.TxPipelined(ctx, func(p redis.Pipeliner) error {
			p.SetArgs(ctx, key, rec.String(), redis.SetArgs{KeepTTL: true}) // its done updates and count stay
			return nil
		})
		return err
	}, key)
	if err != nil {
		return fmt.Errorf("end subscriptions: %w", err)
	}
	for _, topic := range topics {
		if err := s.Unfollow(ctx, topic, userID); err != nil {
			return err
		}
	}
	return nil
}

// Recipient is a follower as a reminder finds them.
type Recipient struct {
	ID    int64
	State *conversation.State // nil: nothing stored any more (expired or forgotten)
	Gone  bool                // they blocked the bot
}

// Recipients reads the private-chat state and the gone mark of many
// residents in one round trip.
func (s *Store) Recipients(ctx context.Context, ids []int64) ([]Recipient, error) {
	states := make([]*redis.StringCmd, len(ids))
	gone := make([]*redis.IntCmd, len(ids))
	_, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, id := range ids {
			states[i] = p.Get(ctx, s.stateKey(id))
			gone[i] = p.Exists(ctx, s.goneKey(id))
		}
		return nil
	})
	if err != nil && !errors.Is(err, redis.Nil) {
		return nil, fmt.Errorf("recipients: %w", err)
	}
	out := make([]Recipient, len(ids))
	for i, id := range ids {
		out[i] = Recipient{ID: id, Gone: gone[i].Val() == 1}
		rec, err := parseRecord(states[i].Val())
		if err != nil || rec.state == "" {
			continue // nothing stored (redis.Nil), or only updates done
		}
		if st, err := decodeState(rec.state); err == nil {
			out[i].State = &st
		}
	}
	return out, nil
}

// pushOnceScript adds a bulk message to a resident's queue once per id,
// unless they blocked the bot. KEYS: queue, dedupe key, gone. ARGV: entry,
// queue TTL s, dedupe TTL s. Returns 1 pushed, 0 pushed before, 2 gone.
var pushOnceScript = redis.NewScript(`
if redis.call('EXISTS', KEYS[3]) == 1 then return 2 end
if not redis.call('SET', KEYS[2], '1', 'NX', 'EX', ARGV[3]) then return 0 end
redis.call('RPUSH', KEYS[1], ARGV[1])
redis.call('EXPIRE', KEYS[1], ARGV[2])
return 1`)

// Pushed counts what PushOnce did.
type Pushed struct{ New, Before, Gone int }

// PushOnce commits bulk messages to residents' private chats, each once by
// its id however often it is pushed (the dedupe key lives for dedupe), and
// makes the chats ready for delivery, in one round trip.
func (s *Store) PushOnce(ctx context.Context, msgs []Outgoing, dedupe time.Duration) (Pushed, error) {
	var res Pushed
	if len(msgs) == 0 {
		return res, nil
	}
	dedupe = max(dedupe, QueueTTL)
	cmds := make([]*redis.Cmd, len(msgs))
	_, err := s.pipelined(ctx, func(p redis.Pipeliner) {
		for i, o := range msgs {
			cmds[i] = pushOnceScript.Run(ctx, p, []string{s.bulkQ(o.Chat), s.dupKey(o.Chat, o.ID), s.goneKey(o.Chat)},
				entry(o, 0), int64(QueueTTL/time.Second), int64(dedupe/time.Second))
			enqueueScript.Run(ctx, p, s.readyKeys(), strconv.FormatInt(o.Chat, 10), "b")
		}
	})
	if err != nil {
		return res, fmt.Errorf("push: %w", err)
	}
	for _, c := range cmds {
		switch n, _ := c.Int(); n {
		case 1:
			res.New++
		case 2:
			res.Gone++
		default:
			res.Before++
		}
	}
	return res, nil
}

// Follow adds residents to a topic's index (their state must list the
// topic too; the commit does both for a resident's own choice).
func (s *Store) Follow(ctx context.Context, topic string, ids ...int64) error {
	if err := s.byBucket(ctx, topic, ids, func(p redis.Pipeliner, key string, members []any) { p.SAdd(ctx, key, members...) }); err != nil {
		return fmt.Errorf("follow %s: %w", topic, err)
	}
	return nil
}

// Pending returns the payloads committed to a chat and not yet sent,
// replies first: what a data access request shows, and what tests read.
func (s *Store) Pending(ctx context.Context, chat int64) ([][]byte, error) {
	var out [][]byte
	for _, q := range []string{s.replyQ(chat), s.bulkQ(chat)} {
		entries, err := s.rdb.LRange(ctx, q, 0, -1).Result()
		if err != nil {
			return nil, fmt.Errorf("pending: %w", err)
		}
		for _, e := range entries {
			if _, _, _, p, ok := parseEntry(e); ok {
				out = append(out, p)
			}
		}
	}
	return out, nil
}
