package metrics

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// scrape fetches /metrics the way Prometheus does and returns the body.
func scrape(t *testing.T, m *Metrics) string {
	t.Helper()
	srv := httptest.NewServer(m.Handler()) // listens on 127.0.0.1
	defer srv.Close()
	resp, err := http.Get(srv.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /metrics: %s\n%s", resp.Status, body)
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") {
		t.Fatalf("Content-Type %q, want the text exposition format", ct)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	if _, err := p.TextToMetricFamilies(strings.NewReader(string(body))); err != nil {
		t.Fatalf("a scraper could not parse /metrics: %v\n%s", err, body)
	}
	return string(body)
}

func hasLine(body, line string) bool {
	for _, l := range strings.Split(body, "\n") {
		if l == line {
			return true
		}
	}
	return false
}

func TestScrape(t *testing.T) {
	for _, tc := range []struct {
		name   string
		do     func(m *Metrics)
		want   []string // whole lines of the scrape
		absent []string // substrings that must not appear anywhere
	}{
		{
			name: "series exist before anything happened",
			do:   func(*Metrics) {},
			want: []string{
				"# TYPE integrabot_updates_total counter",
				`integrabot_updates_total{outcome="answered",type="message"} 0`,
				`integrabot_updates_total{outcome="panicked",type="callback_query"} 0`,
				`integrabot_updates_total{outcome="duplicate",type="my_chat_member"} 0`,
				`integrabot_updates_total{outcome="ignored",type="other"} 0`,
				"# TYPE integrabot_update_handling_seconds histogram",
				`integrabot_update_handling_seconds_bucket{le="+Inf"} 0`,
				"integrabot_update_handling_seconds_count 0",
				"# TYPE integrabot_telegram_api_calls_total counter",
				`integrabot_telegram_api_calls_total{method="sendMessage",result="ok"} 0`,
				`integrabot_telegram_api_calls_total{method="getUpdates",result="network_error"} 0`,
				`integrabot_telegram_api_calls_total{method="answerCallbackQuery",result="too_many_requests"} 0`,
				"# TYPE integrabot_telegram_429_total counter",
				"integrabot_telegram_429_total 0",
				"# TYPE integrabot_chats_waiting gauge",
				"integrabot_chats_waiting 0",
				"# TYPE integrabot_messages_total counter",
				`integrabot_messages_total{outcome="given_up"} 0`,
				"# TYPE integrabot_redis_errors_total counter",
				`integrabot_redis_errors_total{op="claim_update"} 0`,
				`integrabot_redis_errors_total{op="other"} 0`,
			},
		},
		{
			name: "updates by type and outcome",
			do: func(m *Metrics) {
				m.Update("message", "answered")
				m.Update("message", "answered")
				m.Update(KindCallbackQuery, OutcomeDuplicate)
				m.Update(KindMyChatMember, OutcomeIgnored)
				m.Update(KindMessage, OutcomePanicked)
			},
			want: []string{
				`integrabot_updates_total{outcome="answered",type="message"} 2`,
				`integrabot_updates_total{outcome="duplicate",type="callback_query"} 1`,
				`integrabot_updates_total{outcome="ignored",type="my_chat_member"} 1`,
				`integrabot_updates_total{outcome="panicked",type="message"} 1`,
				`integrabot_updates_total{outcome="failed",type="message"} 0`,
			},
		},
		{
			name: "unknown update type and outcome fall back to fixed values",
			do: func(m *Metrics) {
				m.Update("edited_message", OutcomeAnswered)
				m.Update(KindMessage, "Hallo, ich brauche Hilfe")
			},
			want: []string{
				`integrabot_updates_total{outcome="answered",type="other"} 1`,
				`integrabot_updates_total{outcome="failed",type="message"} 1`,
			},
			absent: []string{"edited_message", "Hallo"},
		},
		{
			name: "handling time histogram",
			do: func(m *Metrics) {
				m.ObserveHandling(3 * time.Millisecond)
				m.ObserveHandling(2 * time.Second)
				m.ObserveHandling(30 * time.Second)
			},
			want: []string{
				`integrabot_update_handling_seconds_bucket{le="0.001"} 0`,
				`integrabot_update_handling_seconds_bucket{le="0.0025"} 0`,
				`integrabot_update_handling_seconds_bucket{le="0.005"} 1`,
				`integrabot_update_handling_seconds_bucket{le="1"} 1`,
				`integrabot_update_handling_seconds_bucket{le="2.5"} 2`,
				`integrabot_update_handling_seconds_bucket{le="10"} 2`,
				`integrabot_update_handling_seconds_bucket{le="+Inf"} 3`,
				"integrabot_update_handling_seconds_sum 32.003",
				"integrabot_update_handling_seconds_count 3",
			},
		},
		{
			name: "Telegram API calls by method and result",
			do: func(m *Metrics) {
				m.APICall("sendMessage", ResultOK)
				m.APICall("sendMessage", ResultOK)
				m.APICall("sendMessage", ResultForbidden)
				m.APICall("getUpdates", ResultNetworkError)
				m.APICall("setMyDescription", ResultBadRequest) // a method not called yet: gets its own series
				m.APICall("sendContact", "teapot")              // unknown result
			},
			want: []string{
				`integrabot_telegram_api_calls_total{method="sendMessage",result="ok"} 2`,
				`integrabot_telegram_api_calls_total{method="sendMessage",result="forbidden"} 1`,
				`integrabot_telegram_api_calls_total{method="getUpdates",result="network_error"} 1`,
				`integrabot_telegram_api_calls_total{method="setMyDescription",result="bad_request"} 1`,
				`integrabot_telegram_api_calls_total{method="setMyDescription",result="ok"} 0`,
				`integrabot_telegram_api_calls_total{method="sendContact",result="server_error"} 1`,
			},
			absent: []string{"teapot"},
		},
		{
			name: "no ids, tokens or texts in labels",
			do: func(m *Metrics) {
				m.APICall("123456:ABCdefGHIjklMNOpqrSTUvwxYZ0123456789", ResultOK) // a token by mistake
				m.APICall("sendMessage 4711", ResultOK)                            // a chat id by mistake
				m.APICall("https://api.telegram.org/bot123:xyz/sendMessage", ResultOK)
				m.APICall("", ResultOK)
				m.RedisError("ib:state:4711")
				m.RedisError("Merhaba yardım lazım")
				m.RedisError(strings.Repeat("a", 41))
			},
			want: []string{
				`integrabot_telegram_api_calls_total{method="other",result="ok"} 4`,
				`integrabot_redis_errors_total{op="other"} 3`,
			},
			absent: []string{"4711", "ABCdef", "telegram.org", "Merhaba", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"},
		},
		{
			name: "429 answers",
			do: func(m *Metrics) {
				for range 3 {
					m.TooManyRequests()
				}
			},
			want: []string{"integrabot_telegram_429_total 3"},
		},
		{
			name: "outbox depth is the last value set",
			do: func(m *Metrics) {
				m.SetChatsWaiting(7)
				m.SetChatsWaiting(4)
			},
			want: []string{"integrabot_chats_waiting 4"},
		},
		{
			name: "Redis errors by operation",
			do: func(m *Metrics) {
				m.RedisError("claim_update")
				m.RedisError("claim_update")
				m.RedisError("save_state")
				m.RedisError("scan_keys") // not known in advance: its own series
			},
			want: []string{
				`integrabot_redis_errors_total{op="claim_update"} 2`,
				`integrabot_redis_errors_total{op="save_state"} 1`,
				`integrabot_redis_errors_total{op="scan_keys"} 1`,
				`integrabot_redis_errors_total{op="ping"} 0`,
			},
		},
		{
			name: "Go runtime, process and handler metrics",
			do:   func(*Metrics) {},
			want: []string{
				"# TYPE go_goroutines gauge",
				"# TYPE go_gc_duration_seconds summary",
				"# TYPE process_cpu_seconds_total counter",
				"# TYPE process_resident_memory_bytes gauge",
				"# TYPE promhttp_metric_handler_requests_total counter",
			},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := New()
			tc.do(m)
			body := scrape(t, m)
			for _, line := range tc.want {
				if !hasLine(body, line) {
					t.Errorf("missing line\n\t%s\nin the scrape:\n%s", line, ourLines(body))
				}
			}
			for _, s := range tc.absent {
				// only our series: the runtime's own numbers may hold any digits
				if strings.Contains(ourLines(body), s) {
					t.Errorf("%q appears in the scrape:\n%s", s, ourLines(body))
				}
			}
		})
	}
}

// ourLines are the integrabot_ lines of a scrape, for readable failures.
func ourLines(body string) string {
	var b strings.Builder
	for _, l := range strings.Split(body, "\n") {
		if strings.Contains(l, "integrabot_") {
			b.WriteString("\t" + l + "\n")
		}
	}
	return b.String()
}

// Each Metrics has its own registry: two never share counters, and creating
// a second one does not panic on duplicate registration.
func TestInstancesAreIndependent(t *testing.T) {
	a, b := New(), New()
	a.Update(KindMessage, OutcomeAnswered)
	if !hasLine(scrape(t, a), `integrabot_updates_total{outcome="answered",type="message"} 1`) {
		t.Error("a did not count its update")
	}
	if !hasLine(scrape(t, b), `integrabot_updates_total{outcome="answered",type="message"} 0`) {
		t.Error("b counted a's update")
	}
	// Handler may be asked for again (it registers nothing new)
	if !hasLine(scrape(t, a), `integrabot_updates_total{outcome="answered",type="message"} 1`) {
		t.Error("a second scrape of a lost the count")
	}
}

// A nil *Metrics counts nothing and does not panic.
func TestNil(t *testing.T) {
	var m *Metrics
	m.Update(KindMessage, OutcomeAnswered)
	m.ObserveHandling(time.Second)
	m.APICall("sendMessage", ResultOK)
	m.TooManyRequests()
	m.SetChatsWaiting(3)
	m.RedisError("ping")
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	if rec.Code != http.StatusNotFound {
		t.Errorf("nil Handler answered %d, want 404", rec.Code)
	}
}

// However many distinct names callers pass, the series stay bounded.
func TestNamesAreBounded(t *testing.T) {
	m := New()
	for i := range 500 {
		m.RedisError("op_" + strings.Repeat("x", i%40/2) + string(rune('a'+i%26)) + string(rune('a'+i/26%26)))
		m.APICall("method"+string(rune('a'+i%26))+string(rune('a'+i/26%26)), ResultOK)
	}
	if n := testutil.CollectAndCount(m.redisVec); n > maxNames {
		t.Errorf("%d Redis op series, want at most %d", n, maxNames)
	}
	if n := testutil.CollectAndCount(m.apiVec); n > maxNames*len(results) {
		t.Errorf("%d API call series, want at most %d", n, maxNames*len(results))
	}
	body := scrape(t, m)
	var other float64
	for _, l := range strings.Split(body, "\n") {
		if _, err := fmt.Sscanf(l, `integrabot_redis_errors_total{op="other"} %g`, &other); err == nil {
			break
		}
	}
	if other == 0 {
		t.Errorf("the Redis ops past the bound were not counted as other:\n%s", ourLines(body))
	}
}

// The metric names follow Prometheus' conventions (promlint).
func TestLint(t *testing.T) {
	m := New()
	problems, err := testutil.GatherAndLint(m.reg,
		"integrabot_updates_total", "integrabot_update_handling_seconds",
		"integrabot_telegram_api_calls_total", "integrabot_telegram_429_total",
		"integrabot_chats_waiting", "integrabot_redis_errors_total")
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Errorf("%s: %s", p.Metric, p.Text)
	}
}

// The methods are called from many goroutines at once (run with -race).
func TestConcurrentUse(t *testing.T) {
	m := New()
	const goroutines, n = 8, 1000
	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Go(func() {
			for i := range n {
				m.Update(KindMessage, OutcomeAnswered)
				m.ObserveHandling(time.Millisecond)
				m.APICall("sendMessage", ResultOK)
				m.APICall(fmt.Sprintf("method%c", 'a'+(g+i)%26), ResultOK) // new names appear concurrently
				m.RedisError("save_state")
				m.TooManyRequests()
				m.SetChatsWaiting(i)
			}
		})
	}
	stop := make(chan struct{})
	scraped := make(chan struct{})
	go func() { // scrapes while counting
		defer close(scraped)
		for {
			select {
			case <-stop:
				return
			default:
				_, _ = m.reg.Gather()
			}
		}
	}()
	wg.Wait()
	close(stop)
	<-scraped

	body := scrape(t, m)
	total := goroutines * n
	for _, line := range []string{
		fmt.Sprintf(`integrabot_updates_total{outcome="answered",type="message"} %d`, total),
		fmt.Sprintf(`integrabot_telegram_api_calls_total{method="sendMessage",result="ok"} %d`, total),
		fmt.Sprintf(`integrabot_redis_errors_total{op="save_state"} %d`, total),
		fmt.Sprintf(`integrabot_telegram_429_total %d`, total),
		fmt.Sprintf(`integrabot_update_handling_seconds_count %d`, total),
	} {
		if !hasLine(body, line) {
			t.Errorf("missing line\n\t%s\nin the scrape:\n%s", line, ourLines(body))
		}
	}
}

func BenchmarkUpdate(b *testing.B) {
	m := New()
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			m.Update(KindMessage, OutcomeAnswered)
			m.ObserveHandling(3 * time.Millisecond)
			m.APICall("sendMessage", ResultOK)
		}
	})
}
