package telegramtest

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"reflect"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"
)

func TestGetUpdatesOffsetsLikeTelegram(t *testing.T) {
	srv := newServer(t, WithFirstUpdateID(500))
	bob := User{ID: 7, FirstName: "Bob"}
	for i, text := range []string{"a", "b", "c", "d"} {
		u := ann
		if i%2 == 1 {
			u = bob
		}
		if id := srv.SendText(u, text); id != int64(500+i) {
			t.Fatalf("update id = %d", id)
		}
	}

	steps := []struct {
		name    string
		params  map[string]any
		want    []int64
		pending int
	}{
		{name: "no offset returns everything, confirms nothing", params: map[string]any{}, want: []int64{500, 501, 502, 503}, pending: 4},
		{name: "limit", params: map[string]any{"limit": 2}, want: []int64{500, 501}, pending: 4},
		{name: "limit is clamped to 1..100", params: map[string]any{"limit": 0}, want: []int64{500}, pending: 4},
		{name: "offset confirms older updates", params: map[string]any{"offset": 502}, want: []int64{502, 503}, pending: 2},
		{name: "a confirmed update never comes back", params: map[string]any{"offset": 0}, want: []int64{502, 503}, pending: 2},
		{name: "offset far in the future is ignored", params: map[string]any{"offset": 999}, want: []int64{502, 503}, pending: 2},
		{name: "negative offset keeps the last updates", params: map[string]any{"offset": -1}, want: []int64{503}, pending: 1},
		{name: "offset past the last confirms all", params: map[string]any{"offset": 504}, want: []int64{}, pending: 0},
	}
	for _, st := range steps {
		got := ids(getUpdates(t, srv, st.params))
		if !reflect.DeepEqual(got, st.want) || srv.Pending() != st.pending {
			t.Fatalf("%s: got %v pending %d, want %v pending %d", st.name, got, srv.Pending(), st.want, st.pending)
		}
	}

	// Parameters may also come as strings (form-encoded clients).
	srv.SendText(ann, "/start@test_bot")
	ups := getUpdates(t, srv, map[string]any{"offset": "504", "timeout": "0"})
	var msg models.Message
	if len(ups) != 1 || json.Unmarshal(ups[0].Message, &msg) != nil {
		t.Fatalf("updates = %+v", ups)
	}
	if msg.Text != "/start@test_bot" || len(msg.Entities) != 1 || msg.Entities[0].Type != models.MessageEntityTypeBotCommand ||
		msg.Entities[0].Length != 15 || msg.Chat.Type != "private" || msg.From.IsBot || msg.From.LanguageCode != "de" {
		t.Fatalf("message = %+v", msg)
	}
}

func TestGetUpdatesLongPolling(t *testing.T) {
	srv := newServer(t)
	ctx := context.Background()

	// An update arriving during the poll ends it at once.
	start := time.Now()
	go func() {
		time.Sleep(50 * time.Millisecond)
		srv.SendText(ann, "hallo")
	}()
	ups := getUpdates(t, srv, map[string]any{"timeout": 10})
	if len(ups) != 1 || time.Since(start) > 2*time.Second {
		t.Fatalf("long poll: %v after %v", ids(ups), time.Since(start))
	}

	// Without updates the poll lasts the timeout.
	start = time.Now()
	ups = getUpdates(t, srv, map[string]any{"offset": ups[0].UpdateID + 1, "timeout": 1})
	if len(ups) != 0 || time.Since(start) < 900*time.Millisecond {
		t.Fatalf("empty long poll: %v after %v", ids(ups), time.Since(start))
	}

	// A newer getUpdates terminates the waiting one with 409.
	type answer struct {
		status int
		env    envelope
	}
	first := make(chan answer, 1)
	go func() {
		s, e := callJSON(t, ctx, srv, "getUpdates", map[string]any{"timeout": 10})
		first <- answer{s, e}
	}()
	waitFor(t, func() bool { srv.mu.Lock(); defer srv.mu.Unlock(); return srv.poll != nil })
	second := make(chan answer, 1)
	go func() {
		s, e := callJSON(t, ctx, srv, "getUpdates", map[string]any{"timeout": 10})
		second <- answer{s, e}
	}()
	a := <-first
	if a.status != 409 || a.env.Description != "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running" {
		t.Fatalf("older poll: %d %+v", a.status, a.env)
	}
	id := srv.SendText(ann, "noch da?")
	if a := <-second; a.status != 200 || !strings.Contains(string(a.env.Result), `"update_id":`) || !strings.Contains(string(a.env.Result), "noch da?") {
		t.Fatalf("newer poll: %d %s (update %d)", a.status, a.env.Result, id)
	}

	// A client that gives up ends its poll.
	getUpdates(t, srv, map[string]any{"offset": id + 1}) // confirm everything
	cctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		req, _ := http.NewRequestWithContext(cctx, http.MethodPost, srv.URL+"/bot"+srv.Token+"/getUpdates",
			strings.NewReader(`{"timeout":30}`))
		req.Header.Set("Content-Type", "application/json")
		if resp, err := plainClient.Do(req); err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
	}()
	waitFor(t, func() bool { srv.mu.Lock(); defer srv.mu.Unlock(); return srv.poll != nil })
	cancel()
	<-done
	waitFor(t, func() bool { srv.mu.Lock(); defer srv.mu.Unlock(); return srv.poll == nil })
}

func TestAllowedUpdatesAreRemembered(t *testing.T) {
	srv := newServer(t)
	srv.SendText(ann, "before") // created before the bot narrowed its updates
	ups := getUpdates(t, srv, map[string]any{"allowed_updates": []string{"callback_query"}})
	if len(ups) != 1 {
		t.Fatalf("updates created earlier still arrive: %v", ids(ups))
	}
	if id := srv.SendText(ann, "ignored"); id != 0 || srv.Pending() != 1 {
		t.Fatalf("message update was created: %d, pending %d", id, srv.Pending())
	}
	getUpdates(t, srv, map[string]any{"offset": ups[0].UpdateID + 1}) // no allowed_updates: the setting stays
	if id := srv.SendText(ann, "still ignored"); id != 0 {
		t.Fatal("allowed_updates was forgotten")
	}
	if id := srv.PushUpdate(`{"chat_member":{"chat":{"id":-5,"type":"group","title":"G"}}}`); id != 0 {
		t.Fatal("chat_member is not allowed")
	}
	getUpdates(t, srv, map[string]any{"allowed_updates": []string{}}) // [] restores the default
	if id := srv.SendText(ann, "back"); id == 0 {
		t.Fatal("default allowed_updates not restored")
	}
	if id := srv.PushUpdate(map[string]any{"chat_member": map[string]any{}}); id != 0 {
		t.Fatal("chat_member is not in the default set")
	}
	if id := srv.PushUpdate(map[string]any{"edited_message": map[string]any{"message_id": 1, "chat": map[string]any{"id": ann.ID, "type": "private"}, "date": 1, "text": "x"}}); id == 0 {
		t.Fatal("edited_message is in the default set")
	}
}

func TestWebhookDelivery(t *testing.T) {
	srv := newServer(t, WithWebhookRetryDelay(20*time.Millisecond))
	b := newBot(t, srv)
	ctx := context.Background()

	var mu sync.Mutex
	var got []string
	var attempts atomic.Int32
	hook := newWebhookReceiver(t, func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if r.Header.Get("X-Telegram-Bot-Api-Secret-Token") != "s3cr3t_-x" || r.Header.Get("Content-Type") != "application/json" {
			w.WriteHeader(http.StatusForbidden)
			return
		}
		if attempts.Add(1) == 1 {
			w.WriteHeader(http.StatusInternalServerError) // the first delivery fails
			return
		}
		mu.Lock()
		got = append(got, string(body))
		mu.Unlock()
	})

	if _, err := b.SetWebhook(ctx, &bot.SetWebhookParams{URL: hook, SecretToken: "s3cr3t_-x"}); err != nil {
		t.Fatal(err)
	}
	_, err := b.SetWebhook(ctx, &bot.SetWebhookParams{URL: hook + "/other"})
	var tooMany *bot.TooManyRequestsError
	if !errors.As(err, &tooMany) || tooMany.RetryAfter != 1 {
		t.Fatalf("setWebhook twice within a second: %v", err)
	}
	status, env := callJSON(t, ctx, srv, "getUpdates", map[string]any{})
	if status != 409 || env.Description != "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first" {
		t.Fatalf("getUpdates with webhook: %d %+v", status, env)
	}

	srv.SendText(ann, "eins")
	srv.SendText(ann, "zwei")
	// The receiver sees the body before the server sees its 2xx answer.
	waitFor(t, func() bool { mu.Lock(); defer mu.Unlock(); return len(got) == 2 && srv.Pending() == 0 })
	if srv.Pending() != 0 || attempts.Load() != 3 {
		t.Fatalf("pending %d after %d attempts", srv.Pending(), attempts.Load())
	}
	mu.Lock()
	if !strings.Contains(got[0], `"text":"eins"`) || !strings.Contains(got[1], `"text":"zwei"`) || !strings.HasPrefix(got[0], `{"update_id":`) {
		t.Fatalf("delivered out of order or malformed: %v", got)
	}
	mu.Unlock()

	info, err := b.GetWebhookInfo(ctx)
	if err != nil || info.URL != hook || info.MaxConnections != 40 || info.LastErrorMessage != "Wrong response from the webhook: 500 Internal Server Error" || info.LastErrorDate == 0 {
		t.Fatalf("webhook info = %+v, %v", info, err)
	}

	if ok, err := b.DeleteWebhook(ctx, &bot.DeleteWebhookParams{}); !ok || err != nil {
		t.Fatal(err)
	}
	srv.SendText(ann, "drei")
	if ups := getUpdates(t, srv, map[string]any{}); len(ups) != 1 {
		t.Fatalf("after deleteWebhook: %v", ids(ups))
	}
}

func TestWebhookNeverLeavesTheMachine(t *testing.T) {
	srv := newServer(t)
	ctx := context.Background()
	status, env := callJSON(t, ctx, srv, "setWebhook", map[string]any{"url": "https://bot.example.org/telegram"})
	if status != 200 || env.Description != "Webhook was set" {
		t.Fatalf("setWebhook: %d %+v", status, env)
	}
	srv.SendText(ann, "x")
	var info models.WebhookInfo
	waitFor(t, func() bool {
		_, env := callJSON(t, ctx, srv, "getWebhookInfo", nil)
		_ = json.Unmarshal(env.Result, &info)
		return info.LastErrorMessage != ""
	})
	if !strings.Contains(info.LastErrorMessage, "loopback") || info.PendingUpdateCount != 1 || info.URL != "https://bot.example.org/telegram" {
		t.Fatalf("info = %+v", info)
	}
}

func TestSetWebhookValidation(t *testing.T) {
	for _, tt := range []struct {
		name, url, secret, desc string
	}{
		{name: "bad secret", url: "http://127.0.0.1:1/hook", secret: "a+b/c=", desc: "Bad Request: secret token contains unallowed characters"},
		{name: "long secret", url: "http://127.0.0.1:1/hook", secret: strings.Repeat("a", 257), desc: "Bad Request: secret token is too long"},
		{name: "no host", url: "hook", desc: "Bad Request: invalid webhook URL specified"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			srv := newServer(t)
			_, err := newBot(t, srv).SetWebhook(context.Background(), &bot.SetWebhookParams{URL: tt.url, SecretToken: tt.secret})
			if !errors.Is(err, bot.ErrorBadRequest) || !strings.HasSuffix(err.Error(), ", "+tt.desc) {
				t.Fatalf("err = %v, want %q", err, tt.desc)
			}
		})
	}
	srv := newServer(t)
	status, env := callJSON(t, context.Background(), srv, "setWebhook", map[string]any{"url": ""})
	if status != 200 || env.Description != "Webhook is already deleted" {
		t.Fatalf("empty url: %d %+v", status, env)
	}
}

// TestCloseEndsEverything checks that Close ends long polls and the webhook
// deliverer and leaves no goroutine behind.
func TestCloseEndsEverything(t *testing.T) {
	before := runtime.NumGoroutine()
	hookSrv := http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusBadGateway) // never accepts: the update is retried until Close
	})}
	hookURL, stopHook := listen(t, &hookSrv)

	srv := New(testToken, WithWebhookRetryDelay(5*time.Millisecond))
	poll := make(chan int, 1)
	go func() {
		status, _ := callJSON(t, context.Background(), srv, "getUpdates", map[string]any{"timeout": 30})
		poll <- status
	}()
	waitFor(t, func() bool { srv.mu.Lock(); defer srv.mu.Unlock(); return srv.poll != nil })
	if status, env := callJSON(t, context.Background(), srv, "setWebhook", map[string]any{"url": hookURL}); status != 200 {
		t.Fatalf("setWebhook: %+v", env)
	}
	if status := <-poll; status != 409 {
		t.Fatalf("setWebhook must end the long poll with 409, got %d", status)
	}
	srv.SendText(ann, "x")
	waitFor(t, func() bool {
		srv.mu.Lock()
		defer srv.mu.Unlock()
		return srv.hook != nil && srv.hook.lastErrorDate != 0
	})
	srv.Close()
	srv.Close() // idempotent
	stopHook()
	plainClient.CloseIdleConnections()
	deadline := time.Now().Add(3 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > before {
		buf := make([]byte, 1<<16)
		t.Fatalf("%d goroutines before, %d after Close:\n%s", before, n, buf[:runtime.Stack(buf, true)])
	}
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not reached in 5s")
		}
		time.Sleep(2 * time.Millisecond)
	}
}
