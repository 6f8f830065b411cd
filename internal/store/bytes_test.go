package store_test

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/integrationsagentur-marl/integrabot/internal/app"
	"github.com/integrationsagentur-marl/integrabot/internal/config"
	"github.com/integrationsagentur-marl/integrabot/internal/conversation"
	"github.com/integrationsagentur-marl/integrabot/internal/store"
)

// bytesDB is the Redis database the measurement writes to, under the
// production prefix, so that the keys are as long as in production. It
// must be empty: the measurement reads the whole server's memory.
const bytesDB = 15

// questions are what the measured residents ask, in their app's language
// (so that no chosen language is stored, as for most residents).
var questions = map[string][]string{
	"de": {"Was bietet ihr an?", "Telefonnummer", "Wann ist das nächste Treffen?"},
	"en": {"What do you offer?", "phone number", "When is the next meeting?"},
	"tr": {"Neler sunuyorsunuz?", "telefon numarası", "Bir sonraki buluşma ne zaman?"},
	"uk": {"Що ви пропонуєте?", "номер телефону", "Коли наступна зустріч?"},
}

// BenchmarkBytesPerResident measures the Redis memory a resident costs who
// only asked the bot questions: each of n residents sends three questions
// in their private chat, each claimed (counted against the flood limit)
// and committed with the state the conversation core decides, as the
// real path does; the replies are left out (their queue is emptied once
// they are sent). It reports the growth of INFO used_memory per resident,
// MEMORY USAGE of each kind of key, and what remains once the done set
// (25 h) and the flood count (1 minute) have expired — their expiry is
// stood in for by deleting them. The claims are gone at their commits.
//
//	go test -run XXX -bench BytesPerResident -benchtime 1x ./internal/store
func BenchmarkBytesPerResident(b *testing.B) {
	const n = 10000
	ctx := context.Background()
	u := os.Getenv("REDIS_TEST_URL")
	if u == "" {
		u = "redis://127.0.0.1:6379/0"
	}
	o, err := redis.ParseURL(u)
	if err != nil {
		b.Fatal(err)
	}
	o.DB = bytesDB
	rdb := redis.NewClient(o)
	defer rdb.Close()
	if size, err := rdb.DBSize(ctx).Result(); err != nil {
		b.Skipf("needs a real Redis at %s: %v", u, err)
	} else if size != 0 {
		b.Skipf("database %d holds %d keys: the measurement needs it empty", bytesDB, size)
	}
	defer rdb.FlushDB(ctx) // only this database, which was empty
	k, err := app.LoadKnowledge("", true)
	if err != nil {
		b.Fatal(err)
	}
	core := k.Core()
	s := store.New(rdb, "ib:", config.DefaultTiming)
	if err := s.LoadScripts(ctx); err != nil {
		b.Fatal(err)
	}
	langs := []string{"de", "en", "tr", "uk"}
	user := func(i int) int64 { return 5_000_000_000 + int64(i)*7919 } // ids as long as today's
	before := usedMemory(b, rdb)
	b.ResetTimer()
	for range b.N {
		var wg sync.WaitGroup
		work := make(chan int)
		errs := make(chan error, 1)
		for range 16 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range work {
					if err := askThree(ctx, s, core, user(i), langs[i%len(langs)], int64(900_000_000+3*i)); err != nil {
						select {
						case errs <- err:
						default:
						}
					}
				}
			}()
		}
		for i := range n {
			work <- i
		}
		close(work)
		wg.Wait()
		select {
		case err := <-errs:
			b.Fatal(err)
		default:
		}
		b.StopTimer()
		after := usedMemory(b, rdb)
		perResident := float64(after-before) / n
		// MEMORY USAGE of each kind of key, averaged over a sample
		kinds := map[string][]string{}
		for i := 0; i < n; i += n / 100 {
			tag := "ib:{u" + strconv.FormatInt(user(i), 10) + "}"
			kinds["state"] = append(kinds["state"], tag+":state")
			kinds["flood"] = append(kinds["flood"], tag+":flood")
			kinds["done"] = append(kinds["done"], tag+":done")
		}
		usage := map[string]float64{}
		for kind, keys := range kinds {
			var sum int64
			for _, key := range keys {
				m, err := rdb.MemoryUsage(ctx, key, 0).Result()
				if err != nil {
					b.Fatalf("MEMORY USAGE %s: %v", key, err)
				}
				sum += m
			}
			usage[kind] = float64(sum) / float64(len(keys))
		}
		var seen int64 // the residents index, over its buckets
		for bucket := range 1024 {
			m, err := rdb.MemoryUsage(ctx, "ib:{g}:seen:"+strconv.Itoa(bucket), 0).Result()
			if err != nil && err != redis.Nil {
				b.Fatal(err)
			}
			seen += m
		}
		usage["seen"] = float64(seen) / n
		// what remains once the done sets and the flood counts expired
		var gone []string
		iter := rdb.Scan(ctx, 0, "ib:{u*", 1000).Iterator()
		for iter.Next(ctx) {
			switch key := iter.Val(); {
			case strings.Contains(key, ":upd:"):
				b.Fatalf("%s: a claim outlived its commit", key)
			case strings.HasSuffix(key, ":done"), strings.HasSuffix(key, ":flood"):
				gone = append(gone, key)
			}
		}
		if err := iter.Err(); err != nil {
			b.Fatal(err)
		}
		for i := 0; i < len(gone); i += 1000 {
			rdb.Del(ctx, gone[i:min(i+1000, len(gone))]...)
		}
		remains := float64(usedMemory(b, rdb)-before) / n
		keys, _ := rdb.DBSize(ctx).Result()
		b.ReportMetric(perResident, "bytes/resident")
		b.ReportMetric(remains, "bytes/resident-after-25h")
		b.ReportMetric(usage["state"], "bytes/state-key")
		b.ReportMetric(usage["done"], "bytes/done-set")
		b.ReportMetric(usage["flood"], "bytes/flood-key")
		b.ReportMetric(usage["seen"], "bytes/seen-member")
		b.Logf("%d residents, 3 questions each: %.0f bytes a resident (used_memory), %.0f after the done sets and flood counts expired (%d keys left, %d deleted); MEMORY USAGE: state %.0f, done set %.0f (3 updates), flood %.0f, seen %.1f a member",
			n, perResident, remains, keys, len(gone), usage["state"], usage["done"], usage["flood"], usage["seen"])
		b.StartTimer()
	}
}

// askThree sends one resident's three questions the way the decider does:
// claim (counted), answer, commit the state when it changed.
func askThree(ctx context.Context, s *store.Store, core *conversation.Core, user int64, lang string, update int64) error {
	now := time.Now()
	for j, q := range questions[lang] {
		c, err := s.Claim(ctx, store.UpdateRef{ID: update + int64(j), Chat: user, User: user, Count: true}, false)
		if err != nil {
			return err
		}
		if c.Claim != store.Fresh {
			return fmt.Errorf("update %d: claim %v", update+int64(j), c.Claim)
		}
		dec := core.Handle(conversation.Event{UserID: user, ChatID: user, LanguageCode: lang, Kind: conversation.KindText, Text: q, Now: now}, c.State)
		commit := store.Commit{Claimed: c}
		if dec.Save {
			st := dec.State
			commit.State = &st
		}
		if err := s.Commit(ctx, commit, now); err != nil {
			return err
		}
	}
	return nil
}

func usedMemory(b *testing.B, rdb *redis.Client) int64 {
	b.Helper()
	info, err := rdb.Info(context.Background(), "memory").Result()
	if err != nil {
		b.Fatal(err)
	}
	for _, line := range strings.Split(info, "\n") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), "used_memory:"); ok {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				b.Fatal(err)
			}
			return n
		}
	}
	b.Fatal("INFO memory without used_memory")
	return 0
}
