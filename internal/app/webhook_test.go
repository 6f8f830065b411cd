package app_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/integrationsagentur-marl/integrabot/internal/app"
	"github.com/integrationsagentur-marl/integrabot/internal/config"
	"github.com/integrationsagentur-marl/integrabot/internal/deliver"
	"github.com/integrationsagentur-marl/integrabot/internal/telegramtest"
)

const secret = "s3cret-webhook-token-for-tests"

// balancer stands in for the operator's load balancer: round robin over replicas.
type balancer struct {
	mu       sync.Mutex
	backends []*app.App
	next     int
	served   []atomic.Int64
}

func (b *balancer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b.mu.Lock()
	var i int
	for tries := 0; tries < len(b.backends); tries++ {
		i = b.next % len(b.backends)
		b.next++
		if b.backends[i].Addr() != "" {
			break
		}
	}
	target := b.backends[i].Addr()
	b.mu.Unlock()
	if target == "" {
		http.Error(w, "no replica up yet", http.StatusBadGateway)
		return
	}
	b.served[i].Add(1)
	u, _ := url.Parse("http://" + target)
	httputil.NewSingleHostReverseProxy(u).ServeHTTP(w, r)
}

type replica struct {
	app    *app.App
	cancel context.CancelFunc
	done   chan error
	logs   *syncBuffer
}

func startReplica(t *testing.T, api *telegramtest.Server, webhookURL, prefix string) *replica {
	return startReplicaWith(t, api, webhookURL, prefix, "127.0.0.1:0", fastLimits)
}

// twoReplicas runs two replicas on one Redis behind a round-robin balancer.
func twoReplicas(t *testing.T, api *telegramtest.Server, limits deliver.Limits) *balancer {
	t.Helper()
	prefix := fmt.Sprintf("ibtest:%d:", time.Now().UnixNano())
	t.Cleanup(func() { cleanRedis(redisURL(t), prefix) })
	b := &balancer{served: make([]atomic.Int64, 2)}
	front := httptest.NewServer(b)
	t.Cleanup(front.Close)
	r1 := startReplicaWith(t, api, front.URL+"/telegram", prefix, "127.0.0.1:0", limits)
	r2 := startReplicaWith(t, api, front.URL+"/telegram", prefix, "127.0.0.1:0", limits)
	b.backends = []*app.App{r1.app, r2.app}
	waitAddr(t, r1.app)
	waitAddr(t, r2.app)
	return b
}

// startReplicaAt runs a replica listening on addr.
func startReplicaAt(t *testing.T, api *telegramtest.Server, webhookURL, prefix, addr string) *replica {
	return startReplicaWith(t, api, webhookURL, prefix, addr, fastLimits)
}

func startReplicaWith(t *testing.T, api *telegramtest.Server, webhookURL, prefix, addr string, limits deliver.Limits) *replica {
	return startReplicaWithOptions(t, api, webhookURL, prefix, addr, app.Options{Limits: limits})
}

func startReplicaWithOptions(t *testing.T, api *telegramtest.Server, webhookURL, prefix, addr string, opt app.Options, edit ...func(*config.Config)) *replica {
	t.Helper()
	return startReplicaKnowing(t, api, webhookURL, prefix, addr, knowledge(t), opt, edit...)
}

// startReplicaKnowing is startReplicaWithOptions with the content and languages of k.
func startReplicaKnowing(t *testing.T, api *telegramtest.Server, webhookURL, prefix, addr string, k *app.Knowledge, opt app.Options, edit ...func(*config.Config)) *replica {
	t.Helper()
	cfg := config.Config{Token: token, APIURL: api.URL, RedisURL: redisURL(t), ListenAddr: addr,
		WebhookURL: webhookURL, WebhookSecret: secret}
	for _, e := range edit {
		e(&cfg)
	}
	r := &replica{done: make(chan error, 1), logs: &syncBuffer{}}
	opt.KeyPrefix = prefix
	a, err := app.New(cfg, k, opt, slog.New(slog.NewJSONHandler(r.logs, nil)))
	if err != nil {
		t.Fatal(err)
	}
	r.app = a
	ctx, cancel := context.WithCancel(context.Background())
	r.cancel = cancel
	go func() { r.done <- a.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-r.done:
			if err != nil {
				t.Errorf("Run: %v", err)
			}
		case <-time.After(30 * time.Second):
			t.Error("replica did not stop")
		}
		a.Close()
		if strings.Contains(r.logs.String(), token) || strings.Contains(r.logs.String(), secret) {
			t.Error("a secret appears in the log")
		}
	})
	return r
}

func waitAddr(t *testing.T, a *app.App) string {
	t.Helper()
	waitFor(t, "replica listens", func() bool { return a.Addr() != "" })
	return a.Addr()
}

func post(t *testing.T, url, secretHeader, body string) int {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if secretHeader != "" {
		req.Header.Set("X-Telegram-Bot-Api-Secret-Token", secretHeader)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func update(id int64, chat int64, text string) string {
	return fmt.Sprintf(`{"update_id":%d,"message":{"message_id":%d,"date":1,"chat":{"id":%d,"type":"private"},"from":{"id":%d,"is_bot":false,"first_name":"R","language_code":"de"},"text":%q}}`, id, id, chat, chat, text)
}

func TestWebhookRefusesStrangersAndAnswersOnce(t *testing.T) {
	api := telegramtest.New(token, telegramtest.WithBotUser(999, "integrabot"))
	defer api.Close()
	prefix := fmt.Sprintf("ibtest:%d:", time.Now().UnixNano())
	defer cleanRedis(redisURL(t), prefix)
	b := &balancer{served: make([]atomic.Int64, 1)}
	front := httptest.NewServer(b)
	defer front.Close()
	r := startReplica(t, api, front.URL+"/telegram", prefix)
	b.backends = []*app.App{r.app}
	direct := "http://" + waitAddr(t, r.app) + "/telegram"

	// a resident writes; Telegram delivers through the webhook
	api.SendText(telegramtest.User{ID: 701, FirstName: "R", LanguageCode: "de"}, "/start")
	h := &harness{t: t, api: api}
	h.waitSent(701, 1)

	before := len(api.Sent())
	if code := post(t, direct, "", update(90001, 701, "Telefon")); code != http.StatusUnauthorized {
		t.Errorf("missing secret: HTTP %d, want 401", code)
	}
	if code := post(t, direct, "wrong-secret-wrong-secret", update(90001, 701, "Telefon")); code != http.StatusUnauthorized {
		t.Errorf("wrong secret: HTTP %d, want 401", code)
	}
	if code := post(t, direct, secret, `{"hello":"world"}`); code != http.StatusBadRequest {
		t.Errorf("not an update: HTTP %d, want 400", code)
	}
	if code := post(t, direct, secret, `not json`); code != http.StatusBadRequest {
		t.Errorf("not JSON: HTTP %d, want 400", code)
	}
	time.Sleep(200 * time.Millisecond)
	if after := len(api.Sent()); after != before {
		t.Fatalf("refused requests made the bot send %d messages", after-before)
	}

	// Telegram retries the same update (its first answer got lost): one reply
	for i := 0; i < 3; i++ {
		if code := post(t, direct, secret, update(90002, 701, "Hilfe")); code != http.StatusOK {
			t.Errorf("try %d: HTTP %d, want 200", i, code)
		}
	}
	time.Sleep(300 * time.Millisecond)
	if n := len(h.waitSent(701, 2)); n != 2 {
		t.Errorf("the same update delivered three times gave %d replies in all, want 2 (one for /start, one for the update)", n)
	}
}

// Two replicas behind a load balancer on one Redis behave like one bot:
// every update is answered exactly once, and both share the work.
func TestTwoReplicasShareTheWebhook(t *testing.T) {
	api := telegramtest.New(token, telegramtest.WithBotUser(999, "integrabot"))
	defer api.Close()
	b := twoReplicas(t, api, fastLimits)

	const residents, each = 20, 3
	for i := 0; i < each; i++ {
		for r := 0; r < residents; r++ {
			api.SendText(telegramtest.User{ID: int64(800 + r), FirstName: "R", LanguageCode: "en"}, []string{"/start", "help", "phone number"}[i])
		}
	}
	h := &harness{t: t, api: api}
	for r := 0; r < residents; r++ {
		got := h.waitSent(int64(800+r), 3) // start, help, contacts
		if len(got) > 3 {
			t.Errorf("resident %d got %d messages, want 3 (no double replies):\n%s", r, len(got), texts(got))
		}
		// the answers come in the order the resident wrote
		if !strings.Contains(got[0].Text, "Hello") || !strings.Contains(got[2].Text, "Jens Flachmeier") {
			t.Errorf("resident %d: answers out of order:\n%s", r, texts(got))
		}
	}
	time.Sleep(300 * time.Millisecond)
	for r := 0; r < residents; r++ {
		if n := len(h.waitSent(int64(800+r), 3)); n != 3 {
			t.Errorf("resident %d got %d messages after settling, want 3", r, n)
		}
	}
	if b.served[0].Load() == 0 || b.served[1].Load() == 0 {
		t.Errorf("load not shared: replica requests %d and %d", b.served[0].Load(), b.served[1].Load())
	}
	if p := api.Pending(); p != 0 {
		t.Errorf("%d updates not confirmed by the webhook", p)
	}
}
