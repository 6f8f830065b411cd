package telegram

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/integrationsagentur-marl/integrabot/internal/conversation"
	"github.com/integrationsagentur-marl/integrabot/internal/deliver"
	"github.com/integrationsagentur-marl/integrabot/internal/metrics"
)

// Sender makes the Bot API calls the delivery workers take from the queues.
type Sender struct {
	c     *Client
	token string
	paid  bool // PAID_BROADCAST: every message may use the paid broadcast rate
	m     *metrics.Metrics
	refs  func(ctx context.Context, chat int64, name string) (int, error) // the ids of recorded messages, for edits
}

// Refs are where the sender finds the id of a recorded message it is to
// edit (store.SentID).
func (s *Sender) Refs(f func(ctx context.Context, chat int64, name string) (int, error)) *Sender {
	s.refs = f
	return s
}

// NewSender returns a sender through c; m counts the calls (nil: not counted).
func NewSender(c *Client, paid bool, m *metrics.Metrics) *Sender {
	return &Sender{c: c, token: c.token, paid: paid, m: m}
}

// Send makes the call payload describes to chat and classifies the answer.
func (s *Sender) Send(ctx context.Context, chat int64, payload []byte, wantID bool) deliver.Result {
	method, b, contentType, err := body(payload, chat, s.paid)
	if err != nil {
		return deliver.Result{Kind: deliver.Refused, Reason: conversation.FailRefused, Err: err}
	}
	if name, ok := EditOf(payload); ok {
		if b, err = s.withMessageID(ctx, chat, name, b); err != nil {
			return deliver.Result{Kind: deliver.Transient, Err: err}
		}
		if b == nil {
			return deliver.Result{Kind: deliver.Refused, Reason: conversation.FailRefused, Err: fmt.Errorf("edit: no message recorded as %q", name)}
		}
	}
	id, err := s.c.sendBody(ctx, method, b, contentType, wantID)
	s.count(method, err)
	if err != nil {
		err = Redact(err, s.token)
	}
	if err != nil && method == "editMessageText" && strings.Contains(err.Error(), "message is not modified") {
		err = nil // the same text again: as good as done
	}
	f := Classify(err)
	r := deliver.Result{MessageID: id, Err: err, RetryAfter: f.RetryAfter, Reason: f.Reason}
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

// withMessageID puts the recorded message's id into an edit's body; nil when
// none is recorded under name.
func (s *Sender) withMessageID(ctx context.Context, chat int64, name string, b []byte) ([]byte, error) {
	id, err := s.messageID(ctx, chat, name)
	if err != nil || id <= 0 {
		return nil, err
	}
	out := make([]byte, 0, len(b)+24)
	out = append(out, `{"message_id":`...)
	out = strconv.AppendInt(out, int64(id), 10)
	out = append(out, ',')
	return append(out, b[1:]...), nil
}

// messageID is the id of the message an edit names: "#<id>" names it
// directly (conversation.EditRef), any other name was recorded when sent.
func (s *Sender) messageID(ctx context.Context, chat int64, name string) (int, error) {
	if v, ok := strings.CutPrefix(name, "#"); ok {
		id, _ := strconv.Atoi(v)
		return id, nil
	}
	if s.refs == nil {
		return 0, nil
	}
	return s.refs(ctx, chat, name)
}
