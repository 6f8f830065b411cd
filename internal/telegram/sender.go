package telegram

import (
	"context"

	"github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"github.com/integrationsagentur-marl/integrabot/internal/deliver"
	"github.com/integrationsagentur-marl/integrabot/internal/metrics"
)

// Sender makes the Bot API calls the delivery workers take from the queues.
type Sender struct {
	c     *Client
	token string
	paid  bool // PAID_BROADCAST: every message may use the paid broadcast rate
	m     *metrics.Metrics
}

// NewSender returns a sender through c; m counts the calls (nil: not counted).
func NewSender(c *Client, paid bool, m *metrics.Metrics) *Sender {
	return &Sender{c: c, token: c.token, paid: paid, m: m}
}

// Send makes the call payload describes to chat and classifies the answer.
func (s *Sender) Send(ctx context.Context, chat int64, payload []byte, wantID bool) deliver.Result {
	m, err := decodePayload(payload)
	if err != nil {
		return deliver.Result{Kind: deliver.Refused, Err: err}
	}
	method, id, err := s.call(ctx, chat, m, wantID)
	s.count(method, err)
	if err != nil {
		err = Redact(err, s.token)
	}
	f := Classify(err)
	r := deliver.Result{MessageID: id, Err: err, RetryAfter: f.RetryAfter}
	switch f.Class {
	case OK:
		r.Kind = deliver.Delivered
	case SlowDown:
		r.Kind = deliver.SlowDown
	case ChatGone:
		r.Kind = deliver.ChatGone
	case Refused, Unauthorized:
		r.Kind = deliver.Refused
	default:
		r.Kind = deliver.Transient
	}
	return r
}

func (s *Sender) call(ctx context.Context, chat int64, m Message, wantID bool) (string, int, error) {
	var markup models.ReplyMarkup
	if m.Markup != nil {
		markup = m.Markup
	}
	if m.Contact != nil {
		first, last := splitName(m.Contact.Name)
		id, err := s.c.send(ctx, "sendContact", &bot.SendContactParams{
			ChatID: chat, PhoneNumber: m.Contact.Phone, FirstName: first, LastName: last,
			ReplyMarkup: markup, AllowPaidBroadcast: s.paid,
		}, wantID)
		return "sendContact", id, err
	}
	off := true
	id, err := s.c.send(ctx, "sendMessage", &bot.SendMessageParams{
		ChatID: chat, Text: m.Text, ParseMode: models.ParseModeHTML,
		LinkPreviewOptions: &models.LinkPreviewOptions{IsDisabled: &off}, // previews cost data on slow networks
		ReplyMarkup:        markup, AllowPaidBroadcast: s.paid,
	}, wantID)
	return "sendMessage", id, err
}

func (s *Sender) count(method string, err error) {
	result := metrics.ResultOf(err)
	s.m.APICall(method, result)
	if result == metrics.ResultTooManyRequests {
		s.m.TooManyRequests()
	}
}
