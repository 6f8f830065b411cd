package telegram

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"github.com/integrationsagentur-marl/integrabot/internal/decide"
)

// maxUpdateBody bounds a webhook request; a real update is a few kilobytes.
const maxUpdateBody = 1 << 20

// Webhook receives updates from Telegram. go-telegram/bot's own handler
// answers 200 to a wrong secret and before the update is handled; this one
// answers 401 to a missing or wrong secret, 400 to a body that is not an
// update, 503 until the bot knows its own name (a group command could not
// be told apart yet), and 200 only once the update is committed (or was
// already), so that Telegram retries everything else. Several replicas may
// serve it: a chat's lock keeps its updates in order.
type Webhook struct {
	url, secret string
	updates     *Updates
	drain       time.Duration
	log         *slog.Logger
	seen        func()
	registered  atomic.Bool
}

// NewWebhook returns the webhook for url, checking secret.
func NewWebhook(url, secret string, u *Updates, drain time.Duration, log *slog.Logger, seen func()) *Webhook {
	return &Webhook{url: url, secret: secret, updates: u, drain: drain, log: log, seen: seen}
}

// Registered tells whether setWebhook succeeded.
func (a *Webhook) Registered() bool { return a.registered.Load() }

// ServeHTTP handles one webhook request.
func (a *Webhook) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	got := r.Header.Get("X-Telegram-Bot-Api-Secret-Token")
	if subtle.ConstantTimeCompare([]byte(got), []byte(a.secret)) != 1 {
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
	a.seen()
	if !a.updates.Ready() {
		http.Error(w, "starting", http.StatusServiceUnavailable) // Telegram retries
		return
	}
	// The update is committed even if Telegram hangs up meanwhile.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), a.drain)
	defer cancel()
	if err := a.process(ctx, &u); err != nil {
		status := http.StatusServiceUnavailable // Telegram retries
		if errors.Is(err, decide.ErrBusy) {
			status = http.StatusConflict
		}
		http.Error(w, "try again", status)
		return
	}
	w.WriteHeader(http.StatusOK)
}

// process commits u, waiting while another replica handles an earlier
// update of the same chat.
func (a *Webhook) process(ctx context.Context, u *models.Update) error {
	wait := 2 * time.Millisecond
	for {
		err := a.updates.Process(ctx, u, true)
		if !errors.Is(err, decide.ErrChatBusy) {
			return err
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("waiting for the chat: %w", ctx.Err())
		case <-time.After(wait):
		}
		wait = min(wait*2, 50*time.Millisecond)
	}
}

// Register tells Telegram where to send updates, with the secret and the
// update types the bot handles.
func (a *Webhook) Register(ctx context.Context, api *bot.Bot) error {
	_, err := api.SetWebhook(ctx, &bot.SetWebhookParams{
		URL: a.url, SecretToken: a.secret,
		AllowedUpdates: AllowedUpdates, MaxConnections: 40,
	})
	if err == nil {
		a.registered.Store(true)
		a.log.Info("webhook registered")
	}
	return err
}
