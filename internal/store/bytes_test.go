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
// they are sent). It reports the growth of INFO used_memory per resident
// and MEMORY USAGE of the resident's record (state, done updates and flood
// count in one key) and of their place in the residents index. Nothing of
// theirs expires sooner: the record keeps its done updates and count until
// their next update drops them, so the figure holds from the first day to
// the last. The claims are gone at their commits.
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
		// MEMORY USAGE of the records, averaged over a sample
		var records int64
		sample := 0
		for i := 0; i < n; i += n / 100 {
			key := "ib:{u" + strconv.FormatInt(user(i), 10) + "}:state"
			m, err := rdb.MemoryUsage(ctx, key, 0).Result()
			if err != nil {
				b.Fatalf("MEMORY USAGE %s: %v", key, err)
			}
			records, sample = records+m, sample+1
		}
		var seen int64 // the residents index, over its buckets
		for bucket := range 1024 {
			m, err := rdb.MemoryUsage(ctx, "ib:{g}:seen:"+strconv.Itoa(bucket), 0).Result()
			if err != nil && err != redis.Nil {
				b.Fatal(err)
			}
			seen += m
		}
		var other []string // keys of residents beside their records
		iter := rdb.Scan(ctx, 0, "ib:{u*", 1000).Iterator()
		for iter.Next(ctx) {
			if key := iter.Val(); !strings.HasSuffix(key, "}:state") {
				other = append(other, key)
			}
		}
		if err := iter.Err(); err != nil {
			b.Fatal(err)
		}
		if len(other) > 0 {
			b.Fatalf("%d keys beside the residents' records, such as %s: a resident who asked questions should cost one", len(other), other[0])
		}
		keys, _ := rdb.DBSize(ctx).Result()
		b.ReportMetric(perResident, "bytes/resident")
		b.ReportMetric(float64(records)/float64(sample), "bytes/record")
		b.ReportMetric(float64(seen)/n, "bytes/seen-member")
		b.Logf("%d residents, 3 questions each: %.0f bytes a resident (used_memory; %d keys); MEMORY USAGE: record %.0f (state, 3 updates done, flood count), seen %.1f a member",
			n, perResident, keys, float64(records)/float64(sample), float64(seen)/n)
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
