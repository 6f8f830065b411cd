package telegram

import (
	"context"
	"errors"
	"fmt"
	"net"
	"testing"
	"time"

	"github.com/go-telegram/bot"

	"github.com/integrationsagentur-marl/integrabot/internal/conversation"
)

func TestClassify(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want Failure
	}{
		{"ok", nil, Failure{Class: OK}},
		{"blocked", fmt.Errorf("sendMessage: %w, Forbidden: bot was blocked by the user", bot.ErrorForbidden), Failure{Class: ChatGone}},
		{"chat not found", fmt.Errorf("sendMessage: %w, Bad Request: chat not found", bot.ErrorBadRequest), Failure{Class: ChatGone}},
		{"bad html", fmt.Errorf("sendMessage: %w, Bad Request: can't parse entities", bot.ErrorBadRequest), Failure{Class: Refused, Reason: conversation.FailMarkup}},
		{"too long", fmt.Errorf("sendMessage: %w, Bad Request: message is too long", bot.ErrorBadRequest), Failure{Class: Refused, Reason: conversation.FailTooLong}},
		{"caption too long", fmt.Errorf("sendPhoto: %w, Bad Request: message caption is too long", bot.ErrorBadRequest), Failure{Class: Refused, Reason: conversation.FailTooLong}},
		{"unknown file", fmt.Errorf("sendDocument: %w, Bad Request: wrong file identifier/HTTP URL specified", bot.ErrorBadRequest), Failure{Class: Refused, Reason: conversation.FailFile}},
		{"other 400", fmt.Errorf("sendMessage: %w, Bad Request: BUTTON_DATA_INVALID", bot.ErrorBadRequest), Failure{Class: Refused, Reason: conversation.FailRefused}},
		{"429", fmt.Errorf("wrapped: %w", &bot.TooManyRequestsError{Message: "slow", RetryAfter: 7}), Failure{Class: SlowDown, RetryAfter: 7 * time.Second}},
		{"429 without a time", &bot.TooManyRequestsError{Message: "slow"}, Failure{Class: SlowDown, RetryAfter: time.Second}},
		{"429 from getUpdates", &APIError{Method: "getUpdates", Code: 429, RetryAfter: 3 * time.Second}, Failure{Class: SlowDown, RetryAfter: 3 * time.Second}},
		{"migrated", &bot.MigrateError{Message: "migrated", MigrateToChatID: -1001}, Failure{Class: Refused, MigrateTo: -1001, Reason: conversation.FailRefused}},
		{"401", fmt.Errorf("x: %w", bot.ErrorUnauthorized), Failure{Class: Unauthorized}},
		{"404", fmt.Errorf("x: %w", bot.ErrorNotFound), Failure{Class: Refused, Reason: conversation.FailRefused}},
		{"5xx", errors.New("error response from telegram for method sendMessage, 502 Bad Gateway"), Failure{Class: Transient}},
		{"network", &net.OpError{Op: "dial", Err: errors.New("connection refused")}, Failure{Class: Transient}},
		{"timeout", fmt.Errorf("x: %w", context.DeadlineExceeded), Failure{Class: Transient}},
		{"our context", fmt.Errorf("x: %w", context.Canceled), Failure{Class: Canceled}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Classify(tt.err); got != tt.want {
				t.Errorf("Classify = %+v, want %+v", got, tt.want)
			}
		})
	}
}
