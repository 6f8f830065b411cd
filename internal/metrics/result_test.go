package metrics

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"syscall"
	"testing"
	"time"

	"github.com/go-telegram/bot"
)

func TestResultOf(t *testing.T) {
	refused := &url.Error{Op: "Post", URL: "http://127.0.0.1:1/bot***/sendMessage",
		Err: &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}}
	for _, tc := range []struct {
		name string
		err  error
		want string
	}{
		{"nil", nil, "ok"},
		{"400", fmt.Errorf("%w, Bad Request: chat not found", bot.ErrorBadRequest), "bad_request"},
		{"400 wrapped by the outbox", fmt.Errorf("send: %w", fmt.Errorf("%w, Bad Request: message is too long", bot.ErrorBadRequest)), "bad_request"},
		{"400 migrate", &bot.MigrateError{Message: "bad request: group upgraded", MigrateToChatID: -100}, "bad_request"},
		{"403", fmt.Errorf("%w, Forbidden: bot was blocked by the user", bot.ErrorForbidden), "forbidden"},
		{"403 wrapped", fmt.Errorf("chat gone: %w", fmt.Errorf("%w, Forbidden: user is deactivated", bot.ErrorForbidden)), "forbidden"},
		{"429", &bot.TooManyRequestsError{Message: "too many requests, Too Many Requests: retry after 3", RetryAfter: 3}, "too_many_requests"},
		{"429 wrapped", fmt.Errorf("sendMessage: %w", &bot.TooManyRequestsError{RetryAfter: 1}), "too_many_requests"},
		{"deadline", context.DeadlineExceeded, "network_error"},
		{"deadline wrapped", fmt.Errorf("error do request for method sendMessage, %w", context.DeadlineExceeded), "network_error"},
		{"canceled (shutting down)", fmt.Errorf("error do request for method getUpdates, %w", context.Canceled), "network_error"},
		{"connection refused", fmt.Errorf("error do request for method sendMessage, %w", refused), "network_error"},
		{"bare net error", &net.DNSError{Err: "no such host", Name: "api.telegram.org", IsTimeout: true}, "network_error"},
		{"connection closed mid-answer", fmt.Errorf("error read response body for method sendMessage, %w", io.ErrUnexpectedEOF), "network_error"},
		{"500", errors.New("error response from telegram for method sendMessage, 500 Internal Server Error"), "server_error"},
		{"401 (token revoked)", fmt.Errorf("%w, Unauthorized", bot.ErrorUnauthorized), "server_error"},
		{"409 (another poller)", fmt.Errorf("%w, Conflict: terminated by other getUpdates request", bot.ErrorConflict), "server_error"},
		{"not JSON", errors.New("error decode response body for method sendMessage, <html>502</html>, invalid character '<'"), "server_error"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := ResultOf(tc.err); got != tc.want {
				t.Errorf("ResultOf(%v) = %q, want %q", tc.err, got, tc.want)
			}
		})
	}
}

// The same mapping for the errors go-telegram/bot really returns, from a
// fake Bot API on 127.0.0.1.
func TestResultOfRealBotErrors(t *testing.T) {
	answer := func(code int, body string) http.HandlerFunc {
		return func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(code)
			_, _ = io.WriteString(w, body)
		}
	}
	closedAddr := func() string { // a port on 127.0.0.1 where nothing listens
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := ln.Addr().String()
		_ = ln.Close()
		return "http://" + addr
	}
	for _, tc := range []struct {
		name    string
		handler http.HandlerFunc // nil: nothing listens
		timeout time.Duration
		want    string
	}{
		{"ok", answer(200, `{"ok":true,"result":{"message_id":1,"date":0,"chat":{"id":1,"type":"private"}}}`), 0, "ok"},
		{"400", answer(400, `{"ok":false,"error_code":400,"description":"Bad Request: chat not found"}`), 0, "bad_request"},
		{"403", answer(403, `{"ok":false,"error_code":403,"description":"Forbidden: bot was blocked by the user"}`), 0, "forbidden"},
		{"429", answer(429, `{"ok":false,"error_code":429,"description":"Too Many Requests: retry after 5","parameters":{"retry_after":5}}`), 0, "too_many_requests"},
		{"500", answer(500, `{"ok":false,"error_code":500,"description":"Internal Server Error"}`), 0, "server_error"},
		{"502 from a proxy", func(w http.ResponseWriter, _ *http.Request) {
			w.WriteHeader(502)
			_, _ = io.WriteString(w, "<html>Bad Gateway</html>")
		}, 0, "server_error"},
		{"connection dropped", func(w http.ResponseWriter, _ *http.Request) {
			conn, _, err := w.(http.Hijacker).Hijack()
			if err == nil {
				_ = conn.Close()
			}
		}, 0, "network_error"},
		{"timeout", func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.Copy(io.Discard, r.Body) // then the server notices the client hanging up
			select {
			case <-r.Context().Done():
			case <-time.After(5 * time.Second):
			}
		}, 100 * time.Millisecond, "network_error"},
		{"connection refused", nil, 0, "network_error"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			base := closedAddr()
			if tc.handler != nil {
				srv := httptest.NewServer(tc.handler)
				defer srv.Close()
				base = srv.URL
			}
			b, err := bot.New("123456:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", bot.WithServerURL(base), bot.WithSkipGetMe())
			if err != nil {
				t.Fatal(err)
			}
			ctx := context.Background()
			if tc.timeout > 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, tc.timeout)
				defer cancel()
			}
			_, err = b.SendMessage(ctx, &bot.SendMessageParams{ChatID: 1, Text: "x"})
			if got := ResultOf(err); got != tc.want {
				t.Errorf("ResultOf(%v) = %q, want %q", err, got, tc.want)
			}
		})
	}
}
