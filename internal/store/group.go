package store

import (
	"context"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
)

// marks records keys with a value and a TTL, grouping the calls that come
// while one is on its way to Redis into one pipeline: under load, one round
// trip records the answered updates of many workers. Each call still
// returns only once its own key is written.
type marks struct {
	rdb   redis.UniversalClient
	value string
	ttl   time.Duration
	turn  chan struct{} // held by the call writing a group

	mu      sync.Mutex
	pending []*mark
}

type mark struct {
	key  string
	done chan error // gets the result once
}

func newMarks(rdb redis.UniversalClient, value string, ttl time.Duration) *marks {
	return &marks{rdb: rdb, value: value, ttl: ttl, turn: make(chan struct{}, 1)}
}

// set writes key, together with the keys of the calls waiting meanwhile.
func (m *marks) set(ctx context.Context, key string) error {
	me := &mark{key: key, done: make(chan error, 1)}
	m.mu.Lock()
	m.pending = append(m.pending, me)
	m.mu.Unlock()
	for {
		select {
		case err := <-me.done:
			return err
		case m.turn <- struct{}{}:
			m.writeGroup(ctx)
			<-m.turn
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// writeGroup writes every pending key in one pipeline and tells each caller.
func (m *marks) writeGroup(ctx context.Context) {
	m.mu.Lock()
	group := m.pending
	m.pending = nil
	m.mu.Unlock()
	if len(group) == 0 {
		return
	}
	// a caller whose ctx ended still has its key written: it was answered
	ctx = context.WithoutCancel(ctx)
	cmds, err := m.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for _, g := range group {
			p.Set(ctx, g.key, m.value, m.ttl)
		}
		return nil
	})
	for i, g := range group {
		e := err
		if i < len(cmds) {
			e = cmds[i].Err()
		}
		g.done <- e
	}
}
