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

// Outbox sends messages. Replies to residents go first: a resident is
// looking at the chat and waiting, while nobody times a reminder or a
// broadcast to the second. So bulk messages take a global token only when no
// reply is waiting for one.
type Outbox struct {
	api     telegram.API
	token   string
	log     *slog.Logger
	metrics *metrics.Metrics // may be nil
	global  Waiter
	limits  Limits
	depth   atomic.Int64 // messages waiting for their turn, replies and bulk alike

	// replies counts the replies waiting for a global token; bulk holds back
	// while there are any.
	replies waiting
	// bulkTurn holds the one bulk message that may wait for a global token.
	// One at a time, because a rate limiter hands out future slots to whoever
	// asks: forty bulk messages asking at once would book the next forty
	// slots, and a reply coming a moment later would queue behind them all.
	bulkTurn chan struct{}

	mu     sync.Mutex
	chats  map[int64]*rate.Limiter
	paused time.Time // a 429 pauses everyone until then
	sleep  func(context.Context, time.Duration) error
}

// New returns an outbox sending through api; m counts the calls (nil: not counted).
func New(api telegram.API, token string, limits Limits, log *slog.Logger, m *metrics.Metrics) *Outbox {
	return &Outbox{
		api: api, token: token, log: log, limits: limits, metrics: m,
		global:   rate.NewLimiter(limits.Global, max(1, int(limits.Global))),
		chats:    map[int64]*rate.Limiter{},
		sleep:    sleepCtx,
		bulkTurn: make(chan struct{}, 1),
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

// priority says how a message waits for the global limit.
type priority int

const (
	reply priority = iota // a resident is waiting for it: goes first
	bulk                  // reminders and broadcasts: go when no reply waits
)

// Send sends replies to one chat, in order; they go ahead of bulk messages.
// It returns ErrGone when the chat is gone; other errors after retrying.
func (o *Outbox) Send(ctx context.Context, chatID int64, msgs []telegram.Message) error {
	return o.send(ctx, chatID, msgs, reply)
}

// SendBulk sends reminders and broadcasts to one chat, in order. They keep
// to the same limits as Send but give way to replies, so a resident never
// waits behind a broadcast. Errors are those of Send.
func (o *Outbox) SendBulk(ctx context.Context, chatID int64, msgs []telegram.Message) error {
	return o.send(ctx, chatID, msgs, bulk)
}

func (o *Outbox) send(ctx context.Context, chatID int64, msgs []telegram.Message, p priority) error {
	for _, m := range msgs {
		if err := o.sendOne(ctx, chatID, m, p); err != nil {
			return err
		}
	}
	return nil
}

func (o *Outbox) sendOne(ctx context.Context, chatID int64, m telegram.Message, p priority) error {
	backoff := 500 * time.Millisecond
	for try := 1; ; try++ {
		if err := o.wait(ctx, chatID, p); err != nil {
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
func (o *Outbox) wait(ctx context.Context, chatID int64, p priority) error {
	o.metrics.SetOutboxDepth(int(o.depth.Add(1)))
	defer func() { o.metrics.SetOutboxDepth(int(o.depth.Add(-1))) }()
	if err := o.sitOutPause(ctx); err != nil {
		return err
	}
	if err := o.chat(chatID).Wait(ctx); err != nil {
		return err
	}
	if p == bulk {
		return o.waitBulk(ctx)
	}
	o.replies.enter()
	defer o.replies.leave()
	return o.global.Wait(ctx)
}

// waitBulk takes a global token for a bulk message once it is the one bulk
// message in line and no reply is waiting. A reply that comes meanwhile
// waits at most for the one token this message may already have booked.
func (o *Outbox) waitBulk(ctx context.Context) error {
	select {
	case o.bulkTurn <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	defer func() { <-o.bulkTurn }()
	// A bulk message may stand in line for minutes; a 429 that came
	// meanwhile must stop it too.
	if err := o.sitOutPause(ctx); err != nil {
		return err
	}
	if err := o.replies.none(ctx); err != nil {
		return err
	}
	return o.global.Wait(ctx)
}

// sitOutPause waits out the pause a 429 asked for, if any.
func (o *Outbox) sitOutPause(ctx context.Context) error {
	o.mu.Lock()
	until := time.Until(o.paused)
	o.mu.Unlock()
	if until <= 0 {
		return nil
	}
	return o.sleep(ctx, until)
}

// chat returns the per-chat limit of chatID.
func (o *Outbox) chat(chatID int64) *rate.Limiter {
	o.mu.Lock()
	defer o.mu.Unlock()
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
	return lim
}

// waiting counts replies waiting for a global token and lets bulk wait,
// cancellably, until there are none. The zero value counts none.
type waiting struct {
	mu   sync.Mutex
	n    int
	idle chan struct{} // closed when n drops back to 0
}

// enter counts one more reply waiting.
func (w *waiting) enter() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.n == 0 {
		w.idle = make(chan struct{})
	}
	w.n++
}

// leave counts one reply less, and wakes bulk when it was the last.
func (w *waiting) leave() {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.n--
	if w.n == 0 {
		close(w.idle)
	}
}

// none returns once no reply is waiting, or when ctx ends.
func (w *waiting) none(ctx context.Context) error {
	w.mu.Lock()
	n, idle := w.n, w.idle
	w.mu.Unlock()
	if n == 0 {
		return nil
	}
	select {
	case <-idle:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
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
