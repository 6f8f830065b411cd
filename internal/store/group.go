package store

import (
	"context"
	"sync"

	"github.com/redis/go-redis/v9"
)

// grouper sends the commands of calls that come while a round trip is on
// its way together, in the next pipeline: under load, one round trip
// claims or commits the updates of many workers, and records what became of
// many messages. Each call still returns only once its own commands have an
// answer, and reads its own results: one call's failure is not another's.
type grouper struct {
	s    *Store
	turn chan struct{} // held by the call writing a group

	mu      sync.Mutex
	pending []*groupCall
}

type groupCall struct {
	add  func(p redis.Pipeliner) // queues the call's commands
	done chan struct{}
}

func newGrouper(s *Store) *grouper {
	return &grouper{s: s, turn: make(chan struct{}, 1)}
}

// do runs add's commands in a pipeline, together with those of the calls
// waiting meanwhile. add may be called more than once (when Redis had to
// learn a script first); the commands it queued last hold the results.
func (g *grouper) do(ctx context.Context, add func(p redis.Pipeliner)) {
	me := &groupCall{add: add, done: make(chan struct{})}
	g.mu.Lock()
	g.pending = append(g.pending, me)
	g.mu.Unlock()
	for {
		select {
		case <-me.done:
			return
		case g.turn <- struct{}{}:
			g.flush(ctx)
			<-g.turn
		}
	}
}

// flush writes every pending call's commands in one pipeline. It runs to the
// end even when the caller's ctx ended: the other calls wait for it.
func (g *grouper) flush(ctx context.Context) {
	g.mu.Lock()
	group := g.pending
	g.pending = nil
	g.mu.Unlock()
	if len(group) == 0 {
		return
	}
	ctx, cancel := g.s.settling(ctx)
	defer cancel()
	_, _ = g.s.pipelined(ctx, func(p redis.Pipeliner) {
		for _, c := range group {
			c.add(p)
		}
	})
	for _, c := range group {
		close(c.done)
	}
}
