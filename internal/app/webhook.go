package app

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"time"

	"github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"github.com/integrationsagentur-marl/integrabot/internal/telegram"
)

// maxUpdateBody bounds a webhook request; a real update is a few kilobytes.
const maxUpdateBody = 1 << 20

// webhook receives updates from Telegram. go-telegram/bot's own handler
// answers 200 to a wrong secret and before the update is handled; this one
// answers 401 to a missing or wrong secret, 400 to a body that is not an
// update, and 200 only once the update is answered (or was already), so that
// Telegram retries everything else.
func (a *App) webhook(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	got := r.Header.Get("X-Telegram-Bot-Api-Secret-Token")
	if subtle.ConstantTimeCompare([]byte(got), []byte(a.cfg.WebhookSecret)) != 1 {
		a.log.Warn("webhook request with a wrong secret refused", "remote", r.RemoteAddr)
		http.Error(w, "unauthorized", http.StatusUnauthorized)
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxUpdateBody+1))
	var u models.Update
	if err != nil || len(body) > maxUpdateBody || json.Unmarshal(body, &u) != nil || u.ID <= 0 {
		http.Error(w, "not a Telegram update", http.StatusBadRequest)
		return
	}
	a.lastTelegram.Store(time.Now().UnixNano())
	// The update is answered even if Telegram hangs up meanwhile.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), a.opt.DrainTimeout)
	defer cancel()
	if err := a.process(ctx, &u, true); err != nil {
		status := http.StatusServiceUnavailable // Telegram retries
		if errors.Is(err, errBusy) {
			status = http.StatusConflict
		}
		http.Error(w, "try again", status)
		return
	}
	w.WriteHeader(http.StatusOK)
}

// registerWebhook tells Telegram where to send updates, with the secret and
// the update types the bot handles. Telegram being away is waited out.
func (a *App) registerWebhook(ctx context.Context) error {
	return a.untilTelegramAnswers(ctx, "setWebhook", func() error {
		_, err := a.api.SetWebhook(ctx, &bot.SetWebhookParams{
			URL: a.cfg.WebhookURL, SecretToken: a.cfg.WebhookSecret,
			AllowedUpdates: telegram.AllowedUpdates, MaxConnections: 40,
		})
		if err == nil {
			a.webhookSet.Store(true)
			a.log.Info("webhook registered")
		}
		return err
	})
}
