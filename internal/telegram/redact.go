package telegram

import (
	"errors"
	"net/url"
	"strings"
)

// Redact removes the bot token from an error's text and from the URL of a
// *url.Error it wraps. go-telegram/bot and
// net/http put request URLs, which hold the token, into their errors.
func Redact(err error, token string) error {
	if err == nil || token == "" {
		return err
	}
	// the request URL inside, for whoever unwraps the error to it
	var ue *url.Error
	if errors.As(err, &ue) {
		ue.URL = strings.ReplaceAll(ue.URL, token, "<token>")
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
