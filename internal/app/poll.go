package app

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-telegram/bot/models"

	"github.com/integrationsagentur-marl/integrabot/internal/metrics"
	"github.com/integrationsagentur-marl/integrabot/internal/telegram"
)

// poll fetches updates and handles each batch before confirming it: an
// update is confirmed to Telegram (by the next offset) only after it was
// answered, so a crash or a restart never loses one.
func (a *App) poll(ctx context.Context) error {
	var offset int64
	backoff := 100 * time.Millisecond
	for ctx.Err() == nil {
		ups, err := a.poller.Fetch(ctx, offset, 100, true)
		if ctx.Err() == nil {
			a.metrics.APICall("getUpdates", metrics.ResultOf(err))
		}
		if err != nil {
			if errors.Is(err, telegram.ErrUnauthorized) {
				return err
			}
			if ctx.Err() != nil {
				break
			}
			a.log.Warn("getUpdates failed, retrying", "err", err, "in", backoff)
			var apiErr *telegram.APIError
			wait := backoff
			if errors.As(err, &apiErr) && apiErr.RetryAfter > 0 {
				wait = apiErr.RetryAfter
			}
			select {
			case <-ctx.Done():
			case <-time.After(wait):
			}
			backoff = min(backoff*2, 5*time.Second)
			continue
		}
		backoff = 100 * time.Millisecond
		a.lastTelegram.Store(time.Now().UnixNano())
		if len(ups) == 0 {
			continue
		}
		// Updates in flight finish even when SIGTERM arrives meanwhile.
		hctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), a.opt.DrainTimeout)
		failed := a.handleBatch(hctx, ups)
		cancel()
		if failed {
			// not confirmed: Telegram gives the batch again, and the updates
			// already answered are skipped by their update_id
			a.log.Warn("some updates could not be answered; fetching them again", "in", backoff)
			select {
			case <-ctx.Done():
			case <-time.After(backoff):
			}
			backoff = min(backoff*2, 5*time.Second)
			continue
		}
		offset = ups[len(ups)-1].ID + 1
	}
	if offset > 0 {
		// confirm the last handled batch, so that a restart does not answer it again
		cctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if _, err := a.poller.Fetch(cctx, offset, 1, false); err != nil {
			a.log.Warn("could not confirm the last updates; they may be answered again after restart", "err", err)
		}
	}
	a.log.Info("stopped")
	return nil
}

// handleBatch handles the updates of one chat in order and different chats
// in parallel, at most Workers at once. It reports whether an update failed
// in a way a second try may mend.
func (a *App) handleBatch(ctx context.Context, ups []models.Update) bool {
	var order []int64
	byChat := map[int64][]*models.Update{}
	for i := range ups {
		key := chatKey(&ups[i])
		if _, ok := byChat[key]; !ok {
			order = append(order, key)
		}
		byChat[key] = append(byChat[key], &ups[i])
	}
	sem := make(chan struct{}, a.opt.Workers)
	var wg sync.WaitGroup
	var failed atomic.Bool
	for _, key := range order {
		sem <- struct{}{}
		wg.Add(1)
		go func(list []*models.Update) {
			defer func() { <-sem; wg.Done() }()
			for _, u := range list {
				if err := a.process(ctx, u, false); err != nil {
					failed.Store(true)
					return // the chat's later updates wait for this one
				}
			}
		}(byChat[key])
	}
	wg.Wait()
	return failed.Load()
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
