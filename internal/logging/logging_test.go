package logging

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// lines decodes a JSON log, one object a line.
func lines(t *testing.T, buf *bytes.Buffer) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, l := range strings.Split(strings.TrimSpace(buf.String()), "\n") {
		if l == "" {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("not a JSON line: %q (%v)", l, err)
		}
		out = append(out, m)
	}
	return out
}

func TestDurationsReadAsText(t *testing.T) {
	tests := []struct {
		d    time.Duration
		want string
	}{
		{1500 * time.Millisecond, "1.5s"},
		{250 * time.Millisecond, "250ms"},
		{0, "0s"},
		{90 * time.Second, "1m30s"},
		{42 * time.Microsecond, "42µs"},
	}
	for _, tt := range tests {
		var buf bytes.Buffer
		log := New(&buf, false)
		log.Info("sent", "took", tt.d, slog.Group("retry", "after", tt.d), "count", 3)
		got := lines(t, &buf)
		if len(got) != 1 {
			t.Fatalf("%d lines, want 1", len(got))
		}
		retry, _ := got[0]["retry"].(map[string]any)
		if got[0]["took"] != tt.want || retry["after"] != tt.want || got[0]["count"] != 3.0 {
			t.Errorf("%v logged as took=%v retry.after=%v count=%v; want %q", tt.d, got[0]["took"], retry["after"], got[0]["count"], tt.want)
		}

		buf.Reset()
		New(&buf, true).Info("sent", "took", tt.d)
		if !strings.Contains(buf.String(), "took="+tt.want) {
			t.Errorf("terminal log %q, want took=%s", buf.String(), tt.want)
		}
	}
	var buf bytes.Buffer
	New(&buf, true).With("wait", 2*time.Second).Info("x") // attributes given early too
	if !strings.Contains(buf.String(), "wait=2s") {
		t.Errorf("terminal log %q, want wait=2s", buf.String())
	}
}

func TestRedisLinesBecomeWarnings(t *testing.T) {
	var buf bytes.Buffer
	log := New(&buf, false)
	r := Redis(log)
	r.Printf(context.Background(), "redis: failed to close connection: %v\n", "boom")
	got := lines(t, &buf)
	if len(got) != 1 || got[0]["level"] != "WARN" || got[0]["msg"] != "redis: failed to close connection: boom" || got[0]["logger"] != "go-redis" {
		t.Errorf("logged %v; want one warning with go-redis's line", got)
	}
}

// go-redis itself writes through the logger it is given. Its logger is
// package-global, so this test binary sets it and never runs in parallel.
func TestGoRedisWritesIntoTheJSONLog(t *testing.T) {
	var buf bytes.Buffer
	redis.SetLogger(Redis(New(&buf, false)))
	rdb := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", MaxRetries: -1, DialerRetries: 1, DialTimeout: 100 * time.Millisecond})
	defer rdb.Close()
	// a TTL under a millisecond makes go-redis log a line while it builds the command
	_ = rdb.Set(context.Background(), "k", "v", 500*time.Microsecond).Err()
	got := lines(t, &buf)
	if len(got) == 0 {
		t.Fatal("go-redis logged nothing into the JSON log")
	}
	for _, l := range got {
		if l["level"] != "WARN" || l["logger"] != "go-redis" {
			t.Errorf("line %v; want a go-redis warning", l)
		}
	}
	if msg, _ := got[0]["msg"].(string); !strings.Contains(msg, "truncating to 1ms") {
		t.Errorf("first line %q, want go-redis's words", msg)
	}
}
