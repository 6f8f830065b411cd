package store

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"

	"github.com/redis/go-redis/v9"
)

// Forgetting a resident deletes every key that names them and removes their
// id from every shared set. What is in their own slot, and their states in
// groups, are found by walking the keys once: the dedupe keys carry the id
// in their names anyway, so an index of the groups would save nothing and
// cost a write on every group message. A deletion is rare. The updates of
// their private chat that are done are in its record, deleted as a whole
// (claims in flight are keys of their own, another update's); update keys
// an earlier release marked done are found by the walk.

// forgetting is what deleting a resident's data found to delete.
type forgetting struct {
	user    int64
	slot    []string // keys in their slot to delete: dedupe keys
	updates []string // update keys in their slot: claims, or done marks of an earlier release (deleted)
	groups  []int64  // group chats with a state of theirs
	floods  []string // their flood counts in groups
	topics  []string // topics whose index of followers lists them
	threads []string // their questions in staff groups, and the lists of them
}

// forgetDoneScript deletes the update keys that say done (as an earlier
// release wrote them); a claim in flight belongs to an update still being
// handled. KEYS: update keys of one slot.
var forgetDoneScript = redis.NewScript(`
for i = 1, #KEYS do
  if redis.call('GET', KEYS[i]) == 'done' then redis.call('DEL', KEYS[i]) end
end
return 1`)

// findForget walks the keys for what names the resident.
func (s *Store) findForget(ctx context.Context, user int64) (forgetting, error) {
	f := forgetting{user: user}
	id := strconv.FormatInt(user, 10)
	own := s.tag(user) + ":"
	err := s.scan(ctx, own+"*", func(key string) {
		switch rest := strings.TrimPrefix(key, own); {
		case strings.HasPrefix(rest, "dup:"):
			f.slot = append(f.slot, key)
		case strings.HasPrefix(rest, "upd:"):
			f.updates = append(f.updates, key)
		}
	})
	if err == nil {
		err = s.scan(ctx, s.prefix+"{c*}:st:"+id, func(key string) {
			if chat, ok := s.groupKeyChat(key, "st", user); ok {
				f.groups = append(f.groups, chat)
			}
		})
	}
	if err == nil {
		err = s.scan(ctx, s.prefix+"{c*}:flood:"+id, func(key string) {
			if _, ok := s.groupKeyChat(key, "flood", user); ok {
				f.floods = append(f.floods, key)
			}
		})
	}
	var lists []string
	if err == nil {
		err = s.scan(ctx, s.prefix+"{c*}:threads:"+id, func(key string) { lists = append(lists, key) })
	}
	for _, list := range lists {
		chat, ok := s.groupKeyChat(list, "threads", user)
		if !ok || err != nil {
			continue
		}
		var ids []string
		if ids, err = s.rdb.SMembers(ctx, list).Result(); err == nil {
			f.threads = append(f.threads, list)
			f.threads = append(f.threads, s.threadListKeys(chat, user, ids)...)
		}
	}
	if err != nil {
		return f, fmt.Errorf("forget %d: %w", user, err)
	}
	topics, err := s.topics(ctx, user)
	if err != nil {
		return f, fmt.Errorf("forget %d: %w", user, err)
	}
	if len(topics) > 0 {
		member := make([]*redis.BoolCmd, len(topics))
		_, err = s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
			for i, topic := range topics {
				member[i] = p.SIsMember(ctx, s.followersKey(topic, user), user)
			}
			return nil
		})
		if err != nil {
			return f, fmt.Errorf("forget %d: %w", user, err)
		}
		for i, topic := range topics {
			if member[i].Val() {
				f.topics = append(f.topics, topic)
			}
		}
	}
	return f, nil
}

// topics lists every topic that has followers in the bucket of user.
func (s *Store) topics(ctx context.Context, user int64) ([]string, error) {
	var out []string
	head, tail := s.global("subs:"), ":"+strconv.FormatInt(bucket(user), 10)
	err := s.scan(ctx, head+"*"+tail, func(key string) {
		if topic, ok := strings.CutSuffix(strings.TrimPrefix(key, head), tail); ok && topic != "" {
			out = append(out, topic)
		}
	})
	return out, err
}

// groupKeyChat reads the group from the key of a resident's state (kind
// "st") or flood count ("flood") in it.
func (s *Store) groupKeyChat(key, kind string, user int64) (int64, bool) {
	rest, ok := strings.CutPrefix(key, s.prefix+"{c")
	if !ok {
		return 0, false
	}
	chat, u, ok := strings.Cut(rest, "}:"+kind+":")
	if !ok || u != strconv.FormatInt(user, 10) {
		return 0, false
	}
	n, err := strconv.ParseInt(chat, 10, 64)
	return n, err == nil && n != 0
}

// forgetBefore queues the deletions that come before the commit of ref,
// the update that asked: everything but the state in ref's chat (the commit
// deletes it with the confirmation, so that a failed commit leaves the
// question standing for the retry), ref's own claim, and the reply queue
// the confirmation goes to. Each is safe to repeat. The private chat's done
// updates go with its record (asked there, in the commit); the done set and
// flood count a release before kept for it go here, and update keys an
// earlier release marked done first (forgetMarks).
func (s *Store) forgetBefore(ctx context.Context, p redis.Pipeliner, f forgetting, ref UpdateRef) {
	user := f.user
	del := append([]string{s.goneKey(user), s.sentKey(user), s.bulkQ(user), s.floodKey(user, user), s.askedKey(user), s.followUpsKey(user), s.doneKey(user)}, f.slot...)
	if ref.Chat != user {
		del = append(del, s.stateKey(user), s.replyQ(user))
	}
	p.Del(ctx, del...)
	for _, g := range f.groups {
		if g != ref.Chat {
			p.Del(ctx, s.convKey(g, user)) // one slot per group
		}
	}
	for _, k := range f.floods {
		p.Del(ctx, k)
	}
	for _, k := range f.threads { // a late staff reply then reaches nobody
		p.Del(ctx, k)
	}
}

// forgetMarks deletes the resident's update keys an earlier release marked
// done, but ref's. Not in the commit's pipeline: a script Redis does not know yet
// would have the whole pipeline sent again, and the commit, done the first
// time, would then count as lost.
func (s *Store) forgetMarks(ctx context.Context, f forgetting, ref UpdateRef) error {
	var marks []string
	for _, k := range f.updates {
		if k != s.updateKey(ref.Chat, ref.ID) {
			marks = append(marks, k)
		}
	}
	if len(marks) == 0 {
		return nil
	}
	if err := forgetDoneScript.Run(ctx, s.rdb, marks).Err(); err != nil {
		return fmt.Errorf("forget %d: %w", f.user, err)
	}
	return nil
}

// forgetShared queues the removal of the resident from the sets all
// replicas share: the residents index, and, when nothing is left to send
// them, the chats ready to be sent to.
func (s *Store) forgetShared(ctx context.Context, p redis.Pipeliner, user int64, nothingToSend bool) {
	p.ZRem(ctx, s.seenKey(user), user)
	p.ZRem(ctx, s.oldSeen(), user) // not yet moved into its bucket
	if nothingToSend {
		p.ZRem(ctx, s.global("ready:r"), user)
		p.ZRem(ctx, s.global("ready:b"), user)
		p.ZRem(ctx, s.global("pace"), user)
		p.SRem(ctx, s.global("dirty"), user)
	}
}

// forgetAfter removes the resident from the indexes of followers (only now:
// the states that listed them are gone).
func (s *Store) forgetAfter(ctx context.Context, user int64, topics []string) error {
	_, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for _, topic := range topics {
			p.SRem(ctx, s.followersKey(topic, user), user)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("forget %d: %w", user, err)
	}
	return nil
}

// Forget deletes everything stored about a resident, queued messages
// included: for the terminal chat, whose answers are not queued.
func (s *Store) Forget(ctx context.Context, userID int64) error {
	f, err := s.findForget(ctx, userID)
	if err == nil {
		err = s.forgetMarks(ctx, f, UpdateRef{})
	}
	if err != nil {
		return err
	}
	_, err = s.pipelined(ctx, func(p redis.Pipeliner) {
		s.forgetBefore(ctx, p, f, UpdateRef{})
		s.forgetShared(ctx, p, userID, true)
	})
	if err != nil {
		return fmt.Errorf("forget %d: %w", userID, err)
	}
	return s.forgetAfter(ctx, userID, f.topics)
}

// scan calls fn with every key matching pattern, on every master of a
// cluster.
func (s *Store) scan(ctx context.Context, pattern string, fn func(key string)) error {
	var mu sync.Mutex // the masters are walked at once
	walk := func(ctx context.Context, c redis.UniversalClient) error {
		iter := c.Scan(ctx, 0, pattern, 1000).Iterator()
		for iter.Next(ctx) {
			mu.Lock()
			fn(iter.Val())
			mu.Unlock()
		}
		return iter.Err()
	}
	if cc, ok := s.rdb.(*redis.ClusterClient); ok {
		return cc.ForEachMaster(ctx, func(ctx context.Context, c *redis.Client) error { return walk(ctx, c) })
	}
	return walk(ctx, s.rdb)
}
