package deliver

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"sync"
	"time"

	"github.com/integrationsagentur-marl/integrabot/internal/metrics"
	"github.com/integrationsagentur-marl/integrabot/internal/store"
)

// Deliverer runs the delivery workers of one replica.
type Deliverer struct {
	q       Queue
	send    Sender
	lim     Limits
	rates   store.Rates
	settle  time.Duration
	log     *slog.Logger
	m       *metrics.Metrics // may be nil
	replica string

	wake  chan struct{}  // a token lets one idle worker ask for work
	hints chan time.Time // when a worker was told work will be due

	direct *direct
}

// New returns the delivery workers. lease is how long a worker may hold a
// chat (config.Timing.Lease), settle how long its last writes may take.
func New(q Queue, s Sender, lim Limits, lease, settle time.Duration, log *slog.Logger, m *metrics.Metrics) *Deliverer {
	var id [6]byte
	_, _ = rand.Read(id[:])
	d := &Deliverer{
		q: q, send: s, lim: lim, rates: lim.rates(lease), settle: settle, log: log, m: m,
		replica: hex.EncodeToString(id[:]),
		wake:    make(chan struct{}, lim.Workers),
		hints:   make(chan time.Time, lim.Workers),
	}
	d.direct = newDirect(s, lim, log, m)
	return d
}

// Wake tells the workers that messages were committed.
func (d *Deliverer) Wake() {
	select {
	case d.wake <- struct{}{}:
	default:
	}
}

// heartbeat is how often a replica says it is alive; idle how often an idle
// replica looks for work committed by others (its own commits wake it).
const (
	heartbeat = 5 * time.Second
	idle      = 500 * time.Millisecond
)

// Run delivers until ctx ends; each worker finishes the message it is
// sending and hands its chat back first.
func (d *Deliverer) Run(ctx context.Context) error {
	if n, err := d.q.Repair(ctx); err != nil {
		d.log.Warn("could not look for chats with messages left waiting", "err", err)
	} else if n > 0 {
		d.log.Info("chats with messages left waiting found", "chats", n)
	}
	var wg sync.WaitGroup
	for range d.lim.Workers {
		wg.Add(1)
		go func() { defer wg.Done(); d.work(ctx) }()
	}
	wg.Add(1)
	go func() { defer wg.Done(); d.clock(ctx) }()
	d.beat(ctx)
	wg.Wait()
	return nil
}

// beat keeps the count of live replicas (for the rate each may use alone
// with Redis away) and the number of chats waiting.
func (d *Deliverer) beat(ctx context.Context) {
	t := time.NewTicker(heartbeat)
	defer t.Stop()
	for {
		if n, err := d.q.Heartbeat(ctx, d.replica, 3*heartbeat); err == nil {
			d.direct.setReplicas(n)
		} else if ctx.Err() == nil {
			d.redisError("heartbeat", err)
		}
		if r, b, err := d.q.Waiting(ctx); err == nil {
			d.m.SetOutboxDepth(int(r + b))
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// clock wakes a worker when work falls due, and now and then anyway, for
// work another replica committed.
func (d *Deliverer) clock(ctx context.Context) {
	next := time.Now().Add(idle)
	t := time.NewTimer(idle)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case h := <-d.hints:
			if h.Before(next) {
				next = h
				t.Reset(time.Until(h))
			}
		case <-t.C:
			d.Wake()
			next = time.Now().Add(idle)
			t.Reset(idle)
		}
	}
}

func (d *Deliverer) hint(wait time.Duration) {
	select {
	case d.hints <- time.Now().Add(wait):
	default:
	}
}

// work is one worker: take a chat, send its next message, hand it back
// (with the next take, in one round trip).
func (d *Deliverer) work(ctx context.Context) {
	rel := store.Release{}
	pause := 50 * time.Millisecond
	for {
		if ctx.Err() != nil {
			if rel.Chat != 0 {
				sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), d.settle)
				if _, _, _, err := d.q.Take(sctx, d.rates, rel, false); err != nil {
					d.log.Warn("could not hand a chat back; it is free again when its lease ends", "err", err)
				}
				cancel()
			}
			return
		}
		tk, wait, ok, err := d.q.Take(ctx, d.rates, rel, true)
		if err != nil {
			if ctx.Err() == nil {
				d.redisError("take", err)
				sleep(ctx, pause)
				pause = min(pause*2, 2*time.Second)
			}
			continue // rel is handed back with the next take
		}
		pause = 50 * time.Millisecond
		rel = store.Release{}
		if !ok {
			d.hint(wait)
			select {
			case <-ctx.Done():
			case <-d.wake:
			}
			continue
		}
		d.Wake() // there may be more: let another worker look
		rel = d.deliver(ctx, tk)
	}
}

// deliver sends the head message of a chat the worker holds and says how
// to hand the chat back.
func (d *Deliverer) deliver(ctx context.Context, tk store.Taken) store.Release {
	m, found, err := d.q.Head(ctx, tk.Chat)
	if err != nil && !found {
		d.redisError("head", err)
		return store.Release{Chat: tk.Chat, Lane: "r", After: time.Second}
	}
	if !found {
		return store.Release{Chat: tk.Chat}
	}
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), d.settle)
	defer cancel()
	if err != nil { // an entry that cannot be read: drop it, go on with the next
		d.log.Error("message in the queue not readable; dropped", "chat_id", m.Chat, "message", m.ID, "err", err)
		lane, _ := d.q.Ack(sctx, m, store.Dropped, 0)
		return store.Release{Chat: tk.Chat, Lane: lane}
	}
	res := d.send.Send(ctx, m.Chat, m.Payload, m.Record != "")
	rel := store.Release{Chat: m.Chat}
	var outcome store.Outcome
	switch res.Kind {
	case Delivered:
		outcome, rel.After = store.Sent, d.lim.gap(m.Chat)
		d.m.Message("sent")
	case SlowDown: // not the message's fault: it goes again after the pause, untouched
		d.log.Warn("telegram asks the bot to slow down", "retry_after", res.RetryAfter)
		return store.Release{Chat: m.Chat, Lane: laneName(m), After: res.RetryAfter, Pause: res.RetryAfter}
	case ChatGone:
		outcome = store.Gone
		d.log.Info("chat gone: its messages are dropped", "chat_id", m.Chat)
		d.m.Message("gone")
	case Refused:
		outcome = store.Dropped
		d.log.Error("message refused by telegram; dropped", "chat_id", m.Chat, "message", m.ID, "err", res.Err)
		d.m.Message("refused")
	default:
		if m.Tries+1 >= d.lim.MaxTries {
			outcome = store.Dropped
			d.log.Error("message given up after its tries", "chat_id", m.Chat, "message", m.ID, "tries", m.Tries+1, "err", res.Err)
			d.m.Message("given_up")
		} else {
			outcome, rel.After = store.Retry, backoff(m.Tries)
			d.log.Warn("send failed; trying again", "chat_id", m.Chat, "message", m.ID, "try", m.Tries+1, "in", rel.After, "err", res.Err)
			d.m.Message("retried")
		}
	}
	lane, err := d.q.Ack(sctx, m, outcome, res.MessageID)
	if err != nil {
		// it may go again: a duplicate at most, never a loss
		d.redisError("ack", err)
		lane = laneName(m)
	}
	rel.Lane = lane
	return rel
}

func laneName(m store.Queued) string {
	if m.Lane == 0 {
		return "r"
	}
	return "b"
}

func (d *Deliverer) redisError(op string, err error) {
	d.m.RedisError(op)
	d.log.Warn("redis failed in delivery", "op", op, "err", err)
}

func sleep(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}
