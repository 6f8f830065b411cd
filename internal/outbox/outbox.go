// Package outbox is the one way out of the bot: every message to Telegram goes
// through it, within Telegram's limits, retried when Telegram or the network
// fail for a moment, and never sent on to a resident who blocked the bot.
package outbox

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-telegram/bot"
	"golang.org/x/time/rate"

	"github.com/integrationsagentur-marl/integrabot/internal/metrics"
	"github.com/integrationsagentur-marl/integrabot/internal/telegram"
)

// ErrGone means the chat cannot be written to: the resident blocked the bot
// or the chat no longer exists.
var ErrGone = errors.New("chat gone: blocked or not found")

// Limits are Telegram's sending limits.
type Limits struct {
	Global  rate.Limit    // messages per second across all chats (Telegram: about 30)
	PerChat time.Duration // between two messages to one private chat (Telegram: 1 s, short bursts pass)
	Burst   int           // messages one chat may get at once before PerChat applies
	Group   time.Duration // between two messages to one group (Telegram: 20 per minute)
}

// DefaultLimits stay safely below Telegram's.
var DefaultLimits = Limits{Global: 25, PerChat: time.Second, Burst: 3, Group: 3 * time.Second}

// Waiter is a rate limit: Wait returns when one more message may go.
type Waiter interface {
	Wait(ctx context.Context) error
}

// Outbox sends messages.
type Outbox struct {
	api     telegram.API
	token   string
	log     *slog.Logger
	metrics *metrics.Metrics // may be nil
	global  Waiter
	limits  Limits
	depth   atomic.Int64 // messages waiting for their turn

	mu     sync.Mutex
	chats  map[int64]*rate.Limiter
	paused time.Time // a 429 pauses everyone until then
	sleep  func(context.Context, time.Duration) error
}

// New returns an outbox sending through api; m counts the calls (nil: not counted).
func New(api telegram.API, token string, limits Limits, log *slog.Logger, m *metrics.Metrics) *Outbox {
	return &Outbox{
		api: api, token: token, log: log, limits: limits, metrics: m,
		global: rate.NewLimiter(limits.Global, max(1, int(limits.Global))),
		chats:  map[int64]*rate.Limiter{},
		sleep:  sleepCtx,
	}
}

// ShareRate replaces the global limit by one that all replicas share (Telegram
// counts the bot's messages, not each replica's); it should fall back to
// this replica's own limit, GlobalLocal, when Redis is away.
func (o *Outbox) ShareRate(w Waiter) { o.global = w }

// GlobalLocal is this replica's own global limit.
func (o *Outbox) GlobalLocal() Waiter {
	return rate.NewLimiter(o.limits.Global, max(1, int(o.limits.Global)))
}

// maxTries bounds retries of one message on 429, 5xx and network errors.
const maxTries = 6

// Send sends messages to one chat, in order. It returns ErrGone when the chat
// is gone; other errors after retrying.
func (o *Outbox) Send(ctx context.Context, chatID int64, msgs []telegram.Message) error {
	for _, m := range msgs {
		if err := o.sendOne(ctx, chatID, m); err != nil {
			return err
		}
	}
	return nil
}

func (o *Outbox) sendOne(ctx context.Context, chatID int64, m telegram.Message) error {
	backoff := 500 * time.Millisecond
	for try := 1; ; try++ {
		if err := o.wait(ctx, chatID); err != nil {
			return err
		}
		err := telegram.Send(ctx, o.api, chatID, m)
		o.count(m, err)
		if err == nil {
			return nil
		}
		err = telegram.Redact(err, o.token)
		var tooMany *bot.TooManyRequestsError
		switch {
		case errors.Is(err, bot.ErrorForbidden):
			return fmt.Errorf("%w: %v", ErrGone, err)
		case errors.Is(err, bot.ErrorBadRequest) && chatGone(err.Error()):
			return fmt.Errorf("%w: %v", ErrGone, err)
		case errors.Is(err, bot.ErrorBadRequest), errors.Is(err, bot.ErrorUnauthorized), errors.Is(err, bot.ErrorNotFound):
			return err // retrying the same request gives the same answer
		case errors.As(err, &tooMany):
			wait := time.Duration(max(tooMany.RetryAfter, 1)) * time.Second
			o.pause(wait)
			o.log.Warn("telegram asks to slow down", "retry_after_s", tooMany.RetryAfter)
		default: // 5xx, network: back off
			if try >= maxTries {
				return fmt.Errorf("after %d tries: %w", try, err)
			}
			o.log.Warn("send failed, retrying", "err", err, "try", try)
			if err := o.sleep(ctx, backoff); err != nil {
				return err
			}
			backoff = min(backoff*2, 30*time.Second)
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
	}
}

// wait blocks until Telegram's limits allow one more message to chatID.
func (o *Outbox) wait(ctx context.Context, chatID int64) error {
	o.metrics.SetOutboxDepth(int(o.depth.Add(1)))
	defer func() { o.metrics.SetOutboxDepth(int(o.depth.Add(-1))) }()
	o.mu.Lock()
	until := time.Until(o.paused)
	lim, ok := o.chats[chatID]
	if !ok {
		every := o.limits.PerChat
		if chatID < 0 && o.limits.Group > 0 { // group and channel ids are negative
			every = o.limits.Group
		}
		lim = rate.NewLimiter(rate.Every(every), o.limits.Burst)
		o.chats[chatID] = lim
		if len(o.chats) > 100_000 { // forget quiet chats now and then
			o.chats = map[int64]*rate.Limiter{chatID: lim}
		}
	}
	o.mu.Unlock()
	if until > 0 {
		if err := o.sleep(ctx, until); err != nil {
			return err
		}
	}
	if err := lim.Wait(ctx); err != nil {
		return err
	}
	return o.global.Wait(ctx)
}

func (o *Outbox) pause(d time.Duration) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if t := time.Now().Add(d); t.After(o.paused) {
		o.paused = t
	}
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// chatGone tells whether a 400 means the chat no longer exists.
func chatGone(description string) bool {
	d := strings.ToLower(description)
	return strings.Contains(d, "chat not found") || strings.Contains(d, "user is deactivated")
}

func (o *Outbox) count(m telegram.Message, err error) {
	method := "sendMessage"
	if m.Contact != nil {
		method = "sendContact"
	}
	result := metrics.ResultOf(err)
	o.metrics.APICall(method, result)
	if result == metrics.ResultTooManyRequests {
		o.metrics.TooManyRequests()
	}
}
