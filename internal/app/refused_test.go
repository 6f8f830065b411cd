package app

import (
	"errors"
	"fmt"
	"testing"

	"github.com/go-telegram/bot"
)

// Replies Telegram refuses for good count as handled; those a retry may
// mend are tried again.
func TestRefused(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want bool
	}{
		{"bad request", fmt.Errorf("sendMessage: %w, Bad Request: can't parse entities", bot.ErrorBadRequest), true},
		{"not found", fmt.Errorf("sendMessage: %w, Not Found", bot.ErrorNotFound), true},
		{"token revoked", fmt.Errorf("sendMessage: %w, Unauthorized", bot.ErrorUnauthorized), true},
		{"group became a supergroup", fmt.Errorf("after 6 tries: %w", &bot.MigrateError{Message: "Bad Request: group chat was upgraded", MigrateToChatID: -100123}), true},
		{"server error", errors.New("after 6 tries: error response from telegram for method sendMessage, 502 Bad Gateway"), false},
		{"too many requests", &bot.TooManyRequestsError{Message: "Too Many Requests", RetryAfter: 5}, false},
		{"network", errors.New("sendMessage: connection reset by peer"), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := refused(tt.err); got != tt.want {
				t.Errorf("refused(%v) = %v, want %v", tt.err, got, tt.want)
			}
		})
	}
}
