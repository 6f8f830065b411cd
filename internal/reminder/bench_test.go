package reminder_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/integrationsagentur-marl/integrabot/internal/agency"
	"github.com/integrationsagentur-marl/integrabot/internal/config"
	"github.com/integrationsagentur-marl/integrabot/internal/conversation"
	"github.com/integrationsagentur-marl/integrabot/internal/reminder"
	"github.com/integrationsagentur-marl/integrabot/internal/store"
	"github.com/integrationsagentur-marl/integrabot/internal/telegram"
)

// BenchmarkReminders measures reminders at the scale the agency plans for,
// against the Redis on 127.0.0.1: 20 weekly encounters over a year, and
// residents who follow them, of whom 5,000 follow one encounter ("hot":
// 4,500 by the encounter, 500 by all encounters) whatever the total, so
// that the pass when its reminder falls due fans out to 5,000 at each size.
// Every third resident follows the news as well. It reports
//
//   - redis-B/sub: Redis used_memory grown per subscription while the
//     residents were stored (states and index; other clients of the same
//     Redis add noise), and from MEMORY USAGE of the keys themselves:
//     index-B/member (the sets of followers), state-B/resident;
//   - plan-ms and jobs: one plan of the whole content from scratch, and the
//     jobs it leaves (the dates within the horizon, not the year);
//   - pass-ms (also ns/op), pass-msgs, pass-trips: the one pass at the
//     moment the hot encounter's reminder is due, the messages it commits
//     (5,000) and its Redis round trips, the CPU it took here and in Redis
//     (pass-cpu-ms, pass-redis-cpu-ms: Redis's counts whoever else asks it
//     meanwhile); pass-B/msg is what Redis grew by
//     per message (queue entry, dedupe key, ready mark; the queue lives
//     until sent), dedupe-B/msg the dedupe key alone (it lives a day);
//   - first-ms, last-ms: with the real clock and Run as the bot runs it,
//     from a job's due time to the first and to the last of its 5,000
//     messages committed (delivery adds the outbox's own wait and the
//     sending rate: 5,000 bulk messages take minutes at Telegram's limits);
//   - rss-MB, heap-MB: this process after the pass (it holds the content,
//     the language catalog and the understanding as the bot does).
//
// It stores everything once, whatever b.N:
//
//	go test -run XXX -bench Reminders -benchtime 1x ./internal/reminder
func BenchmarkReminders(b *testing.B) {
	for _, n := range []int{10_000, 100_000} {
		b.Run(fmt.Sprintf("subscribers=%d", n), func(b *testing.B) { benchReminders(b, n) })
	}
}

const (
	benchHot     = 5_000 // followers of the hot encounter, whatever the total
	benchHotAll  = 500   // of them by following all encounters
	benchOthers  = 19    // encounters besides the hot one
	benchIDStart = 5_000_000_000
)

// benchLangs are the bot's twelve languages, given round-robin.
var benchLangs = []string{"de", "de-x-simple", "en", "ar", "fa", "ku", "tr", "uk", "ru", "pl", "ro", "bg"}

// benchResident is the i-th resident: their id and what they follow.
func benchResident(i int) (int64, conversation.State) {
	id := int64(benchIDStart + 37*i) // spread like Telegram's ids, ten digits
	var subs []string
	switch {
	case i < benchHot-benchHotAll:
		subs = []string{conversation.TopicEncounter("hot")}
	case i < benchHot:
		subs = []string{conversation.TopicAll}
	default:
		subs = []string{conversation.TopicEncounter("e" + strconv.Itoa(1+i%benchOthers))}
	}
	if i%3 == 0 {
		subs = append(subs, conversation.TopicNews)
	}
	return id, conversation.State{Lang: benchLangs[i%len(benchLangs)], Subs: subs}
}

// benchContent is the hot encounter, its reminder the day before due at
// due, and 19 others spread over the week at half past the hour, so that
// no other reminder is due within hours of the hot one; each weekly for a
// year.
func benchContent(due time.Time) []agency.Encounter {
	hot := due.Add(24 * time.Hour)
	var out []agency.Encounter
	add := func(id string, start time.Time) {
		out = append(out, agency.Encounter{
			ID: id, Title: agency.Text{"de": "Treffen " + id, "en": "Meeting " + id},
			Start: start, End: start.Add(2 * time.Hour), Repeat: agency.Weekly, Until: start.AddDate(1, 0, 0), Place: "Rathaus",
		})
	}
	add("hot", hot)
	for i := 1; i <= benchOthers; i++ {
		add("e"+strconv.Itoa(i), hot.Add(time.Duration(i)*8*time.Hour+30*time.Minute))
	}
	return out
}

func benchReminders(b *testing.B, n int) {
	if b.N > 1 {
		b.Fatal("it stores everything once: run it with -benchtime 1x")
	}
	// a prefix as short as the bot's own ("ib:"), so that the key names
	// weigh what they will
	e := newEnvPrefix(b, fmt.Sprintf("ib%d:", time.Now().UnixNano()%1000))
	// b.ResetTimer drops metrics reported before it: they wait until the end
	var metrics []func()
	report := func(v float64, unit string) { metrics = append(metrics, func() { b.ReportMetric(v, unit) }) }
	defer func() {
		for _, m := range metrics {
			m()
		}
	}()
	trips := &roundTrips{}
	e.rdb.AddHook(trips)
	ctx := e.ctx

	// the residents, in batches: their states, then the index
	before := usedMemory(b, e.rdb)
	setup := time.Now()
	subs := 0
	const batch = 5_000
	for from := 0; from < n; from += batch {
		states := map[int64]conversation.State{}
		byTopic := map[string][]int64{}
		for i := from; i < min(from+batch, n); i++ {
			id, st := benchResident(i)
			states[id] = st
			for _, t := range st.Subs {
				byTopic[t] = append(byTopic[t], id)
			}
			subs += len(st.Subs)
		}
		for topic, ids := range byTopic {
			if err := e.store.Follow(ctx, topic, ids...); err != nil {
				b.Fatal(err)
			}
		}
		if err := e.store.SaveStates(ctx, states); err != nil {
			b.Fatal(err)
		}
	}
	setupTime := time.Since(setup)
	grown := usedMemory(b, e.rdb) - before
	report(float64(grown)/float64(subs), "redis-B/sub")
	report(float64(subs), "subs")
	report(setupTime.Seconds(), "store-s")

	// what the keys themselves take (the key layout of the store's doc)
	var indexBytes, members int64
	topics := []string{conversation.TopicAll, conversation.TopicNews, conversation.TopicEncounter("hot")}
	for i := 1; i <= benchOthers; i++ {
		topics = append(topics, conversation.TopicEncounter("e"+strconv.Itoa(i)))
	}
	for _, t := range topics {
		keys, _ := e.rdb.Keys(ctx, e.prefix+"{g}:subs:"+t+":*").Result() // the topic's buckets
		for _, key := range keys {
			indexBytes += memoryUsage(b, e.rdb, key)
			members += e.rdb.SCard(ctx, key).Val()
		}
	}
	report(float64(indexBytes)/float64(members), "index-B/member")
	var stateBytes int64
	const sample = 200
	for i := 0; i < sample; i++ {
		id, _ := benchResident(i * (n / sample))
		stateBytes += memoryUsage(b, e.rdb, e.prefix+"{u"+strconv.FormatInt(id, 10)+"}:state")
	}
	report(float64(stateBytes)/sample, "state-B/resident")
	if os.Getenv("BENCH_DEBUG") != "" {
		hot := e.prefix + "{g}:subs:" + conversation.TopicEncounter("hot") + ":0"
		enc, _ := e.rdb.ObjectEncoding(ctx, hot).Result()
		b.Logf("%d residents, %d subscriptions, %d index members; Redis grew %d bytes: %d B/resident beside the index, "+
			"of which the state key %d; the hot set is a %s of %d bytes",
			n, subs, members, grown, (grown-indexBytes)/int64(n), stateBytes/sample, enc, memoryUsage(b, e.rdb, hot))
	}

	// the clock of the plan and the pass: three hours ago, so that the real
	// clock's plan later only extends the horizon
	due := time.Now().Add(-3 * time.Hour).Truncate(time.Minute)
	planAt := due.Add(-time.Minute)
	loaded := planAt.Add(-time.Hour)
	src := e.source(loaded, benchContent(due)...)
	clock := due
	r := reminder.New(e.store, func() {}, telegram.Render, config.DefaultReminderOffsets, src,
		reminder.Options{Now: func() time.Time { return clock }}, slog.New(slog.NewTextHandler(io.Discard, nil)), nil)
	start := time.Now()
	if err := r.Plan(ctx, planAt); err != nil {
		b.Fatal(err)
	}
	report(float64(time.Since(start).Microseconds())/1000, "plan-ms")
	jobs, err := e.store.Jobs(ctx)
	if err != nil {
		b.Fatal(err)
	}
	report(float64(len(jobs)), "jobs")

	// the pass at the hot encounter's reminder
	runtime.GC()
	before = usedMemory(b, e.rdb)
	cpuBefore, redisBefore := processCPU(), redisCPU(b, e.rdb)
	tripsBefore := trips.n.Load()
	b.ResetTimer()
	start = time.Now()
	sent, err := r.Pass(ctx, due)
	passTime := time.Since(start)
	b.StopTimer()
	passTrips := trips.n.Load() - tripsBefore
	cpu, redisUsed := processCPU()-cpuBefore, redisCPU(b, e.rdb)-redisBefore
	if err != nil {
		b.Fatal(err)
	}
	if sent != benchHot {
		b.Fatalf("the pass committed %d messages, want %d", sent, benchHot)
	}
	report(float64(passTime.Microseconds())/1000, "pass-ms")
	report(float64(sent), "pass-msgs")
	report(float64(passTrips), "pass-trips")
	report(float64(cpu.Microseconds())/1000, "pass-cpu-ms")
	report(float64(redisUsed.Microseconds())/1000, "pass-redis-cpu-ms")
	report(float64(usedMemory(b, e.rdb)-before)/float64(sent), "pass-B/msg")
	hotFollower, _ := benchResident(0)
	dups, _ := e.rdb.Keys(ctx, e.prefix+"{u"+strconv.FormatInt(hotFollower, 10)+"}:dup:*").Result()
	if len(dups) != 1 {
		b.Fatalf("%d dedupe keys for one follower, want 1", len(dups))
	}
	report(float64(memoryUsage(b, e.rdb, dups[0])), "dedupe-B/msg")
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	report(float64(rssKB())/1024, "rss-MB")
	report(float64(ms.HeapInuse)/(1<<20), "heap-MB")

	// the real clock: a new encounter the hot encounter's followers follow,
	// its reminder two hours before due in a second or two
	var soonIDs []int64
	states := map[int64]conversation.State{}
	for i := 0; i < benchHot; i++ {
		id, st := benchResident(i)
		st.Subs = append(st.Subs, conversation.TopicEncounter("soon"))
		states[id] = st
		soonIDs = append(soonIDs, id)
	}
	if err := e.store.Follow(ctx, conversation.TopicEncounter("soon"), soonIDs...); err != nil {
		b.Fatal(err)
	}
	if err := e.store.SaveStates(ctx, states); err != nil {
		b.Fatal(err)
	}
	soonDue := time.Now().Add(2 * time.Second).Truncate(time.Second) // content has whole minutes; seconds suffice
	soon := agency.Encounter{ID: "soon", Title: agency.Text{"de": "Bald", "en": "Soon"},
		Start: soonDue.Add(2 * time.Hour), End: soonDue.Add(4 * time.Hour), Place: "Rathaus"}
	watch := &firstPush{Store: e.store}
	live := reminder.New(watch, func() {}, telegram.Render, config.DefaultReminderOffsets,
		e.source(loaded.Add(time.Millisecond), append(benchContent(due), soon)...),
		reminder.Options{}, benchLog(), nil)
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- live.Run(runCtx) }()
	deadline := time.Now().Add(20 * time.Second)
	for watch.count() < benchHot && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	cancel()
	if err := <-done; err != nil {
		b.Fatal(err)
	}
	first, last, count := watch.times()
	if count != benchHot {
		b.Fatalf("the live runner committed %d messages, want %d", count, benchHot)
	}
	report(float64(first.Sub(soonDue).Microseconds())/1000, "first-ms")
	report(float64(last.Sub(soonDue).Microseconds())/1000, "last-ms")
}

// benchLog discards, unless BENCH_DEBUG is set.
func benchLog() *slog.Logger {
	if os.Getenv("BENCH_DEBUG") != "" {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}

// firstPush notes when messages were committed.
type firstPush struct {
	*store.Store
	mu          sync.Mutex
	first, last time.Time
	n           int
}

func (f *firstPush) PushOnce(ctx context.Context, msgs []store.Outgoing, d time.Duration) (store.Pushed, error) {
	p, err := f.Store.PushOnce(ctx, msgs, d)
	f.mu.Lock()
	defer f.mu.Unlock()
	if p.New > 0 {
		if f.first.IsZero() {
			f.first = time.Now()
		}
		f.last = time.Now()
		f.n += p.New
	}
	return p, err
}

func (f *firstPush) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.n
}

func (f *firstPush) times() (first, last time.Time, n int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.first, f.last, f.n
}

// processCPU is the CPU time this process used so far.
func processCPU() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// redisCPU is the CPU time the Redis server used so far (whoever asked).
func redisCPU(b *testing.B, rdb redis.UniversalClient) time.Duration {
	info, err := rdb.Info(context.Background(), "cpu").Result()
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

// usedMemory is Redis's used_memory in bytes.
func usedMemory(b *testing.B, rdb redis.UniversalClient) int64 {
	info, err := rdb.Info(context.Background(), "memory").Result()
	if err != nil {
		b.Fatal(err)
	}
	for _, line := range strings.Split(info, "\n") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), "used_memory:"); ok {
			n, _ := strconv.ParseInt(v, 10, 64)
			return n
		}
	}
	b.Fatal("no used_memory in INFO memory")
	return 0
}

// memoryUsage is what Redis says one key takes, counted exactly.
func memoryUsage(b *testing.B, rdb redis.UniversalClient, key string) int64 {
	n, err := rdb.MemoryUsage(context.Background(), key, 0).Result()
	if err != nil {
		b.Fatalf("memory usage of %s: %v", key, err)
	}
	return n
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

// roundTrips counts Redis round trips: a command, a script or a pipeline
// each make one.
type roundTrips struct{ n atomic.Int64 }

func (r *roundTrips) DialHook(next redis.DialHook) redis.DialHook { return next }
func (r *roundTrips) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error { r.n.Add(1); return next(ctx, cmd) }
}
func (r *roundTrips) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error { r.n.Add(1); return next(ctx, cmds) }
}
