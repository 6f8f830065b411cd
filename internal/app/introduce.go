package app

import (
	"context"
	"errors"
	"slices"
	"time"

	"github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"github.com/integrationsagentur-marl/integrabot/internal/conversation"
	"github.com/integrationsagentur-marl/integrabot/internal/telegram"
)

// introduce learns the bot's name (for /start@name in groups) and sets the
// command menu in every language. Telegram being away is waited out; a
// rejected token ends the run.
func (a *App) introduce(ctx context.Context) error {
	err := a.untilTelegramAnswers(ctx, "getMe", func() error {
		me, err := a.api.GetMe(ctx)
		if err == nil {
			a.updates.SetUsername(me.Username)
			a.username.Store(me.Username)
		}
		return err
	})
	if err != nil || ctx.Err() != nil {
		return err
	}
	a.setCommands(ctx)
	a.log.Info("bot started")
	return nil
}

// untilTelegramAnswers calls fn until it succeeds, backing off while Telegram
// or the network is away. A rejected token ends it with ErrUnauthorized; the
// end of ctx ends it with nil.
func (a *App) untilTelegramAnswers(ctx context.Context, method string, fn func() error) error {
	backoff := 200 * time.Millisecond
	for {
		err := fn()
		if err == nil {
			a.lastTelegram.Store(time.Now().UnixNano())
			return nil
		}
		if errors.Is(err, bot.ErrorUnauthorized) {
			return telegram.ErrUnauthorized
		}
		a.log.Warn("telegram call failed, retrying", "method", method, "err", telegram.Redact(err, a.cfg.Token), "in", backoff)
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(backoff):
		}
		backoff = min(backoff*2, 30*time.Second)
	}
}

// setCommands registers the localized command menu once per language; the
// menu without a language is the reference language's.
func (a *App) setCommands(ctx context.Context) {
	cat := a.k.Catalog
	set := func(lang, code string) {
		var cmds []models.BotCommand
		for _, c := range a.commands() {
			cmds = append(cmds, models.BotCommand{Command: c, Description: cat.T(lang, "command."+c)})
		}
		if _, err := a.api.SetMyCommands(ctx, &bot.SetMyCommandsParams{Commands: cmds, LanguageCode: code}); err != nil {
			a.log.Warn("setMyCommands failed", "lang", code, "err", telegram.Redact(err, a.cfg.Token))
		}
	}
	set(cat.Default(), "")
	for _, l := range cat.Languages() {
		if l.Telegram != "" {
			set(l.Code, l.Telegram)
		}
	}
}

// staffMenu sets the staff's commands in a staff member's own chat, once
// per process, after their first update there (Telegram refuses a command
// menu for a chat that does not exist yet); residents never see them.
func (a *App) staffMenu(id int64) {
	if _, done := a.staffMenus.LoadOrStore(id, true); done {
		return
	}
	ctx, _ := a.runCtx.Load().(context.Context)
	if ctx == nil {
		a.staffMenus.Delete(id) // not running yet: the next update tries again
		return
	}
	go a.setStaffCommands(ctx, id)
}

// setStaffCommands adds the staff's commands to the menu of a staff
// member's private chat, in every language.
func (a *App) setStaffCommands(ctx context.Context, id int64) {
	cat := a.k.Catalog
	set := func(lang, code string) {
		var cmds []models.BotCommand
		for _, c := range slices.Concat(a.commands(), conversation.StaffCommands) {
			cmds = append(cmds, models.BotCommand{Command: c, Description: cat.T(lang, "command."+c)})
		}
		scope := &models.BotCommandScopeChat{ChatID: id}
		if _, err := a.api.SetMyCommands(ctx, &bot.SetMyCommandsParams{Commands: cmds, Scope: scope, LanguageCode: code}); err != nil {
			a.log.Warn("setMyCommands for a staff member failed", "staff_id", id, "lang", code, "err", telegram.Redact(err, a.cfg.Token))
		}
	}
	set(cat.Default(), "")
	for _, l := range cat.Languages() {
		if l.Telegram != "" {
			set(l.Code, l.Telegram)
		}
	}
}

// commands are the commands in the menu: /ask only where questions can be
// passed to a staff group.
func (a *App) commands() []string {
	if a.cfg.StaffChatID == 0 {
		return conversation.Commands
	}
	return append(slices.Clone(conversation.Commands), "ask")
}
