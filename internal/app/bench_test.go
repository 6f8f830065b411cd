package app_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/integrationsagentur-marl/integrabot/internal/app"
	"github.com/integrationsagentur-marl/integrabot/internal/config"
	"github.com/integrationsagentur-marl/integrabot/internal/deliver"
	"github.com/integrationsagentur-marl/integrabot/internal/telegramtest"
)

// BenchmarkServe drives simulated residents through the fake Bot API server
// and the real serve wiring with Redis on 127.0.0.1. It reports updates
// handled per second, the time from an update to its reply (p50, p99), Redis
// commands per update and the resident set size of the test process (bot
// and fake server together).
//
//	go test -run XXX -bench Serve -benchtime 5000x ./internal/app
//
// The webhook runs take updates as a replica does behind a load balancer
// (with the chat lock that keeps a resident's updates in order).
func BenchmarkServe(b *testing.B) {
	for _, webhook := range []bool{false, true} {
		for _, rate := range []int{0, 1000} {
			name := "burst"
			if rate > 0 {
				name = fmt.Sprintf("rate%d", rate)
			}
			if webhook {
				name = "webhook-" + name
			}
			b.Run(name, func(b *testing.B) { benchServe(b, rate, webhook) })
		}
	}
}

func benchServe(b *testing.B, rate int, webhook bool) {
	api := telegramtest.New(token, telegramtest.WithBotUser(999, "integrabot"), telegramtest.WithFirstUpdateID(time.Now().UnixNano()%1e9))
	defer api.Close()
	trips := &roundTrips{}
	prefix := fmt.Sprintf("ibbench:%d:", time.Now().UnixNano())
	url := redisURL(b)
	defer cleanRedis(url, prefix)
	cfg := config.Config{Token: token, APIURL: api.URL, RedisURL: url, ListenAddr: "127.0.0.1:0"}
	if webhook {
		cfg.ListenAddr = freeAddr(b)
		cfg.WebhookURL, cfg.WebhookSecret = "http://"+cfg.ListenAddr+"/telegram", secret
	}
	a, err := app.New(cfg, knowledge(b), app.Options{PollTimeout: time.Second, KeyPrefix: prefix, Limits: unlimited, RedisHook: trips},
		slog.New(slog.NewJSONHandler(io.Discard, nil)))
	if err != nil {
		b.Fatal(err)
	}
	defer a.Close()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx) }()
	defer func() { cancel(); <-done }()

	const residents = 500
	msgs := []string{"Telefon", "Wann ist das nächste Treffen?", "Was bietet ihr an?", "Hilfe", "/start"}
	// warm up: every resident's chat exists, the bot has started
	for r := 0; r < residents; r++ {
		api.SendText(telegramtest.User{ID: int64(10000 + r), FirstName: "R", LanguageCode: "de"}, "/start")
	}
	waitSentN(b, api, residents)
	before := api.SentCount()
	cmdsBefore := redisCommands(b, url)
	cpuBefore, redisCPUBefore := processCPU(), redisCPU(b, url)
	tripsBefore := trips.n.Load()

	sentAt := make([]time.Time, b.N)
	chats := make([]int64, b.N)
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		if rate > 0 {
			if d := time.Until(start.Add(time.Duration(i) * time.Second / time.Duration(rate))); d > 0 {
				time.Sleep(d)
			}
		}
		chats[i] = int64(10000 + i%residents)
		sentAt[i] = time.Now()
		api.SendText(telegramtest.User{ID: chats[i], FirstName: "R", LanguageCode: "de"}, msgs[i%len(msgs)])
	}
	waitAnswered(b, api, before, b.N)
	elapsed := time.Since(start)
	b.StopTimer()
	cpu, rcpu := processCPU()-cpuBefore, redisCPU(b, url)-redisCPUBefore

	// latency: from the update to the first reply to it in its chat
	replies := map[int64][]time.Time{}
	for _, s := range api.Sent()[before:] {
		replies[s.ChatID] = append(replies[s.ChatID], s.At)
	}
	used := map[int64]int{}
	var lat []time.Duration
	for i := 0; i < b.N; i++ {
		list := replies[chats[i]]
		for used[chats[i]] < len(list) && list[used[chats[i]]].Before(sentAt[i]) {
			used[chats[i]]++
		}
		if used[chats[i]] < len(list) {
			lat = append(lat, list[used[chats[i]]].Sub(sentAt[i]))
			used[chats[i]]++
			for used[chats[i]] < len(list) && i+residents < b.N && list[used[chats[i]]].Before(sentAt[min(i+residents, b.N-1)]) {
				used[chats[i]]++ // the other messages of the same reply (contact cards)
			}
		}
	}
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	if len(lat) > 0 {
		b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
		b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
	}
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "updates/s")
	b.ReportMetric(float64(redisCommands(b, url)-cmdsBefore)/float64(b.N), "redis-cmds/update")
	b.ReportMetric(float64(trips.n.Load()-tripsBefore)/float64(b.N), "redis-trips/update")
	b.ReportMetric(float64(rssKB())/1024, "rss-MB")
	// CPU time per update, of the bot and the fake server together and of
	// Redis: what the two cores are spent on, whatever else the machine does
	b.ReportMetric(float64(cpu.Microseconds())/1000/float64(b.N), "cpu-ms/update")
	b.ReportMetric(float64(rcpu.Microseconds())/1000/float64(b.N), "redis-cpu-ms/update")
}

// unlimited lifts the outbox's limits: the benchmark measures what the bot
// can handle, not Telegram's 30 messages a second.
var unlimited = deliver.Limits{Rate: 1e6, BulkRate: 1e6, Burst: 1000, PerChat: time.Nanosecond, Group: time.Nanosecond, MaxTries: 6, Workers: 64}

// freeAddr is an address on 127.0.0.1 that nothing listens on right now.
func freeAddr(b testing.TB) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

func waitSentN(b *testing.B, api *telegramtest.Server, n int) {
	deadline := time.Now().Add(60 * time.Second)
	for api.SentCount() < n {
		if time.Now().After(deadline) {
			b.Fatalf("only %d of %d messages sent", api.SentCount(), n)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// waitAnswered waits until every update of the run got its reply (updates
// leave the fake's queue only when confirmed, that is after their answer).
func waitAnswered(b *testing.B, api *telegramtest.Server, before, n int) {
	deadline := time.Now().Add(5 * time.Minute)
	for api.Pending() > 0 || api.SentCount() < before+n {
		if time.Now().After(deadline) {
			b.Fatalf("%d updates pending", api.Pending())
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// processCPU is the CPU time this process used so far.
func processCPU() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// redisCPU is the CPU time the Redis server used so far.
func redisCPU(b *testing.B, url string) time.Duration {
	info, err := rawRedisB(b, url).Info(context.Background(), "cpu").Result()
	if err != nil {
		b.Fatal(err)
	}
	var total float64
	for _, line := range strings.Split(info, "\n") {
		for _, k := range []string{"used_cpu_sys:", "used_cpu_user:"} {
			if v, ok := strings.CutPrefix(strings.TrimSpace(line), k); ok {
				f, _ := strconv.ParseFloat(v, 64)
				total += f
			}
		}
	}
	return time.Duration(total * float64(time.Second))
}

func redisCommands(b *testing.B, url string) int64 {
	rdb := rawRedisB(b, url)
	info, err := rdb.Info(context.Background(), "stats").Result()
	if err != nil {
		b.Fatal(err)
	}
	for _, line := range strings.Split(info, "\n") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), "total_commands_processed:"); ok {
			n, _ := strconv.ParseInt(v, 10, 64)
			return n
		}
	}
	return 0
}

func rssKB() int64 {
	data, _ := os.ReadFile("/proc/self/status")
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			n, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return n
		}
	}
	return 0
}

// roundTrips counts the bot's Redis round trips: a command, a script or a
// pipeline each make one.
type roundTrips struct{ n atomic.Int64 }

func (r *roundTrips) DialHook(next redis.DialHook) redis.DialHook { return next }
func (r *roundTrips) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error { r.n.Add(1); return next(ctx, cmd) }
}
func (r *roundTrips) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error { r.n.Add(1); return next(ctx, cmds) }
}
