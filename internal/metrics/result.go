package metrics

import (
	"context"
	"errors"
	"io"
	"net"

	"github.com/go-telegram/bot"
)

// ResultOf maps the error of a go-telegram/bot call to the result label of
// APICall:
//
//   - nil: "ok"
//   - bot.ErrorBadRequest, or a *bot.MigrateError (a 400 too): "bad_request"
//   - bot.ErrorForbidden (the resident blocked the bot): "forbidden"
//   - *bot.TooManyRequestsError (429): "too_many_requests"
//   - no answer from Telegram (context deadline or cancel, a net.Error such
//     as a refused connection or timeout, a connection closed mid-answer): "network_error"
//   - anything else (5xx, 401, 404, 409, an answer that is not JSON): "server_error"
func ResultOf(err error) string {
	var tooMany *bot.TooManyRequestsError
	var migrate *bot.MigrateError
	var netErr net.Error
	switch {
	case err == nil:
		return ResultOK
	case errors.As(err, &tooMany):
		return ResultTooManyRequests
	case errors.Is(err, bot.ErrorBadRequest), errors.As(err, &migrate):
		return ResultBadRequest
	case errors.Is(err, bot.ErrorForbidden):
		return ResultForbidden
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled),
		errors.As(err, &netErr), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return ResultNetworkError
	default:
		return ResultServerError
	}
}
