package storetest

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// Redis connects to the real Redis the tests use (REDIS_TEST_URL, else
// 127.0.0.1:6379/0) and returns it with its URL and a key prefix of the
// test's own (prefix, or a fresh one when empty); the keys under the prefix
// are deleted and the connection closed when the test ends. Without a
// Redis the test fails: these tests need one.
func Redis(t testing.TB, prefix string) (rdb *redis.Client, url, keyPrefix string) {
	t.Helper()
	url = os.Getenv("REDIS_TEST_URL")
	if url == "" {
		url = "redis://127.0.0.1:6379/0"
	}
	o, err := redis.ParseURL(url)
	if err != nil {
		t.Fatalf("REDIS_TEST_URL=%q: %v", url, err)
	}
	rdb = redis.NewClient(o)
	ctx := context.Background()
	if err := rdb.Ping(ctx).Err(); err != nil {
		t.Fatalf("these tests need a real Redis at %s: %v", url, err)
	}
	if prefix == "" {
		prefix = fmt.Sprintf("ibtest:%d:", time.Now().UnixNano())
	}
	t.Cleanup(func() {
		if keys, _ := rdb.Keys(ctx, prefix+"*").Result(); len(keys) > 0 {
			rdb.Del(ctx, keys...)
		}
		rdb.Close()
	})
	return rdb, url, prefix
}
