package store

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// Updates answered at the same time are all recorded, each caller hears
// about its own, and a Redis that is away is reported to every caller.
func TestMarksRecordEveryUpdateOfAGroup(t *testing.T) {
	for name, rdb := range bothRedis(t) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			prefix := fmt.Sprintf("ibtest:%d:", time.Now().UnixNano())
			m := newMarks(rdb, "done", time.Minute)
			const n = 200
			var wg sync.WaitGroup
			errs := make(chan error, n)
			for i := range n {
				wg.Add(1)
				go func() {
					defer wg.Done()
					errs <- m.set(ctx, fmt.Sprintf("%supd:%d", prefix, i))
				}()
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				if err != nil {
					t.Fatalf("set: %v", err)
				}
			}
			for i := range n {
				v, err := rdb.Get(ctx, fmt.Sprintf("%supd:%d", prefix, i)).Result()
				if err != nil || v != "done" {
					t.Fatalf("update %d recorded as %q, %v", i, v, err)
				}
				if ttl := rdb.TTL(ctx, fmt.Sprintf("%supd:%d", prefix, i)).Val(); ttl <= 0 || ttl > time.Minute {
					t.Fatalf("update %d kept for %v, want up to a minute", i, ttl)
				}
			}
		})
	}
	t.Run("redis away", func(t *testing.T) {
		rdb := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", MaxRetries: -1, DialTimeout: 200 * time.Millisecond})
		defer rdb.Close()
		m := newMarks(rdb, "done", time.Minute)
		var wg sync.WaitGroup
		for i := range 5 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if err := m.set(context.Background(), fmt.Sprintf("k%d", i)); err == nil {
					t.Errorf("set %d reported success with Redis away", i)
				}
			}()
		}
		wg.Wait()
	})
	t.Run("a caller who stops waiting", func(t *testing.T) {
		rdb := realRedis(t)
		m := newMarks(rdb, "done", time.Minute)
		m.turn <- struct{}{} // another call is writing its group
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		defer cancel()
		if err := m.set(ctx, "ibtest:never"); err != context.DeadlineExceeded {
			t.Errorf("set = %v, want the deadline", err)
		}
	})
}
