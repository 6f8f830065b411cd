package store

import (
	"testing"

	"github.com/redis/go-redis/v9"
)

func TestNewClientKinds(t *testing.T) {
	tests := []struct {
		url  string
		kind string
	}{
		{"redis://127.0.0.1:6379/0", "single"},
		{"rediss://:pw@127.0.0.1:6380/1", "single"},
		{"redis://127.0.0.1:26379?master_name=mymaster&addr=127.0.0.1:26380", "sentinel"},
		{"redis://127.0.0.1:7000?addr=127.0.0.1:7001&addr=127.0.0.1:7002", "cluster"},
		{"mysql://x", "error"},
		{"redis://127.0.0.1:6379?master_name=m&bogus=1", "error"},
	}
	for _, tt := range tests {
		c, err := NewClient(tt.url)
		got := "error"
		switch c.(type) {
		case *redis.Client:
			got = "single"
			if tt.kind == "sentinel" {
				got = "sentinel?"
			}
		case *redis.ClusterClient:
			got = "cluster"
		}
		if err == nil && tt.kind == "sentinel" {
			// a failover client is a *redis.Client talking to the master the sentinels name
			if _, ok := c.(*redis.Client); ok {
				got = "sentinel"
			}
		}
		if got != tt.kind {
			t.Errorf("NewClient(%q) = %T, %v; want %s", tt.url, c, err, tt.kind)
		}
		if c != nil {
			c.Close()
		}
	}
}

// A Redis that is away makes a call fail after one retry (a resident then
// gets an answer from memory at once); the URL can still ask for more.
func TestNewClientFailsFast(t *testing.T) {
	tests := []struct {
		url                    string
		maxRetries, dialerTrys int
	}{
		{"redis://127.0.0.1:6379/0", 1, 1},
		{"redis://127.0.0.1:6379/0?max_retries=5", 5, 1},
		{"redis://127.0.0.1:26379?master_name=mymaster", 1, 1},
	}
	for _, tt := range tests {
		c, err := NewClient(tt.url)
		if err != nil {
			t.Fatalf("NewClient(%q): %v", tt.url, err)
		}
		o := c.(*redis.Client).Options()
		if o.MaxRetries != tt.maxRetries || o.DialerRetries != tt.dialerTrys {
			t.Errorf("%s: %d retries, %d dial attempts; want %d, %d", tt.url, o.MaxRetries, o.DialerRetries, tt.maxRetries, tt.dialerTrys)
		}
		c.Close()
	}
	cc, err := NewClient("redis://127.0.0.1:7000?addr=127.0.0.1:7001")
	if err != nil {
		t.Fatal(err)
	}
	if o := cc.(*redis.ClusterClient).Options(); o.DialerRetries != 1 {
		t.Errorf("cluster: %d dial attempts, want 1", o.DialerRetries)
	}
	cc.Close()
}
