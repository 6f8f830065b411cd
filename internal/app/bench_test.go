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

	"github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"
	"github.com/redis/go-redis/v9"

	"github.com/integrationsagentur-marl/integrabot/internal/app"
	"github.com/integrationsagentur-marl/integrabot/internal/config"
	"github.com/integrationsagentur-marl/integrabot/internal/conversation"
	"github.com/integrationsagentur-marl/integrabot/internal/telegramtest"
)

// BenchmarkServe drives simulated residents through the fake Bot API server
// and the real serve wiring with Redis on 127.0.0.1, with Telegram's limits
// enforced by the fake and the bot's own limits as shipped: the capacity a
// resident meets. It reports the time from an update to its reply (p50,
// p99), updates per second, how many replies took over 5 s, 429s, Redis
// round trips and commands per update, and CPU per update of the bot and
// the fake server together (and of Redis).
//
//		go test -run XXX -bench Serve -benchtime 5000x ./internal/app
//
//	  - default-20/s: SEND_RATE 25 as shipped, 400 residents writing 20
//	    updates a second in all (each every 20 s), greetings, contacts,
//	    services and encounters;
//	  - paid-1000/s: PAID_BROADCAST=true SEND_RATE=1000, 2,000 residents
//	    writing 1,000 updates a second (each every 2 s), by polling and by
//	    webhook;
//	  - echo-1000/s: a bare go-telegram/bot echo bot at the same load, for
//	    the CPU an update costs without deciding, committing and pacing.
func BenchmarkServe(b *testing.B) {
	b.Run("default-20/s", func(b *testing.B) { benchServe(b, 20, 400, config.Sending{Rate: 25, BroadcastRate: 20}, false) })
	b.Run("paid-1000/s", func(b *testing.B) {
		benchServe(b, 1000, 2000, config.Sending{Rate: 1000, BroadcastRate: 800, Paid: true}, false)
	})
	b.Run("paid-500/s", func(b *testing.B) {
		benchServe(b, 500, 2000, config.Sending{Rate: 1000, BroadcastRate: 800, Paid: true}, false)
	})
	b.Run("paid-900/s", func(b *testing.B) {
		benchServe(b, 900, 2000, config.Sending{Rate: 1000, BroadcastRate: 800, Paid: true}, false)
	})
	b.Run("paid-webhook-1000/s", func(b *testing.B) {
		benchServe(b, 1000, 2000, config.Sending{Rate: 1000, BroadcastRate: 800, Paid: true}, true)
	})
	b.Run("echo-1000/s", func(b *testing.B) { benchEcho(b, 1000, 2000, false) })
	b.Run("echo-menu-1000/s", func(b *testing.B) { benchEcho(b, 1000, 2000, true) })
}

var benchQuestions = []string{"Hallo", "Telefon", "Was bietet ihr an?", "Wann ist das nächste Treffen?", "Hilfe"}

func benchServe(b *testing.B, perSecond, residents int, sending config.Sending, webhook bool) {
	api := telegramtest.New(token, telegramtest.WithBotUser(999, "integrabot"), telegramtest.WithRateLimits(30, 1, 20),
		telegramtest.WithFirstUpdateID(time.Now().UnixNano()%1e9))
	defer api.Close()
	trips := &roundTrips{}
	prefix := fmt.Sprintf("ibbench:%d:", time.Now().UnixNano())
	url := redisURL(b)
	defer cleanRedis(url, prefix)
	// residents here write up to 30 a minute each: the flood limit would
	// answer them with silence, and the figures would measure that
	cfg := config.Config{Token: token, APIURL: api.URL, RedisURL: url, ListenAddr: "127.0.0.1:0", Sending: sending, FloodLimit: 1000}
	if webhook {
		cfg.ListenAddr = freeAddr(b)
		cfg.WebhookURL, cfg.WebhookSecret = "http://"+cfg.ListenAddr+"/telegram", secret
	}
	a, err := app.New(cfg, knowledge(b), app.Options{PollTimeout: time.Second, KeyPrefix: prefix, RedisHook: trips},
		slog.New(slog.NewJSONHandler(io.Discard, nil)))
	if err != nil {
		b.Fatal(err)
	}
	defer a.Close()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx) }()
	defer func() { cancel(); <-done }()

	// warm up: the bot has started, the first residents' chats exist
	for r := 0; r < 20; r++ {
		api.SendText(telegramtest.User{ID: int64(10000 + r), FirstName: "R", LanguageCode: "de"}, "/start")
	}
	waitSentN(b, api, 20)
	time.Sleep(1200 * time.Millisecond) // the warm-up chats' pace has passed
	measure(b, api, url, trips, perSecond, residents)
}

// benchEcho runs a bare go-telegram/bot echo bot at the same load: what an
// update costs a bot that only answers, as a yardstick for the CPU figure.
func benchEcho(b *testing.B, perSecond, residents int, menu bool) {
	api := telegramtest.New(token, telegramtest.WithBotUser(999, "integrabot"), telegramtest.WithFirstUpdateID(time.Now().UnixNano()%1e9))
	defer api.Close()
	var reply *bot.SendMessageParams
	if menu {
		start := knowledge(b).Core().Handle(conversation.Event{UserID: 1, ChatID: 1, LanguageCode: "de", Kind: conversation.KindCommand, Command: "start", Now: time.Now()}, conversation.State{}).Messages[0]
		// the library's own button type sends an empty copy_text, which Telegram refuses
		type button struct {
			Text string `json:"text"`
			Data string `json:"callback_data"`
		}
		var rows [][]button
		for _, row := range start.Buttons {
			var r []button
			for _, btn := range row {
				r = append(r, button{Text: btn.Label, Data: btn.Data})
			}
			rows = append(rows, r)
		}
		reply = &bot.SendMessageParams{Text: start.Text, ParseMode: models.ParseModeHTML, ReplyMarkup: map[string]any{"inline_keyboard": rows}}
	}
	echo, err := bot.New(token, bot.WithServerURL(api.URL), bot.WithSkipGetMe(), bot.WithDefaultHandler(func(ctx context.Context, bb *bot.Bot, u *models.Update) {
		if u.Message == nil {
			return
		}
		p := &bot.SendMessageParams{ChatID: u.Message.Chat.ID, Text: u.Message.Text}
		if reply != nil {
			r := *reply
			r.ChatID = u.Message.Chat.ID
			p = &r
		}
		_, _ = bb.SendMessage(ctx, p)
	}))
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { echo.Start(ctx); close(done) }()
	defer func() { cancel(); <-done }()
	api.SendText(telegramtest.User{ID: 10000, FirstName: "R", LanguageCode: "de"}, "/start")
	waitSentN(b, api, 1)
	measure(b, api, redisURL(b), &roundTrips{}, perSecond, residents)
}

// measure offers b.N updates at perSecond from residents and reports.
func measure(b *testing.B, api *telegramtest.Server, url string, trips *roundTrips, perSecond, residents int) {
	before := api.SentCount()
	cmdsBefore := redisCommands(b, url)
	cpuBefore, redisCPUBefore := processCPU(), redisCPU(b, url)
	tripsBefore := trips.n.Load()
	fetchesBefore := api.Calls("getUpdates")
	rejectedBefore := len(api.Rejected())

	sentAt := make([]time.Time, b.N)
	chats := make([]int64, b.N)
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		if d := time.Until(start.Add(time.Duration(i) * time.Second / time.Duration(perSecond))); d > 0 {
			time.Sleep(d)
		}
		chats[i] = int64(10000 + i%residents)
		sentAt[i] = time.Now()
		api.SendText(telegramtest.User{ID: chats[i], FirstName: "R", LanguageCode: "de"}, benchQuestions[(i/residents)%len(benchQuestions)])
	}
	if os.Getenv("BENCH_DEBUG") != "" {
		b.Logf("offered in %v: %d pending, %d answered", time.Since(start), api.Pending(), api.SentCount()-before)
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
	slow := 0
	for i := 0; i < b.N; i++ {
		list := replies[chats[i]]
		for used[chats[i]] < len(list) && list[used[chats[i]]].Before(sentAt[i]) {
			used[chats[i]]++
		}
		if used[chats[i]] < len(list) {
			d := list[used[chats[i]]].Sub(sentAt[i])
			lat = append(lat, d)
			if d > 5*time.Second {
				slow++
			}
			used[chats[i]]++
		}
	}
	if os.Getenv("BENCH_DEBUG") != "" {
		logPerSecond(b, lat, perSecond)
	}
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	if len(lat) > 0 {
		b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
		b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
	}
	tooMany := 0
	for _, r := range api.Rejected()[rejectedBefore:] {
		if r.Status == 429 {
			if os.Getenv("BENCH_DEBUG") != "" {
				b.Logf("429 %s %s at %v", r.Method, r.Description, r.At.Format("05.000"))
			}
			tooMany++
		}
	}
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "updates/s")
	b.ReportMetric(float64(slow), "over-5s")
	b.ReportMetric(float64(tooMany), "429s")
	b.ReportMetric(float64(redisCommands(b, url)-cmdsBefore)/float64(b.N), "redis-cmds/update")
	b.ReportMetric(float64(trips.n.Load()-tripsBefore)/float64(b.N), "redis-trips/update")
	b.ReportMetric(float64(rssKB())/1024, "rss-MB")
	// getUpdates calls an update costs: the fetches that bring updates
	// already being answered again cost the bot and Telegram alike
	b.ReportMetric(float64(api.Calls("getUpdates")-fetchesBefore)/float64(b.N), "fetches/update")
	// CPU time per update, of the bot and the fake server together and of
	// Redis: what the two cores are spent on, whatever else the machine does
	b.ReportMetric(float64(cpu.Microseconds())/1000/float64(b.N), "cpu-ms/update")
	b.ReportMetric(float64(rcpu.Microseconds())/1000/float64(b.N), "redis-cpu-ms/update")
}

// logPerSecond logs p50 and p99 of the replies to each second's updates:
// whether the delay grows while the run goes on.
func logPerSecond(b *testing.B, lat []time.Duration, perSecond int) {
	for from := 0; from < len(lat); from += perSecond {
		sec := append([]time.Duration(nil), lat[from:min(from+perSecond, len(lat))]...)
		sort.Slice(sec, func(i, j int) bool { return sec[i] < sec[j] })
		b.Logf("second %d: p50 %v p99 %v max %v", from/perSecond, sec[len(sec)/2], sec[len(sec)*99/100], sec[len(sec)-1])
	}
}

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
