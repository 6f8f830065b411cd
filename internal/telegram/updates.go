package telegram

import (
	"context"
	"errors"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"github.com/integrationsagentur-marl/integrabot/internal/conversation"
	"github.com/integrationsagentur-marl/integrabot/internal/decide"
	"github.com/integrationsagentur-marl/integrabot/internal/metrics"
)

// Decider decides and commits one update (decide.Decider).
type Decider interface {
	Handle(ctx context.Context, u decide.Update, lock bool) (decide.Result, error)
	Answer(ctx context.Context, u decide.Update) (decide.Result, error)
}

// Members records residents who block or unblock the bot (store.Store).
type Members interface {
	SetGone(ctx context.Context, userID int64, gone bool) error
}

// Updates turns each Telegram update into an event for the decider, and
// does what Telegram itself needs: stopping a pressed button's spinner and
// noting who blocked the bot.
type Updates struct {
	dec      Decider
	c        *Client
	members  Members
	staff    Staff
	log      *slog.Logger
	m        *metrics.Metrics
	now      func() time.Time
	username atomic.Pointer[string] // the bot's name, once getMe answered
	signer   *Signer                // checks staff buttons' signatures (nil: none are signed)
	onStaff  func(userID int64)     // told of each staff member's answered update in their own chat (nil: none)
}

// OnStaff makes the handler call fn with the id of a staff member whose
// update in their own chat was answered: the staff's command menu can only
// be set for a chat that exists.
func (u *Updates) OnStaff(fn func(userID int64)) *Updates {
	u.onStaff = fn
	return u
}

// Signed makes the handler check the signatures of staff buttons: what the
// renderer signed with the same signer.
func (u *Updates) Signed(s *Signer) *Updates {
	u.signer = s
	return u
}

// NewUpdates returns the update handler.
func NewUpdates(dec Decider, c *Client, members Members, staff Staff, log *slog.Logger, m *metrics.Metrics, now func() time.Time) *Updates {
	return &Updates{dec: dec, c: c, members: members, staff: staff, log: log, m: m, now: now}
}

// SetUsername sets the bot's own name, to recognise /cmd@name in groups.
func (u *Updates) SetUsername(name string) { u.username.Store(&name) }

// Ready tells whether the bot knows its name: before, a group command
// addressed to it could not be told from another bot's.
func (u *Updates) Ready() bool { return u.username.Load() != nil }

// Process handles one update: nil means it is committed (or was before)
// and may be confirmed to Telegram.
func (u *Updates) Process(ctx context.Context, upd *models.Update, replicas bool) error {
	in, du, started := u.event(upd)
	res, err := u.dec.Handle(ctx, du, replicas)
	return u.settle(ctx, upd, in, du, res, err, started)
}

// Last answers an update that failed too often to be committed: at once,
// without Redis, so that it holds up nothing behind it.
func (u *Updates) Last(ctx context.Context, upd *models.Update) error {
	in, du, started := u.event(upd)
	res, err := u.dec.Answer(ctx, du)
	return u.settle(ctx, upd, in, du, res, err, started)
}

// event maps upd for the decider.
func (u *Updates) event(upd *models.Update) (Incoming, decide.Update, time.Time) {
	name := ""
	if p := u.username.Load(); p != nil {
		name = *p
	}
	in := Map(upd, name, u.staff, u.now())
	if in.Event.Kind == conversation.KindButton {
		in.Event.Data = u.signer.Verify(in.Event.Data) // a staff button nobody may craft
	}
	du := decide.Update{ID: upd.ID, Chat: ChatOf(upd), User: SenderOf(upd), Event: in.Event, Answer: in.Answer}
	return in, du, time.Now()
}

func (u *Updates) settle(ctx context.Context, upd *models.Update, in Incoming, du decide.Update, res decide.Result, err error, started time.Time) error {
	kind := updateKind(upd)
	if err != nil {
		if !errors.Is(err, decide.ErrBusy) && !errors.Is(err, decide.ErrChatBusy) {
			u.m.Update(kind, metrics.OutcomeFailed)
		}
		return err
	}
	if res == decide.Duplicate {
		u.m.Update(kind, metrics.OutcomeDuplicate)
		return nil
	}
	u.m.ObserveHandling(time.Since(started))
	if in.CallbackID != "" {
		// stop the spinner on the button; the answer is on its way
		err := u.c.AnswerCallbackQuery(ctx, &bot.AnswerCallbackQueryParams{CallbackQueryID: in.CallbackID})
		u.m.APICall("answerCallbackQuery", metrics.ResultOf(err))
		if err != nil {
			u.log.Warn("answerCallbackQuery failed", "update_id", upd.ID, "err", Redact(err, u.c.token))
		}
	}
	if m := upd.MyChatMember; m != nil && m.Chat.Type == models.ChatTypePrivate {
		gone := m.NewChatMember.Type == models.ChatMemberTypeBanned
		if err := u.members.SetGone(ctx, m.From.ID, gone); err != nil {
			u.m.RedisError("set_inactive")
			u.log.Warn("could not record whether a resident blocked the bot", "err", err)
		}
	}
	outcome := metrics.OutcomeIgnored
	switch {
	case res == decide.Flooded:
		outcome = metrics.OutcomeFlooded
	case du.Answer:
		outcome = metrics.OutcomeAnswered
	}
	u.m.Update(kind, outcome)
	if ev := du.Event; u.onStaff != nil && du.Answer && ev.Role == conversation.RoleStaff && ev.ChatID == ev.UserID {
		u.onStaff(ev.UserID)
	}
	return nil
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
