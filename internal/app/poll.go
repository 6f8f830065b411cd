package app

import (
	"context"
	"errors"
	"time"

	"github.com/go-telegram/bot/models"

	"github.com/integrationsagentur-marl/integrabot/internal/metrics"
	"github.com/integrationsagentur-marl/integrabot/internal/telegram"
)

// fetchLimit is how many updates one getUpdates returns at most (Telegram's maximum).
const fetchLimit = 100

// poll fetches updates and hands them to the intake, which answers them.
// An update is confirmed to Telegram only by the offset of a later
// getUpdates, and the offset never passes an update that is not answered
// yet: a crash or a restart never loses one. Fetching goes on while earlier
// updates are being answered; Telegram then returns the unanswered ones
// again, and the intake skips them.
func (a *App) poll(ctx context.Context) error {
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
		// Telegram would mostly return updates being answered: give them a
		// few milliseconds to finish, so that a fetch brings more new ones
		// (but not longer: one slow update must not hold up the rest)
		for until := time.Now().Add(5 * time.Millisecond); !at.idle && at.room < fetchLimit/2 && time.Now().Before(until); {
			waitChange(ctx, at.change, time.Until(until))
			at = in.position()
		}
		// Long-poll only when nothing is in flight: with updates in flight,
		// Telegram would return them at once anyway.
		wait := at.idle
		ups, err := a.poller.Fetch(ctx, at.offset, fetchLimit, wait, at.last)
		if ctx.Err() == nil {
			a.metrics.APICall("getUpdates", metrics.ResultOf(err))
		}
		if err != nil {
			if errors.Is(err, telegram.ErrUnauthorized) {
				cancel()
				in.close(a.opt.DrainTimeout)
				return err
			}
			if ctx.Err() != nil {
				break
			}
			a.log.Warn("getUpdates failed, retrying", "err", err, "in", backoff)
			var apiErr *telegram.APIError
			pause := backoff
			if errors.As(err, &apiErr) && apiErr.RetryAfter > 0 {
				pause = apiErr.RetryAfter
			}
			sleepCtx(ctx, pause)
			backoff = min(backoff*2, 5*time.Second)
			continue
		}
		backoff = 100 * time.Millisecond
		a.lastTelegram.Store(time.Now().UnixNano())
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
	if !in.close(a.opt.DrainTimeout) {
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

// chatKey says which updates must be handled in order: those of one chat.
func chatKey(u *models.Update) int64 {
	switch {
	case u.Message != nil:
		return u.Message.Chat.ID
	case u.CallbackQuery != nil:
		return u.CallbackQuery.From.ID
	case u.MyChatMember != nil:
		return u.MyChatMember.Chat.ID
	}
	return -u.ID // nothing to order it with
}

func sleepCtx(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}
