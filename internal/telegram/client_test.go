package telegram

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/go-telegram/bot"

	"github.com/integrationsagentur-marl/integrabot/internal/conversation"
)

func TestClientSendsJSONAndReturnsTheLibrarysErrors(t *testing.T) {
	const token = "123:secret-token"
	tests := []struct {
		name   string
		status int
		answer string
		check  func(t *testing.T, err error)
	}{
		{"sent", 200, `{"ok":true,"result":{"message_id":42,"date":1700000000,"chat":{"id":5,"type":"private"},"text":"x","entities":[]}}`,
			func(t *testing.T, err error) {
				if err != nil {
					t.Errorf("err = %v, want sent", err)
				}
			}},
		{"sent, written in another order", 200, `{"result":{"message_id":42,"chat":{"id":5,"type":"private"}},"ok":true}`,
			func(t *testing.T, err error) {
				if err != nil {
					t.Errorf("err = %v, want sent", err)
				}
			}},
		{"refused with HTTP 200", 200, `{"ok":false,"error_code":400,"description":"Bad Request: message text is empty"}`,
			func(t *testing.T, err error) {
				if !errors.Is(err, bot.ErrorBadRequest) {
					t.Errorf("err = %v, want bot.ErrorBadRequest", err)
				}
			}},
		{"blocked", 403, `{"ok":false,"error_code":403,"description":"Forbidden: bot was blocked by the user"}`,
			func(t *testing.T, err error) {
				if !errors.Is(err, bot.ErrorForbidden) || !strings.Contains(err.Error(), "blocked by the user") {
					t.Errorf("err = %v, want bot.ErrorForbidden with Telegram's words", err)
				}
			}},
		{"chat not found", 400, `{"ok":false,"error_code":400,"description":"Bad Request: chat not found"}`,
			func(t *testing.T, err error) {
				if !errors.Is(err, bot.ErrorBadRequest) || !strings.Contains(err.Error(), "chat not found") {
					t.Errorf("err = %v, want bot.ErrorBadRequest saying chat not found", err)
				}
			}},
		{"too many requests", 429, `{"ok":false,"error_code":429,"description":"Too Many Requests: retry after 7","parameters":{"retry_after":7}}`,
			func(t *testing.T, err error) {
				var tm *bot.TooManyRequestsError
				if !errors.As(err, &tm) || tm.RetryAfter != 7 {
					t.Errorf("err = %v, want *bot.TooManyRequestsError with retry_after 7", err)
				}
			}},
		{"group became a supergroup", 400, `{"ok":false,"error_code":400,"description":"Bad Request: group chat was upgraded to a supergroup chat","parameters":{"migrate_to_chat_id":-1001234}}`,
			func(t *testing.T, err error) {
				var me *bot.MigrateError
				if !errors.As(err, &me) || me.MigrateToChatID != -1001234 {
					t.Errorf("err = %v, want *bot.MigrateError to -1001234", err)
				}
			}},
		{"gateway error page", 502, `<html>Bad Gateway</html>`,
			func(t *testing.T, err error) {
				if err == nil || errors.Is(err, bot.ErrorBadRequest) || errors.Is(err, bot.ErrorForbidden) {
					t.Errorf("err = %v, want a plain error a retry may mend", err)
				}
			}},
		{"server error", 500, `{"ok":false,"error_code":500,"description":"Internal Server Error"}`,
			func(t *testing.T, err error) {
				if err == nil || !strings.Contains(err.Error(), "500") {
					t.Errorf("err = %v, want the 500 named", err)
				}
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var body map[string]any
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path != "/bot"+token+"/sendMessage" || r.Header.Get("Content-Type") != "application/json" || r.ContentLength <= 0 {
					t.Errorf("request %s with %q, length %d; want a JSON POST to sendMessage", r.URL.Path, r.Header.Get("Content-Type"), r.ContentLength)
				}
				if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
					t.Errorf("body is not JSON: %v", err)
				}
				w.WriteHeader(tt.status)
				_, _ = w.Write([]byte(tt.answer))
			}))
			defer srv.Close()
			c := NewClient(srv.URL, token, srv.Client())
			payload := Render(conversation.Message{Text: "Hallo <b>Marl</b>", Buttons: [][]conversation.Button{{{Label: "Menü", Data: "m:"}}}})[0]
			err := NewSender(c, false, nil).Send(context.Background(), 5, payload, false).Err
			tt.check(t, err)
			if err != nil && strings.Contains(err.Error(), token) {
				t.Errorf("error holds the token: %v", err)
			}
			markup, _ := body["reply_markup"].(map[string]any)
			if body["chat_id"] != 5.0 || body["text"] != "Hallo <b>Marl</b>" || body["parse_mode"] != "HTML" || markup["inline_keyboard"] == nil {
				t.Errorf("sent %v; want chat, text, parse mode and buttons as JSON", body)
			}
			if _, ok := body["message_thread_id"]; ok {
				t.Errorf("sent unset fields: %v", body)
			}
		})
	}
}

func TestClientNetworkErrorHidesTheToken(t *testing.T) {
	const token = "123:secret-token"
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close() // nobody listens there any more
	err := NewClient(url, token, &http.Client{}).AnswerCallbackQuery(context.Background(), &bot.AnswerCallbackQueryParams{CallbackQueryID: "1"})
	if err == nil || strings.Contains(err.Error(), token) {
		t.Errorf("err = %v, want a network error without the token", err)
	}
}

// An error names the method once ("sendMessage: sendMessage: …" was hard to
// read in the log) and keeps the library's error values reachable.
func TestSendErrorNamesTheMethodOnce(t *testing.T) {
	const token = "123:secret-token"
	tests := []struct {
		name   string
		status int
		answer string
		is     error // errors.Is must find it; nil: no check
		as     string
	}{
		{"blocked", 403, `{"ok":false,"error_code":403,"description":"Forbidden: bot was blocked by the user"}`, bot.ErrorForbidden, ""},
		{"bad request", 400, `{"ok":false,"error_code":400,"description":"Bad Request: chat not found"}`, bot.ErrorBadRequest, ""},
		{"too many requests", 429, `{"ok":false,"error_code":429,"description":"Too Many Requests: retry after 3","parameters":{"retry_after":3}}`, nil, "429"},
		{"migrated", 400, `{"ok":false,"error_code":400,"description":"Bad Request: group chat was upgraded to a supergroup chat","parameters":{"migrate_to_chat_id":-100777}}`, nil, "migrate"},
		{"server error", 500, `{"ok":false,"error_code":500,"description":"Internal Server Error"}`, nil, ""},
		{"not JSON", 502, `<html>Bad Gateway</html>`, nil, ""},
	}
	for _, tt := range tests {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(tt.status)
			_, _ = w.Write([]byte(tt.answer))
		}))
		c := NewClient(srv.URL, token, srv.Client())
		for _, m := range []struct {
			method string
			msg    conversation.Message
		}{
			{"sendMessage", conversation.Message{Text: "Hallo"}},
			{"sendContact", conversation.Message{Contact: &conversation.Contact{Name: "Jens Flachmeier", Phone: "+4915117466885"}}},
		} {
			err := NewSender(c, false, nil).Send(context.Background(), 5, Render(m.msg)[0], false).Err
			if err == nil {
				t.Errorf("%s %s: no error", tt.name, m.method)
				continue
			}
			if msg := err.Error(); !strings.HasPrefix(msg, m.method+": ") || strings.Count(msg, m.method+": ") != 1 {
				t.Errorf("%s: err = %q, want it to start with %q and name the method once", tt.name, msg, m.method+": ")
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("%s %s: err = %v, want errors.Is %v", tt.name, m.method, err, tt.is)
			}
			var tm *bot.TooManyRequestsError
			if tt.as == "429" && (!errors.As(err, &tm) || tm.RetryAfter != 3) {
				t.Errorf("%s %s: err = %v, want a *bot.TooManyRequestsError with retry_after 3", tt.name, m.method, err)
			}
			var me *bot.MigrateError
			if tt.as == "migrate" && (!errors.As(err, &me) || me.MigrateToChatID != -100777) {
				t.Errorf("%s %s: err = %v, want a *bot.MigrateError to -100777", tt.name, m.method, err)
			}
		}
		srv.Close()
	}
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close() // nobody listens there any more
	err := NewSender(NewClient(url, token, &http.Client{}), false, nil).Send(context.Background(), 5, Render(conversation.Message{Text: "Hallo"})[0], false).Err
	if err == nil || !strings.HasPrefix(err.Error(), "sendMessage: ") || strings.Count(err.Error(), "sendMessage: ") != 1 || strings.Contains(err.Error(), token) {
		t.Errorf("network error = %v, want the method once and no token", err)
	}
}
