package app

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/integrationsagentur-marl/integrabot/internal/config"
)

func TestPollingProblem(t *testing.T) {
	now := time.Date(2026, 12, 1, 21, 0, 0, 0, time.UTC)
	const silence = 12 * time.Second
	tests := []struct {
		name string
		last time.Time // zero: Telegram never answered
		want string    // "" for no problem
	}{
		{"never answered", time.Time{}, "telegram: no answer to getUpdates yet"},
		{"answered just now", now.Add(-time.Second), ""},
		{"answered at the limit", now.Add(-silence), ""},
		{"silent too long", now.Add(-time.Minute), "telegram: no answer to getUpdates since 2026-12-01T20:59:00Z"},
	}
	for _, tt := range tests {
		var last int64
		if !tt.last.IsZero() {
			last = tt.last.UnixNano()
		}
		if got := pollingProblem(last, now, silence); got != tt.want {
			t.Errorf("%s: %q, want %q", tt.name, got, tt.want)
		}
	}
}

// Before Telegram ever answered (here it is unreachable), /readyz says so
// instead of naming 1970.
func TestReadyzBeforeTheFirstContact(t *testing.T) {
	k, err := LoadKnowledge("", false)
	if err != nil {
		t.Fatal(err)
	}
	cfg := config.Config{Token: "123456789:AAE2eTestTokenNeverRealAbcdefghijklmnop", APIURL: "http://127.0.0.1:1", ListenAddr: "127.0.0.1:0"}
	a, err := New(cfg, k, Options{PollTimeout: time.Second}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	}()
	deadline := time.Now().Add(10 * time.Second)
	for a.Addr() == "" {
		if time.Now().After(deadline) {
			t.Fatal("the health endpoints did not start")
		}
		time.Sleep(10 * time.Millisecond)
	}
	resp, err := http.Get("http://" + a.Addr() + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable || strings.TrimSpace(string(body)) != "telegram: no answer to getUpdates yet" {
		t.Errorf("/readyz = %d %q; want 503 saying no answer yet", resp.StatusCode, body)
	}
}
