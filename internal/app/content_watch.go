package app

import (
	"context"
	"log/slog"
	"sync"
	"time"
)

// reloadCounter is where the staff's reloads are counted for all replicas
// (the store).
type reloadCounter interface {
	ContentReloads(ctx context.Context) (int64, error)
	CountContentReload(ctx context.Context) (int64, error)
}

// contentWatch makes a reload by the staff's button reach every replica:
// the replica that took the press counts it in Redis, and every replica
// that sees the count grow loads its own content folder again within a
// poll. A replica's own reload is not done twice.
type contentWatch struct {
	counter reloadCounter
	reload  func() // checks and loads this replica's folder
	poll    time.Duration
	log     *slog.Logger

	mu   sync.Mutex
	seen int64 // the count this replica's content is up to
	read bool  // seen was read from Redis (at start, the count is taken as it is)
}

func newContentWatch(c reloadCounter, reload func(), poll time.Duration, log *slog.Logger) *contentWatch {
	if poll <= 0 {
		poll = 2 * time.Second
	}
	return &contentWatch{counter: c, reload: reload, poll: poll, log: log}
}

// Run follows the count until ctx ends.
func (w *contentWatch) Run(ctx context.Context) error {
	t := time.NewTicker(w.poll)
	defer t.Stop()
	for {
		w.check(ctx)
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

func (w *contentWatch) check(ctx context.Context) {
	n, err := w.counter.ContentReloads(ctx)
	if err != nil {
		if ctx.Err() == nil {
			w.log.Warn("could not look whether staff reloaded the content; retrying", "err", err)
		}
		return
	}
	w.mu.Lock()
	behind := w.read && n > w.seen
	if !w.read || n > w.seen {
		w.seen, w.read = n, true
	}
	w.mu.Unlock()
	if behind {
		w.log.Info("staff reloaded the content on another replica; loading it here too")
		w.reload()
	}
}

// reloaded counts a reload this replica did, for the others to follow.
func (w *contentWatch) reloaded(ctx context.Context) {
	n, err := w.counter.CountContentReload(ctx)
	if err != nil {
		w.log.Warn("content reloaded here, but the other replicas could not be told; they load it at their next reload", "err", err)
		return
	}
	w.mu.Lock()
	if n > w.seen {
		w.seen, w.read = n, true
	}
	w.mu.Unlock()
}
