package telegram

import (
	"strings"
)

// Redact removes the bot token from an error's text. go-telegram/bot and
// net/http put request URLs, which hold the token, into their errors.
func Redact(err error, token string) error {
	if err == nil || token == "" {
		return err
	}
	msg := err.Error()
	if !strings.Contains(msg, token) {
		return err
	}
	return redacted{msg: strings.ReplaceAll(msg, token, "<token>"), err: err}
}

type redacted struct {
	msg string
	err error
}

func (r redacted) Error() string { return r.msg }

// Unwrap keeps errors.Is and errors.As working (bot.ErrorForbidden, *bot.TooManyRequestsError).
func (r redacted) Unwrap() error { return r.err }
