package telegramtest

import (
	"bytes"
	"context"
	"encoding/json"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/go-telegram/bot"
)

const testToken = "123456:TEST-token"

var ann = User{ID: 42, FirstName: "Ann", Username: "ann", LanguageCode: "de"}

// newServer starts a fake server closed at the end of the test.
func newServer(t *testing.T, opts ...Option) *Server {
	t.Helper()
	srv := New(testToken, opts...)
	t.Cleanup(srv.Close)
	return srv
}

// newBot is the real go-telegram/bot client pointed at the fake.
func newBot(t *testing.T, srv *Server) *bot.Bot {
	t.Helper()
	b, err := bot.New(srv.Token, bot.WithServerURL(srv.URL), bot.WithSkipGetMe(),
		bot.WithHTTPClient(5*time.Second, &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// envelope is the Bot API answer as a client decodes it.
type envelope struct {
	OK          bool            `json:"ok"`
	Result      json.RawMessage `json:"result"`
	ErrorCode   int             `json:"error_code"`
	Description string          `json:"description"`
	Parameters  struct {
		RetryAfter int `json:"retry_after"`
	} `json:"parameters"`
}

var plainClient = &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}

// callJSON posts params as a JSON body, the way the project's own
// getUpdates client does.
func callJSON(t *testing.T, ctx context.Context, srv *Server, method string, params any) (int, envelope) {
	t.Helper()
	body, err := json.Marshal(params)
	if err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, srv.URL+"/bot"+srv.Token+"/"+method, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	return do(t, req)
}

func callForm(t *testing.T, srv *Server, method string, form url.Values) (int, envelope) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, srv.URL+"/bot"+srv.Token+"/"+method, strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return do(t, req)
}

func do(t *testing.T, req *http.Request) (int, envelope) {
	t.Helper()
	resp, err := plainClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var env envelope
	if err := json.NewDecoder(resp.Body).Decode(&env); err != nil {
		t.Fatalf("%s: undecodable answer: %v", req.URL.Path, err)
	}
	if !env.OK && env.ErrorCode != resp.StatusCode {
		t.Fatalf("%s: HTTP status %d but error_code %d", req.URL.Path, resp.StatusCode, env.ErrorCode)
	}
	return resp.StatusCode, env
}

type update struct {
	UpdateID      int64           `json:"update_id"`
	Message       json.RawMessage `json:"message"`
	CallbackQuery *struct {
		ID      string `json:"id"`
		Data    string `json:"data"`
		Message struct {
			MessageID int    `json:"message_id"`
			Text      string `json:"text"`
		} `json:"message"`
		ChatInstance string `json:"chat_instance"`
	} `json:"callback_query"`
}

func getUpdates(t *testing.T, srv *Server, params map[string]any) []update {
	t.Helper()
	status, env := callJSON(t, context.Background(), srv, "getUpdates", params)
	if status != 200 {
		t.Fatalf("getUpdates: %d %s", status, env.Description)
	}
	var ups []update
	if err := json.Unmarshal(env.Result, &ups); err != nil {
		t.Fatal(err)
	}
	return ups
}

func ids(ups []update) []int64 {
	out := []int64{}
	for _, u := range ups {
		out = append(out, u.UpdateID)
	}
	return out
}

// listen serves h on 127.0.0.1 and returns its URL and a stop function.
func listen(t *testing.T, h *http.Server) (string, func()) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = h.Serve(l) }()
	return "http://" + l.Addr().String() + "/hook", func() { _ = h.Close() }
}

// newWebhookReceiver is the bot's webhook endpoint, stopped after the test.
func newWebhookReceiver(t *testing.T, handler http.HandlerFunc) string {
	t.Helper()
	u, stop := listen(t, &http.Server{Handler: handler})
	t.Cleanup(stop)
	return u
}
