package app_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/integrationsagentur-marl/integrabot/internal/app"
	"github.com/integrationsagentur-marl/integrabot/internal/config"
	"github.com/integrationsagentur-marl/integrabot/internal/conversation"
	"github.com/integrationsagentur-marl/integrabot/internal/store"
	"github.com/integrationsagentur-marl/integrabot/internal/telegramtest"
)

// BenchmarkBroadcast has a staff member broadcast to the news followers
// through the fake Bot API server (Telegram's limits enforced: 30/s rolling,
// 1/s per chat, 20/min per group) and the real serve wiring with Redis on
// 127.0.0.1, while a few residents who follow nothing keep writing to the
// bot. It reports the bulk rate achieved as a share of BROADCAST_RATE, the
// 429s the bot drew, CPU (bot and fake server together, and Redis) and Redis
// round trips per recipient, the Redis memory the queued broadcast takes per
// recipient, and the p50/p99 from a writing resident's update to its reply.
//
//		go test -run XXX -bench Broadcast -benchtime 1x ./internal/app
//
//	  - default: SEND_RATE 25, BROADCAST_RATE 20 as shipped. The whole of
//	    10,000 followers would take over 8 minutes at 20 a second, so the rate,
//	    CPU and round trips are measured over a fixed window from the first
//	    message delivered (BENCH_BROADCAST_SECONDS, 60 by default), with as
//	    many followers as the window needs and a margin (20 a second for the
//	    window plus 800: 2,000 for 60 s), so that the broadcast runs
//	    throughout; the memory is that of all of them queued;
//	  - paid-1000: PAID_BROADCAST=true SEND_RATE=1000 BROADCAST_RATE=800, the
//	    fake allowing paid broadcasts 1,000 a second (its separate global
//	    limit for sends with allow_paid_broadcast, which the bot sets on
//	    every message); 10,000 followers, measured from the first message to
//	    the last.
//
// Followers are residents who started the bot once: the fake knows their
// chats from their /start, whose updates are confirmed before the bot runs
// (their greetings are long past), and their states and the news index are
// written to Redis as the bot would have. The residents who write meanwhile
// (BENCH_BROADCAST_WRITERS, 10 by default; 0 for the broadcast's cost alone)
// each send a question every 2 s, staggered, so FLOOD_LIMIT is raised as in
// BenchmarkServe. Run with -benchtime 1x: one broadcast is one iteration.
func BenchmarkBroadcast(b *testing.B) {
	window := 60 * time.Second
	if v := os.Getenv("BENCH_BROADCAST_SECONDS"); v != "" {
		s, err := strconv.Atoi(v)
		if err != nil || s <= 0 {
			b.Fatalf("BENCH_BROADCAST_SECONDS=%q: a number of seconds", v)
		}
		window = time.Duration(s) * time.Second
	}
	writers := 10
	if v := os.Getenv("BENCH_BROADCAST_WRITERS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			b.Fatalf("BENCH_BROADCAST_WRITERS=%q: a number of residents", v)
		}
		writers = n
	}
	b.Run("default", func(b *testing.B) {
		followers := int(20*window.Seconds()) + 800
		benchBroadcast(b, config.Sending{Rate: 25, BroadcastRate: 20}, followers, window, writers)
	})
	b.Run("paid-1000", func(b *testing.B) {
		benchBroadcast(b, config.Sending{Rate: 1000, BroadcastRate: 800, Paid: true}, 10000, 0, writers)
	})
}

const (
	bcStaff        = 5000
	bcFirstFollow  = 100000 // followers' ids from here
	bcFirstWriter  = 20000  // residents writing during the broadcast
	bcText         = "Liebe Nachbarn, am Samstag ist das Büro von 10 bis 14 Uhr geöffnet. Kommen Sie gern vorbei!"
	bcWriterPeriod = 2 * time.Second
)

// benchBroadcast runs one broadcast to followers; window 0 measures it to
// its last message, otherwise for window from its first.
func benchBroadcast(b *testing.B, sending config.Sending, followers int, window time.Duration, writers int) {
	if b.N > 1 {
		b.Skip("one broadcast is one iteration: run with -benchtime 1x")
	}
	api := telegramtest.New(token, telegramtest.WithBotUser(999, "integrabot"), telegramtest.WithRateLimits(30, 1, 20),
		telegramtest.WithFirstUpdateID(time.Now().UnixNano()%1e9))
	defer api.Close()
	prefix := fmt.Sprintf("ibbench:%d:", time.Now().UnixNano())
	url := redisURL(b)
	defer cleanRedis(url, prefix)
	o, _ := redis.ParseURL(url)
	rdb := redis.NewClient(o)
	defer rdb.Close()
	ctx := context.Background()
	st := store.New(rdb, prefix, config.DefaultTiming)

	// the followers started the bot once, long ago: the fake knows their
	// chats; their /start is confirmed before the bot runs
	langs := []string{"de", "tr", "ar", "uk", "fa", "ru"}
	var last int64
	for i := 0; i < followers; i++ {
		last = api.SendText(telegramtest.User{ID: int64(bcFirstFollow + i), FirstName: "R", LanguageCode: langs[i%len(langs)]}, "/start")
	}
	confirmUpdates(b, api, last+1)
	memBefore := mustUsedMemory(b, rdb)
	ids := make([]int64, 0, followers)
	states := map[int64]conversation.State{}
	for i := 0; i < followers; i++ {
		id := int64(bcFirstFollow + i)
		ids = append(ids, id)
		states[id] = conversation.State{Lang: langs[i%len(langs)], Subs: []string{"news"}}
		if len(states) == 1000 || i == followers-1 {
			if err := st.SaveStates(ctx, states); err != nil {
				b.Fatal(err)
			}
			states = map[int64]conversation.State{}
		}
	}
	if err := st.Follow(ctx, "news", ids...); err != nil {
		b.Fatal(err)
	}
	seeded := mustUsedMemory(b, rdb) - memBefore

	trips := &roundTrips{}
	timing := config.DefaultTiming
	timing.Drain = 2 * time.Second // what is left of the broadcast at the end stays in Redis, and is deleted
	cfg := config.Config{Token: token, APIURL: api.URL, RedisURL: url, ListenAddr: "127.0.0.1:0", Sending: sending,
		FloodLimit: 1000, AdminIDs: []int64{bcStaff}}
	a, err := app.New(cfg, knowledge(b), app.Options{PollTimeout: time.Second, KeyPrefix: prefix, RedisHook: trips, Timing: timing},
		slog.New(slog.NewJSONHandler(io.Discard, nil)))
	if err != nil {
		b.Fatal(err)
	}
	defer a.Close()
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- a.Run(runCtx) }()
	defer func() { cancel(); <-done }()

	// the staff member writes the broadcast and taps Send under the preview
	staffer := telegramtest.User{ID: bcStaff, FirstName: "Team", LanguageCode: "de"}
	api.SendText(staffer, "/broadcast "+bcText)
	send, sendData, counted := 0, "", fmt.Sprintf("Empfänger: %d", followers)
	for deadline := time.Now().Add(30 * time.Second); send == 0 || !strings.Contains(texts(api.SentTo(bcStaff)), counted); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			b.Fatalf("no preview with Send; staff got:\n%s", texts(api.SentTo(bcStaff)))
		}
		for _, m := range api.SentTo(bcStaff) {
			for _, row := range m.Buttons {
				for _, btn := range row {
					if strings.HasPrefix(btn.CallbackData, "bc:send~") { // staff buttons are signed
						send, sendData = m.MessageID, btn.CallbackData
					}
				}
			}
		}
	}
	time.Sleep(1200 * time.Millisecond) // the preview's pace in the staff chat has passed
	isBroadcast := func(s telegramtest.Sent) bool {
		return s.ChatID >= bcFirstFollow && s.ChatID < int64(bcFirstFollow+followers) && strings.Contains(s.Text, "Liebe Nachbarn")
	}
	memQueued := make(chan memPoint, 1) // Redis memory once every message is queued
	var queuedAt atomic.Int64
	pressed := time.Now()
	rejectedBefore := len(api.Rejected())
	api.PressButton(staffer, send, sendData)
	go func() {
		defer close(memQueued)
		for deadline := time.Now().Add(5 * time.Minute); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
			recent, err := st.RecentBroadcasts(ctx, 1)
			if err == nil && len(recent) == 1 && recent[0].Queued {
				if m, err := usedMemory(rdb); err == nil {
					queuedAt.Store(time.Now().UnixNano())
					memQueued <- memPoint{m, countSent(api.Sent(), isBroadcast)}
				}
				return
			}
		}
	}()

	// the window opens with the first message to a follower
	var first time.Time
	for deadline := time.Now().Add(60 * time.Second); first.IsZero(); time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			b.Fatalf("the broadcast did not start; staff got:\n%s", texts(api.SentTo(bcStaff)))
		}
		for _, s := range api.Sent() {
			if isBroadcast(s) {
				first = s.At
				break
			}
		}
	}
	cpuBefore, redisCPUBefore := processCPU(), redisCPU(b, url)
	tripsBefore := trips.n.Load()
	b.ResetTimer()

	// residents who follow nothing write while it runs
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var mu sync.Mutex
	var asked []question
	for w := 0; w < writers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			u := telegramtest.User{ID: int64(bcFirstWriter + w), FirstName: "W", LanguageCode: langs[w%len(langs)]}
			next := time.Now().Add(time.Duration(w) * bcWriterPeriod / time.Duration(max(writers, 1)))
			for k := 0; ; k++ {
				select {
				case <-stop:
					return
				case <-time.After(time.Until(next)):
				}
				mu.Lock()
				asked = append(asked, question{chat: u.ID, at: time.Now()})
				mu.Unlock()
				api.SendText(u, benchQuestions[k%len(benchQuestions)])
				next = next.Add(bcWriterPeriod)
			}
		}(w)
	}

	var end time.Time
	if window > 0 {
		end = first.Add(window)
		time.Sleep(time.Until(end))
	} else {
		for deadline := time.Now().Add(3 * time.Minute); ; time.Sleep(20 * time.Millisecond) {
			if time.Now().After(deadline) {
				b.Fatalf("the broadcast did not finish within 3 minutes")
			}
			if api.SentCount() < followers {
				continue
			}
			n := 0
			for _, s := range api.Sent() {
				if isBroadcast(s) {
					n++
					end = s.At
				}
			}
			if n >= followers {
				break
			}
		}
	}
	cpu, rcpu := processCPU()-cpuBefore, redisCPU(b, url)-redisCPUBefore
	memEnd := memPoint{mustUsedMemory(b, rdb), countSent(api.Sent(), isBroadcast)}
	tripsDone := trips.n.Load() - tripsBefore
	close(stop)
	wg.Wait()
	// the last questions' answers
	var sent []telegramtest.Sent
	replies := map[int64][]time.Time{}
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		sent = api.Sent()
		clear(replies)
		for _, s := range sent {
			if s.ChatID >= bcFirstWriter && s.ChatID < int64(bcFirstWriter+writers) {
				replies[s.ChatID] = append(replies[s.ChatID], s.At)
			}
		}
		if _, unanswered := latencies(asked, replies); unanswered == 0 || time.Now().After(deadline) {
			break
		}
	}
	b.StopTimer()

	delivered := 0
	var lastAt time.Time
	for _, s := range sent {
		if isBroadcast(s) && !s.At.Before(first) && !s.At.After(end) {
			delivered++
			lastAt = s.At
		}
	}
	span := end.Sub(first)
	rate := float64(delivered) / span.Seconds()
	if window == 0 { // from the first message to the last: the intervals between them
		rate = float64(delivered-1) / lastAt.Sub(first).Seconds()
	}
	lat, unanswered := latencies(asked, replies)
	tooMany := 0
	for _, r := range api.Rejected()[rejectedBefore:] {
		if r.Status == http.StatusTooManyRequests {
			if os.Getenv("BENCH_DEBUG") != "" {
				b.Logf("429 %s %s at %v", r.Method, r.Description, r.At.Format("05.000"))
			}
			tooMany++
		}
	}
	queuedMem, ok := <-memQueued
	recent, err := st.RecentBroadcasts(ctx, 1)
	if err != nil || len(recent) != 1 {
		b.Fatalf("the broadcast's record: %v", err)
	}
	bc := recent[0]
	if os.Getenv("BENCH_DEBUG") != "" {
		b.Logf("%d followers, %d delivered over %v, all queued %v after Send, first delivered %v after Send, counts %v, %d questions, %d unanswered",
			followers, delivered, span, time.Unix(0, queuedAt.Load()).Sub(pressed), first.Sub(pressed), bc.Counts, len(asked), unanswered)
	}
	if os.Getenv("BENCH_DEBUG") != "" {
		per := make([]int, int(span/time.Second)+1)
		for _, s := range sent {
			if isBroadcast(s) && !s.At.Before(first) && !s.At.After(end) {
				per[int(s.At.Sub(first)/time.Second)]++
			}
		}
		b.Logf("delivered in each second of the window: %v; the slowest replies: %v", per, lat[max(0, len(lat)-5):])
	}
	if bc.Counts["queued"] != int64(followers) {
		b.Errorf("%d messages queued for %d followers", bc.Counts["queued"], followers)
	}
	if unanswered > 0 {
		b.Errorf("%d of %d questions unanswered", unanswered, len(asked))
	}
	b.ReportMetric(rate, "msgs/s")
	b.ReportMetric(100*rate/sending.BroadcastRate, "%-of-rate")
	b.ReportMetric(float64(tooMany), "429s")
	if len(lat) > 0 {
		b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
		b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
	}
	b.ReportMetric(float64(cpu.Microseconds())/1000/float64(delivered), "cpu-ms/recipient")
	b.ReportMetric(float64(rcpu.Microseconds())/1000/float64(delivered), "redis-cpu-ms/recipient")
	b.ReportMetric(float64(tripsDone)/float64(delivered), "redis-trips/recipient")
	// Redis's memory for the broadcast is what a waiting message takes for
	// each one not yet sent and what a sent one leaves (its dedupe key, 48 h)
	// for each one sent: solved from the two moments measured, once all
	// are sent (over a window, the writers' own keys outweigh the few sent)
	base := memBefore + seeded
	if ok {
		b.ReportMetric(float64(queuedMem.used-base)/float64(followers), "redis-queued-B/recipient")
	}
	if ok && window == 0 && memEnd.sent > queuedMem.sent {
		n := int64(followers)
		left := float64((memEnd.used-base)*(n-queuedMem.sent)-(queuedMem.used-base)*(n-memEnd.sent)) / float64(n*(memEnd.sent-queuedMem.sent))
		waiting := (float64(queuedMem.used-base) - float64(queuedMem.sent)*left) / float64(n-queuedMem.sent)
		b.ReportMetric(waiting, "redis-waiting-B/msg")
		b.ReportMetric(left, "redis-sent-B/msg")
	}
	b.ReportMetric(float64(seeded)/float64(followers), "redis-follower-B")
}

// memPoint is Redis's used_memory when sent broadcast messages had been
// delivered.
type memPoint struct{ used, sent int64 }

func countSent(sent []telegramtest.Sent, is func(telegramtest.Sent) bool) int64 {
	n := int64(0)
	for _, s := range sent {
		if is(s) {
			n++
		}
	}
	return n
}

// question is one update a writing resident sent.
type question struct {
	chat int64
	at   time.Time
}

// latencies pairs each question with the first reply in its chat after it.
func latencies(asked []question, replies map[int64][]time.Time) ([]time.Duration, int) {
	sort.Slice(asked, func(i, j int) bool { return asked[i].at.Before(asked[j].at) })
	used := map[int64]int{}
	var lat []time.Duration
	unanswered := 0
	for _, q := range asked {
		list := replies[q.chat]
		for used[q.chat] < len(list) && list[used[q.chat]].Before(q.at) {
			used[q.chat]++
		}
		if used[q.chat] == len(list) {
			unanswered++
			continue
		}
		lat = append(lat, list[used[q.chat]].Sub(q.at))
		used[q.chat]++
	}
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	return lat, unanswered
}

// confirmUpdates confirms every update before offset, as a bot's
// getUpdates with that offset does.
func confirmUpdates(b *testing.B, api *telegramtest.Server, offset int64) {
	resp, err := http.Get(api.URL + "/bot" + api.Token + "/getUpdates?limit=1&timeout=0&offset=" + strconv.FormatInt(offset, 10))
	if err != nil {
		b.Fatal(err)
	}
	resp.Body.Close()
	if p := api.Pending(); resp.StatusCode != http.StatusOK || p != 0 {
		b.Fatalf("getUpdates: %s, %d updates left", resp.Status, p)
	}
}

// usedMemory is Redis's used_memory, in bytes.
func usedMemory(rdb *redis.Client) (int64, error) {
	info, err := rdb.Info(context.Background(), "memory").Result()
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(info, "\n") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), "used_memory:"); ok {
			return strconv.ParseInt(v, 10, 64)
		}
	}
	return 0, fmt.Errorf("no used_memory in INFO memory")
}

func mustUsedMemory(b *testing.B, rdb *redis.Client) int64 {
	m, err := usedMemory(rdb)
	if err != nil {
		b.Fatal(err)
	}
	return m
}
