package telegram

import (
	"context"

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
	method, b, contentType, err := body(payload, chat, s.paid)
	if err != nil {
		return deliver.Result{Kind: deliver.Refused, Err: err}
	}
	id, err := s.c.sendBody(ctx, method, b, contentType, wantID)
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

func (s *Sender) count(method string, err error) {
	result := metrics.ResultOf(err)
	s.m.APICall(method, result)
	if result == metrics.ResultTooManyRequests {
		s.m.TooManyRequests()
	}
}
