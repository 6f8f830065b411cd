package telegram

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/go-telegram/bot"

	"github.com/integrationsagentur-marl/integrabot/internal/conversation"
)

// Class is what a failed Bot API call means for the request that drew it.
// Every part of the bot that calls Telegram decides by it, here in one place.
type Class int

// The classes.
const (
	OK           Class = iota
	Transient          // 5xx, a network error, a timeout: the same request may pass later
	SlowDown           // 429: the whole bot waits RetryAfter
	ChatGone           // blocked by the resident, kicked from the group, chat deleted: stop writing to it
	Refused            // 400 and the like: this request never passes, sending it again cannot help
	Unauthorized       // 401: the token was rejected
	Canceled           // our own context ended
)

// Failure is a classified error.
type Failure struct {
	Class      Class
	RetryAfter time.Duration // SlowDown: how long Telegram asked to wait (at least a second)
	MigrateTo  int64         // Refused: the group became this supergroup
	Reason     string        // Refused: why, as staff are told (conversation.Fail…)
}

// Classify tells what err, returned by a Bot API call, means.
func Classify(err error) Failure {
	var tooMany *bot.TooManyRequestsError
	var migrated *bot.MigrateError
	var apiErr *APIError
	switch {
	case err == nil:
		return Failure{Class: OK}
	case errors.Is(err, context.Canceled):
		return Failure{Class: Canceled}
	case errors.As(err, &tooMany):
		return Failure{Class: SlowDown, RetryAfter: time.Duration(max(tooMany.RetryAfter, 1)) * time.Second}
	case errors.As(err, &apiErr) && apiErr.Code == 429:
		return Failure{Class: SlowDown, RetryAfter: max(apiErr.RetryAfter, time.Second)}
	case errors.Is(err, bot.ErrorForbidden):
		return Failure{Class: ChatGone}
	case errors.As(err, &migrated):
		return Failure{Class: Refused, MigrateTo: int64(migrated.MigrateToChatID), Reason: conversation.FailRefused}
	case errors.Is(err, bot.ErrorBadRequest):
		if chatGone(err.Error()) {
			return Failure{Class: ChatGone}
		}
		return Failure{Class: Refused, Reason: refusal(err.Error())}
	case errors.Is(err, bot.ErrorUnauthorized), errors.Is(err, ErrUnauthorized):
		return Failure{Class: Unauthorized}
	case errors.Is(err, bot.ErrorNotFound), errors.Is(err, bot.ErrorConflict):
		return Failure{Class: Refused, Reason: conversation.FailRefused}
	}
	return Failure{Class: Transient}
}

// refusal tells staff why Telegram refused a message, from its description
// (a 400's: never the message's text).
func refusal(description string) string {
	d := strings.ToLower(description)
	switch {
	case strings.Contains(d, "too long"):
		return conversation.FailTooLong
	case strings.Contains(d, "can't parse entities"):
		return conversation.FailMarkup
	case strings.Contains(d, "file identifier"), strings.Contains(d, "wrong remote file"), strings.Contains(d, "failed to get http url content"), strings.Contains(d, "wrong type of the web page content"):
		return conversation.FailFile
	}
	return conversation.FailRefused
}

// chatGone tells whether a 400 means the chat no longer exists.
func chatGone(description string) bool {
	d := strings.ToLower(description)
	return strings.Contains(d, "chat not found") || strings.Contains(d, "user is deactivated") ||
		strings.Contains(d, "bot was kicked") || strings.Contains(d, "not a member")
}
