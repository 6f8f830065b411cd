package telegram

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/go-telegram/bot/models"

	"github.com/integrationsagentur-marl/integrabot/internal/decide"
)

// intake commits polled updates: the updates of one chat one after the
// other, different chats in parallel on a few workers, oldest first. It
// knows which updates are not committed yet, and so how far Telegram may be
// told that updates are done. Committing takes milliseconds (sending is the
// delivery workers' job), so a resident who writes a hundred messages holds
// up nobody.
type intake struct {
	p    *Polling
	ctx  context.Context // updates are answered under it
	wake *sync.Cond      // on mu: work came, or closing

	mu      sync.Mutex
	change  chan struct{}              // closed and replaced when an update is answered
	last    int64                      // the highest update id fetched
	chats   map[int64][]*models.Update // each chat's fetched updates not yet answered, in order
	ready   []int64                    // chats whose next update no worker has yet, oldest first
	closing bool                       // no more updates come: workers stop when nothing is ready
	workers sync.WaitGroup
}

// newIntake starts the workers; they answer under ctx.
func newIntake(ctx context.Context, p *Polling) *intake {
	in := &intake{p: p, ctx: ctx, change: make(chan struct{}), chats: map[int64][]*models.Update{}}
	in.wake = sync.NewCond(&in.mu)
	for range p.workers {
		in.workers.Add(1)
		go in.work()
	}
	return in
}

// position is where the intake stands.
type position struct {
	offset int64           // the getUpdates offset that confirms exactly the answered updates (0 before the first fetch)
	last   int64           // the highest update id fetched
	room   int             // how many new updates a fetch from offset can bring
	idle   bool            // nothing is being answered
	change <-chan struct{} // closed when the next update is answered
}

func (in *intake) position() position {
	in.mu.Lock()
	defer in.mu.Unlock()
	p := position{last: in.last, idle: len(in.chats) == 0, change: in.change, room: fetchLimit}
	if in.last == 0 {
		return p
	}
	p.offset = in.last + 1
	for _, queue := range in.chats { // the oldest unanswered update of each chat
		p.offset = min(p.offset, queue[0].ID)
	}
	p.room = fetchLimit - int(in.last+1-p.offset)
	return p
}

// add takes the updates not seen before and returns how many there were.
func (in *intake) add(ups []models.Update) int {
	in.mu.Lock()
	defer in.mu.Unlock()
	n := 0
	for i := range ups {
		u := &ups[i]
		if u.ID <= in.last {
			continue // fetched before: being answered, or answered
		}
		in.last = u.ID
		n++
		key := ChatOf(u)
		queue, busy := in.chats[key]
		in.chats[key] = append(queue, u)
		if !busy {
			in.ready = append(in.ready, key)
			in.wake.Signal()
		}
	}
	return n
}

// work answers the next update of the chat that waited longest, until the
// intake closes and nothing is left.
func (in *intake) work() {
	defer in.workers.Done()
	for {
		in.mu.Lock()
		for len(in.ready) == 0 && !in.closing {
			in.wake.Wait()
		}
		if len(in.ready) == 0 {
			in.mu.Unlock()
			return
		}
		key := in.ready[0]
		in.ready = in.ready[1:]
		u := in.chats[key][0]
		in.mu.Unlock()

		if !in.answer(u) {
			return // stopping: the update stays unconfirmed and comes again after restart
		}

		in.mu.Lock()
		if rest := in.chats[key][1:]; len(rest) > 0 {
			in.chats[key] = rest
			in.ready = append(in.ready, key) // behind the chats that waited meanwhile
		} else {
			delete(in.chats, key)
		}
		close(in.change)
		in.change = make(chan struct{})
		in.mu.Unlock()
	}
}

// maxTries bounds how often an update is tried before it is answered
// without Redis: a failure that never mends must not hold up the chat, nor
// the offset, for ever.
const maxTries = 5

// answer commits u, trying again while a failure may mend; the chat's later
// updates wait meanwhile. An update another process still holds (the old
// process of a rolling deploy) is waited for, never taken over: its claim
// ends within Timing.Claim. It returns false when the intake's context
// ended first.
func (in *intake) answer(u *models.Update) bool {
	backoff := 100 * time.Millisecond
	for try := 1; ; try++ {
		err := in.p.updates.Process(in.ctx, u, false)
		if err == nil {
			return true
		}
		if in.ctx.Err() != nil {
			return false
		}
		busy := errors.Is(err, decide.ErrBusy)
		if !busy && try >= maxTries {
			in.p.log.Error("update could not be committed; answering it without redis", "update_id", u.ID, "tries", try, "err", err)
			if err := in.p.updates.Last(in.ctx, u); err != nil {
				in.p.log.Error("update given up", "update_id", u.ID, "err", err)
			}
			return true
		}
		if !busy {
			in.p.log.Warn("update not committed; trying again", "update_id", u.ID, "in", backoff, "err", err)
		}
		sleepCtx(in.ctx, backoff)
		backoff = min(backoff*2, 2*time.Second)
	}
}

// waitChange waits until change is closed (an update was answered since
// the channel was taken), ctx ends or d passes.
func waitChange(ctx context.Context, change <-chan struct{}, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-change:
	case <-ctx.Done():
	case <-t.C:
	}
}

// close lets the workers answer what was fetched and waits up to d for
// them. It reports whether all was answered.
func (in *intake) close(d time.Duration) bool {
	in.mu.Lock()
	in.closing = true
	in.wake.Broadcast()
	in.mu.Unlock()
	done := make(chan struct{})
	go func() { in.workers.Wait(); close(done) }()
	select {
	case <-done:
		return true
	case <-time.After(d):
		return false
	}
}
