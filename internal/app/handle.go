package app

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"

	"github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"github.com/integrationsagentur-marl/integrabot/internal/conversation"
	"github.com/integrationsagentur-marl/integrabot/internal/outbox"
	"github.com/integrationsagentur-marl/integrabot/internal/telegram"
)

// handle answers one update. A panic is recovered, logged with the update id
// (never the text) and the resident gets a kind error message.
func (a *App) handle(ctx context.Context, u *models.Update) {
	in := telegram.Map(u, a.username, a.opt.Now())
	defer func() {
		if p := recover(); p != nil {
			a.log.Error("handler panicked", "update_id", u.ID, "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
			if in.Answer {
				lang := a.k.Catalog.Default()
				if l, ok := a.k.Catalog.Match(in.Event.LanguageCode); ok {
					lang = l
				}
				msg := telegram.Messages([]conversation.Reply{{Text: escHTML(a.k.Catalog.T(lang, "error.generic"))}})
				_ = a.outbox.Send(ctx, in.ChatID, msg)
			}
		}
	}()
	if in.CallbackID != "" {
		// stop the spinner on the button at once; the answer follows
		if _, err := a.api.AnswerCallbackQuery(ctx, &bot.AnswerCallbackQueryParams{CallbackQueryID: in.CallbackID}); err != nil {
			a.log.Warn("answerCallbackQuery failed", "update_id", u.ID, "err", telegram.Redact(err, a.cfg.Token))
		}
	}
	if !in.Answer {
		return
	}
	replies := a.runner.Handle(ctx, in.Event)
	if len(replies) == 0 {
		return
	}
	err := a.outbox.Send(ctx, in.ChatID, telegram.Messages(replies))
	switch {
	case errors.Is(err, outbox.ErrGone):
		a.log.Info("chat gone", "update_id", u.ID)
	case err != nil:
		a.log.Error("reply not sent", "update_id", u.ID, "err", err)
	}
}
