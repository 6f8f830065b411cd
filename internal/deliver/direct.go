package deliver

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/time/rate"

	"github.com/integrationsagentur-marl/integrabot/internal/metrics"
)

// direct sends without Redis, while it is away: the bot still answers
// residents from what it knows. Without Redis the replicas cannot share the
// rate, so each keeps to its share of it, by the number of replicas seen
// last; chats keep their pace on this replica.
type direct struct {
	send Sender
	lim  Limits
	log  *slog.Logger
	m    *metrics.Metrics

	replicas atomic.Int64
	global   *rate.Limiter

	mu    sync.Mutex
	chats map[int64]time.Time // when each chat may be sent to next
}

func newDirect(s Sender, lim Limits, log *slog.Logger, m *metrics.Metrics) *direct {
	d := &direct{send: s, lim: lim, log: log, m: m, chats: map[int64]time.Time{}, global: rate.NewLimiter(rate.Limit(lim.Rate), 1)}
	d.replicas.Store(1)
	return d
}

func (d *direct) setReplicas(n int) {
	n = max(n, 1)
	if d.replicas.Swap(int64(n)) != int64(n) {
		d.global.SetLimit(rate.Limit(d.lim.Rate / float64(n)))
	}
}

// Direct sends payloads to chat now, in order, without Redis; it is for
// answers while Redis is away. It returns once all went, or with the error
// that stopped it (after a few tries for what may mend).
func (d *Deliverer) Direct(ctx context.Context, chat int64, payloads [][]byte) error {
	return d.direct.sendAll(ctx, chat, payloads)
}

func (d *direct) sendAll(ctx context.Context, chat int64, payloads [][]byte) error {
	for _, p := range payloads {
		if err := d.sendOne(ctx, chat, p); err != nil {
			return err
		}
	}
	return nil
}

func (d *direct) sendOne(ctx context.Context, chat int64, payload []byte) error {
	for try := 1; ; try++ {
		if err := d.waitChat(ctx, chat); err != nil {
			return err
		}
		if err := d.global.Wait(ctx); err != nil {
			return err
		}
		res := d.send.Send(ctx, chat, payload, false)
		d.mark(chat)
		switch res.Kind {
		case Delivered:
			d.m.Message("sent")
			return nil
		case ChatGone, Refused:
			return fmt.Errorf("not sent: %w", res.Err)
		case SlowDown:
			sleep(ctx, res.RetryAfter)
		default:
			if try >= d.lim.MaxTries {
				d.m.Message("given_up")
				return fmt.Errorf("after %d tries: %w", try, res.Err)
			}
			sleep(ctx, backoff(try-1))
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
	}
}

func (d *direct) waitChat(ctx context.Context, chat int64) error {
	d.mu.Lock()
	next := d.chats[chat]
	d.mu.Unlock()
	if wait := time.Until(next); wait > 0 {
		sleep(ctx, wait)
	}
	return ctx.Err()
}

func (d *direct) mark(chat int64) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if len(d.chats) > 10_000 { // forget quiet chats now and then
		now := time.Now()
		for c, t := range d.chats {
			if t.Before(now) {
				delete(d.chats, c)
			}
		}
	}
	d.chats[chat] = time.Now().Add(d.lim.gap(chat))
}
