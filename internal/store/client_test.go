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
