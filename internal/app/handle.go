package app

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"time"

	"github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"github.com/integrationsagentur-marl/integrabot/internal/conversation"
	"github.com/integrationsagentur-marl/integrabot/internal/metrics"
	"github.com/integrationsagentur-marl/integrabot/internal/outbox"
	"github.com/integrationsagentur-marl/integrabot/internal/store"
	"github.com/integrationsagentur-marl/integrabot/internal/telegram"
)

// errBusy: another replica is handling the update right now.
var errBusy = errors.New("update is being handled by another replica")

// process handles an update once, also across restarts and replicas: it is
// claimed by update_id in Redis, and with replicas (webhook mode) the chat is
// locked so that one resident's updates never interleave. A failure that
// Telegram's retry may mend releases the claim and is returned. Without Redis
// the update is still answered.
func (a *App) process(ctx context.Context, u *models.Update, replicas bool) error {
	ref := store.UpdateRef{ID: u.ID, UserID: senderID(u)}
	if replicas && ref.UserID != 0 && chatKey(u) == ref.UserID {
		return a.processLocked(ctx, u, ref) // a resident's own chat: the common case
	}
	claim, st, err := a.store.ClaimUpdate(ctx, ref)
	if err != nil {
		return a.answerWithoutRedis(ctx, u, err)
	}
	switch claim {
	case store.Done:
		return a.duplicate(u)
	case store.Busy:
		if replicas {
			return errBusy // another replica answers it; Telegram retries if it does not
		}
		// Telegram lets only one process poll, so a busy claim is a dead
		// process's: take the update over instead of waiting for the claim to expire.
	}
	if replicas { // a group: its members' updates share the chat's lock
		lctx, cancel := context.WithTimeout(ctx, chatLockWait)
		unlock, err := a.store.LockChat(lctx, chatKey(u), chatLockTTL)
		cancel()
		if err != nil {
			_ = a.store.ReleaseUpdate(ctx, ref)
			return err
		}
		defer unlock()
		// another replica may have changed the state while we waited for the lock
		if fresh, err := a.store.LoadState(ctx, ref.UserID); err == nil {
			st = fresh
		}
	}
	if err := a.handle(ctx, u, &st); err != nil {
		_ = a.store.ReleaseUpdate(ctx, ref)
		return err
	}
	a.finished(u, a.store.FinishUpdate(ctx, ref))
	return nil
}

// processLocked is process for a resident's own chat with replicas: claiming
// the update, locking the chat and loading the state take one round trip,
// answering and unlocking one more.
func (a *App) processLocked(ctx context.Context, u *models.Update, ref store.UpdateRef) error {
	lctx, cancel := context.WithTimeout(ctx, chatLockWait)
	defer cancel()
	wait := 2 * time.Millisecond
	for {
		claim, st, lock, err := a.store.ClaimUpdateLocked(ctx, ref, chatLockTTL)
		if err != nil {
			return a.answerWithoutRedis(ctx, u, err)
		}
		switch claim {
		case store.Done:
			return a.duplicate(u)
		case store.Busy:
			return errBusy
		case store.ChatBusy: // the resident's previous update is being answered
			select {
			case <-lctx.Done():
				return fmt.Errorf("waiting for the chat: %w", lctx.Err())
			case <-time.After(wait):
			}
			wait = min(wait*2, 50*time.Millisecond)
			continue
		}
		if err := a.handle(ctx, u, &st); err != nil {
			_ = a.store.ReleaseUpdateLocked(ctx, ref, lock)
			return err
		}
		a.finished(u, a.store.FinishUpdateLocked(ctx, ref, lock))
		return nil
	}
}

// answerWithoutRedis answers when Redis cannot deduplicate: better a rare
// second answer than none.
func (a *App) answerWithoutRedis(ctx context.Context, u *models.Update, err error) error {
	a.metrics.RedisError("claim_update")
	a.log.Warn("redis unavailable: answering without deduplication", "update_id", u.ID, "err", err)
	return a.handle(ctx, u, nil) // the runner tries to load the state itself
}

func (a *App) duplicate(u *models.Update) error {
	a.log.Debug("duplicate update skipped", "update_id", u.ID)
	a.metrics.Update(updateKind(u), metrics.OutcomeDuplicate)
	return nil
}

// finished notes an update that was answered but could not be recorded as
// such: a retry of it would be answered again.
func (a *App) finished(u *models.Update, err error) {
	if err != nil {
		a.metrics.RedisError("finish_update")
		a.log.Warn("could not record the update as answered", "update_id", u.ID, "err", err)
	}
}

const (
	chatLockTTL  = 30 * time.Second // longer than any handling; frees itself if a replica dies
	chatLockWait = 25 * time.Second
)

// handle answers one update. A panic is recovered, logged with the update id
// (never the text) and the resident gets a kind error message. The error is
// one a retry may mend (Telegram or the network failing past the retries).
func (a *App) handle(ctx context.Context, u *models.Update, st *conversation.State) (err error) {
	in := telegram.Map(u, a.username, a.opt.Now())
	started := time.Now()
	outcome := metrics.OutcomeIgnored
	defer func() {
		a.metrics.ObserveHandling(time.Since(started))
		a.metrics.Update(updateKind(u), outcome)
	}()
	defer func() {
		if p := recover(); p != nil {
			outcome = metrics.OutcomePanicked
			a.log.Error("handler panicked", "update_id", u.ID, "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
			if in.Answer {
				_ = a.outbox.Send(ctx, in.ChatID, telegram.Messages([]conversation.Reply{a.runner.Failure(in.Event)}))
			}
		}
	}()
	if in.CallbackID != "" {
		// stop the spinner on the button at once; the answer follows
		if err := a.send.AnswerCallbackQuery(ctx, &bot.AnswerCallbackQueryParams{CallbackQueryID: in.CallbackID}); err != nil {
			a.log.Warn("answerCallbackQuery failed", "update_id", u.ID, "err", telegram.Redact(err, a.cfg.Token))
		}
	}
	if m := u.MyChatMember; m != nil && m.Chat.Type == models.ChatTypePrivate {
		a.setInactive(ctx, m.From.ID, m.NewChatMember.Type == models.ChatMemberTypeBanned)
	}
	if !in.Answer {
		return nil
	}
	var replies []conversation.Reply
	if st != nil {
		replies = a.runner.HandleLoaded(ctx, in.Event, *st)
	} else {
		replies = a.runner.Handle(ctx, in.Event)
	}
	if len(replies) == 0 {
		return nil
	}
	err = a.outbox.Send(ctx, in.ChatID, telegram.Messages(replies))
	outcome = metrics.OutcomeAnswered
	if err != nil {
		outcome = metrics.OutcomeFailed
	}
	switch {
	case errors.Is(err, outbox.ErrGone):
		a.log.Info("chat gone", "update_id", u.ID)
		a.setInactive(ctx, in.Event.UserID, true)
	case refused(err):
		a.log.Error("reply refused by telegram", "update_id", u.ID, "err", err) // retrying cannot help
	case err != nil:
		a.log.Error("reply not sent", "update_id", u.ID, "err", err)
		return err
	}
	return nil
}

// refused tells whether Telegram refused a reply in a way that sending it
// again cannot mend; such an update counts as handled, or it would be tried
// for ever and hold up the updates after it.
func refused(err error) bool {
	var migrated *bot.MigrateError // a group became a supergroup
	return errors.Is(err, bot.ErrorBadRequest) || errors.Is(err, bot.ErrorNotFound) ||
		errors.Is(err, bot.ErrorUnauthorized) || errors.As(err, &migrated)
}

// senderID is the resident an update comes from (0 if none).
func senderID(u *models.Update) int64 {
	switch {
	case u.Message != nil && u.Message.From != nil:
		return u.Message.From.ID
	case u.CallbackQuery != nil:
		return u.CallbackQuery.From.ID
	case u.MyChatMember != nil:
		return u.MyChatMember.From.ID
	}
	return 0
}

func updateKind(u *models.Update) string {
	switch {
	case u.Message != nil:
		return metrics.KindMessage
	case u.CallbackQuery != nil:
		return metrics.KindCallbackQuery
	case u.MyChatMember != nil:
		return metrics.KindMyChatMember
	}
	return metrics.KindOther
}

func (a *App) setInactive(ctx context.Context, userID int64, inactive bool) {
	if err := a.store.SetInactive(ctx, userID, inactive); err != nil {
		a.metrics.RedisError("set_inactive")
		a.log.Warn("could not record whether a resident blocked the bot", "err", err)
	}
}
