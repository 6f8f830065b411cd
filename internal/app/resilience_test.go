package app_test

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/integrationsagentur-marl/integrabot/internal/telegramtest"
)

// A storm of 429s from Telegram: every reply is delivered, none twice.
func TestTooManyRequestsStorm(t *testing.T) {
	api := telegramtest.New(token, telegramtest.WithBotUser(999, "integrabot"), telegramtest.WithRateLimits(30, 1, 20))
	defer api.Close()
	h := startWithLimits(t, api)
	const residents = 40
	for r := 0; r < residents; r++ {
		api.SendText(telegramtest.User{ID: int64(900 + r), FirstName: "R", LanguageCode: "de"}, "Telefon")
	}
	for r := 0; r < residents; r++ {
		got := h.waitSent(int64(900+r), 1)
		if len(got) != 1 {
			t.Errorf("resident %d got %d messages, want 1", r, len(got))
		}
	}
	time.Sleep(200 * time.Millisecond)
	total := 0
	for _, s := range api.Sent() {
		if s.ChatID >= 900 && s.ChatID < 900+residents {
			total++
		}
	}
	if total != residents {
		t.Errorf("%d messages delivered, want exactly %d", total, residents)
	}
	t.Logf("429 answers during the storm: %d", len(api.Rejected()))
}

// A resident who blocks the bot is recorded as inactive; unblocking clears it.
func TestBlockedResidentsAreMarkedInactive(t *testing.T) {
	h := start(t, nil, "")
	u := telegramtest.User{ID: 950, FirstName: "B", LanguageCode: "de"}
	h.api.SendText(u, "/start")
	h.waitSent(950, 1)
	h.api.Block(950)
	h.api.SendText(u, "Hilfe") // the reply meets 403
	rdb := rawRedis(t)
	gone := func() bool { return rdb.Exists(context.Background(), h.prefix+"{u950}:gone").Val() == 1 }
	waitFor(t, "inactive after 403", gone)
	h.api.PushUpdate(map[string]any{"my_chat_member": map[string]any{
		"chat": map[string]any{"id": 950, "type": "private"}, "from": map[string]any{"id": 950, "is_bot": false, "first_name": "B"}, "date": 1,
		"old_chat_member": map[string]any{"status": "kicked", "user": map[string]any{"id": 999, "is_bot": true, "first_name": "bot"}, "until_date": 0},
		"new_chat_member": map[string]any{"status": "member", "user": map[string]any{"id": 999, "is_bot": true, "first_name": "bot"}}}})
	waitFor(t, "active after unblocking", func() bool { return !gone() })
}

// Redis going away: the bot keeps answering content questions, /readyz says
// so, and once Redis is back the bot uses it again without a restart.
func TestRedisOutage(t *testing.T) {
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		t.Fatalf("this test starts its own Redis and needs redis-server (apt-get install redis-server; .ci/run does): %v", err)
	}
	_ = bin
	srv, url := ownRedis(t)
	api := telegramtest.New(token, telegramtest.WithBotUser(999, "integrabot"))
	defer api.Close()
	h := startOn(t, api, url)
	u := telegramtest.User{ID: 960, FirstName: "R", LanguageCode: "de"}
	h.api.SendText(u, "/start")
	h.waitSent(960, 1)
	ready := func() int {
		resp, err := http.Get("http://" + h.app.Addr() + "/readyz")
		if err != nil {
			return 0
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.StatusCode
	}
	waitFor(t, "ready", func() bool { return ready() == 200 })

	srv.stop()
	h.api.SendText(u, "Telefon")
	mustContain(t, texts(h.waitSent(960, 2)[1:]), "Flachmeier")
	if code := ready(); code != http.StatusServiceUnavailable {
		t.Errorf("/readyz = %d while Redis is down, want 503", code)
	}
	// a choice made now cannot be kept: the resident is told, the operator sees it
	h.api.SendText(u, "/language")
	msgs := h.waitSent(960, 3)
	h.api.PressButton(u, msgs[2].MessageID, "l:en")
	mustContain(t, texts(h.waitSent(960, 5)[3:]), knowledge(t).Catalog.T("en", "error.not_saved"))
	metricsText := func() string {
		resp, err := http.Get("http://" + h.app.Addr() + "/metrics")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		data, _ := io.ReadAll(resp.Body)
		return string(data)
	}
	for _, op := range []string{"claim_update"} {
		if n := metricValue(metricsText(), `integrabot_redis_errors_total{op="`+op+`"}`); n < 1 {
			t.Errorf("/metrics counts %v failed %s, want at least 1", n, op)
		}
	}

	srv.start()
	waitFor(t, "ready again", func() bool { return ready() == 200 })
	h.api.SendText(u, "/language")
	msgs = h.waitSent(960, 6)
	h.api.PressButton(u, msgs[5].MessageID, "l:en")
	mustContain(t, texts(h.waitSent(960, 7)[6:]), "English")
	if got := texts(h.waitSent(960, 7)[5:]); strings.Contains(got, knowledge(t).Catalog.T("en", "error.not_saved")) {
		t.Errorf("choice not saved after Redis came back:\n%s", got)
	}
}

// redisServer is a Redis of a test's own, which the test may stop and start.
type redisServer struct {
	t    *testing.T
	port int
	cmd  *exec.Cmd
}

// ownRedis starts a Redis on a free port of 127.0.0.1 and returns its URL;
// it is stopped when the test ends.
func ownRedis(t *testing.T) (*redisServer, string) {
	t.Helper()
	r := &redisServer{t: t, port: freePort(t)}
	r.start()
	t.Cleanup(r.stop)
	return r, fmt.Sprintf("redis://127.0.0.1:%d/0", r.port)
}

func (r *redisServer) start() {
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		r.t.Fatalf("this test starts its own Redis and needs redis-server (apt-get install redis-server; .ci/run does): %v", err)
	}
	r.cmd = exec.Command(bin, "--port", strconv.Itoa(r.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no")
	if err := r.cmd.Start(); err != nil {
		r.t.Fatal(err)
	}
	waitFor(r.t, "redis up", func() bool {
		c, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", r.port))
		if err == nil {
			c.Close()
		}
		return err == nil
	})
}

func (r *redisServer) stop() {
	if r.cmd == nil {
		return
	}
	_ = r.cmd.Process.Kill()
	_ = r.cmd.Wait()
	r.cmd = nil
}

// metricValue reads one series' value from Prometheus' text format (-1: absent).
func metricValue(text, series string) float64 {
	for _, line := range strings.Split(text, "\n") {
		if v, ok := strings.CutPrefix(line, series+" "); ok {
			f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
			if err == nil {
				return f
			}
		}
	}
	return -1
}

func rawRedis(t *testing.T) *redis.Client {
	o, _ := redis.ParseURL(redisURL(t))
	rdb := redis.NewClient(o)
	t.Cleanup(func() { rdb.Close() })
	return rdb
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting: %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func freePort(t *testing.T) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

func rawRedisB(b *testing.B, url string) *redis.Client {
	o, _ := redis.ParseURL(url)
	rdb := redis.NewClient(o)
	b.Cleanup(func() { rdb.Close() })
	return rdb
}
