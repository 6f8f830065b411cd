package telegram

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/integrationsagentur-marl/integrabot/internal/metrics"
)

// fetchLimit is how many updates one getUpdates returns at most (Telegram's maximum).
const fetchLimit = 100

// DefaultWorkers is how many chats' updates are committed at once when
// polling. Committing is a Redis round trip or two; a few workers keep up
// with thousands of updates a second.
const DefaultWorkers = 8

// Polling fetches updates with getUpdates and commits them; an update is
// confirmed to Telegram only by the offset of a later getUpdates, once
// committed.
type Polling struct {
	poller  *Poller
	updates *Updates
	workers int
	drain   time.Duration
	log     *slog.Logger
	m       *metrics.Metrics
	seen    func() // Telegram answered
}

// NewPolling returns the polling intake. seen is called whenever Telegram
// answered (for /readyz).
func NewPolling(p *Poller, u *Updates, workers int, drain time.Duration, log *slog.Logger, m *metrics.Metrics, seen func()) *Polling {
	if workers <= 0 {
		workers = DefaultWorkers
	}
	return &Polling{poller: p, updates: u, workers: workers, drain: drain, log: log, m: m, seen: seen}
}

// Run fetches updates and hands them to the intake, which commits them.
// The offset never passes an update that is not committed yet: a crash or a
// restart never loses one. Fetching goes on while earlier updates are being
// committed; Telegram then returns those again, and the intake skips them.
// It returns ErrUnauthorized when Telegram rejects the token.
func (a *Polling) Run(ctx context.Context) error {
	// Updates in flight finish even when SIGTERM arrives meanwhile.
	hctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	defer cancel()
	in := newIntake(hctx, a)
	backoff := 100 * time.Millisecond
	quiet := 20 * time.Millisecond // how long to wait when a fetch brought nothing new
	for ctx.Err() == nil {
		at := in.position()
		if at.room <= 0 { // a whole fetch of updates is being answered
			waitChange(ctx, at.change, time.Second)
			continue
		}
		// Telegram returns the updates being answered again, until the
		// offset passes them: give them a few milliseconds to finish, so that
		// a fetch brings new updates instead of the same ones once more (but
		// not longer: one slow update must not hold up the rest). Fetching at
		// once cost a call for nearly every update at 1,000 a second, each
		// bringing six updates it had already.
		for until := time.Now().Add(5 * time.Millisecond); !at.idle && time.Now().Before(until); {
			waitChange(ctx, at.change, time.Until(until))
			at = in.position()
		}
		// Long-poll only when nothing is in flight: with updates in flight,
		// Telegram would return them at once anyway.
		wait := at.idle
		ups, err := a.poller.Fetch(ctx, at.offset, fetchLimit, wait, at.last)
		if ctx.Err() == nil {
			a.m.APICall("getUpdates", metrics.ResultOf(err))
		}
		if err != nil {
			if errors.Is(err, ErrUnauthorized) {
				cancel()
				in.close(a.drain)
				return err
			}
			if ctx.Err() != nil {
				break
			}
			a.log.Warn("getUpdates failed, retrying", "err", err, "in", backoff)
			pause := backoff
			if f := Classify(err); f.Class == SlowDown {
				pause = f.RetryAfter
			}
			sleepCtx(ctx, pause)
			backoff = min(backoff*2, 5*time.Second)
			continue
		}
		backoff = 100 * time.Millisecond
		a.seen()
		if in.add(ups) > 0 || wait {
			quiet = 20 * time.Millisecond
		} else {
			// only updates already being answered: give them a moment, and
			// longer each time, so that an update waiting long (Telegram
			// asked to slow down) does not make the bot poll in a loop
			waitChange(ctx, at.change, quiet)
			quiet = min(quiet*2, time.Second)
		}
	}
	if !in.close(a.drain) {
		a.log.Warn("stopping before all updates were answered; Telegram gives the rest again after restart")
		cancel()
		in.close(2 * time.Second) // the workers stop now; let them before Redis closes
	}
	if offset := in.position().offset; offset > 0 {
		// confirm what was answered, so that a restart does not answer it again
		cctx, cancelConfirm := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancelConfirm()
		if _, err := a.poller.Fetch(cctx, offset, 1, false, offset); err != nil {
			a.log.Warn("could not confirm the last updates; they may be answered again after restart", "err", err)
		}
	}
	a.log.Info("stopped")
	return nil
}

func sleepCtx(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}
