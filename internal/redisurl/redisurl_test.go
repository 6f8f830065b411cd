package redisurl

import (
	"testing"

	"github.com/redis/go-redis/v9"
)

func TestParseKinds(t *testing.T) {
	tests := []struct {
		url  string
		kind Kind // 0: an error
	}{
		{"redis://127.0.0.1:6379/0", Single},
		{"rediss://:pw@127.0.0.1:6380/1", Single},
		{"redis://127.0.0.1:26379?master_name=mymaster&addr=127.0.0.1:26380", Sentinel},
		{"redis://127.0.0.1:7000?addr=127.0.0.1:7001&addr=127.0.0.1:7002", Cluster},
		{"mysql://x", 0},
		{"redis://127.0.0.1:6379?master_name=m&bogus=1", 0},
		{"redis://127.0.0.1:7000?addr=127.0.0.1:7001&bogus=1", 0},
		{"://", 0},
	}
	for _, tt := range tests {
		o, err := Parse(tt.url)
		if tt.kind == 0 {
			if err == nil {
				t.Errorf("Parse(%q) = %v, want an error", tt.url, o.Kind)
			}
			continue
		}
		if err != nil || o.Kind != tt.kind {
			t.Errorf("Parse(%q) = %v, %v; want %v", tt.url, o.Kind, err, tt.kind)
			continue
		}
		set := 0
		for _, p := range []bool{o.Single != nil, o.Sentinel != nil, o.Cluster != nil} {
			if p {
				set++
			}
		}
		if set != 1 {
			t.Errorf("Parse(%q): %d option sets filled, want 1", tt.url, set)
		}
	}
}

// A Redis that is away makes a call fail after one retry (a resident then
// gets an answer from memory at once); the URL can still ask for more.
func TestParseFailsFast(t *testing.T) {
	tests := []struct {
		url                     string
		maxRetries, dialerTries int
	}{
		{"redis://127.0.0.1:6379/0", 1, 1},
		{"redis://127.0.0.1:6379/0?max_retries=5", 5, 1},
		{"redis://127.0.0.1:26379?master_name=mymaster", 1, 1},
		{"redis://127.0.0.1:26379?master_name=mymaster&max_retries=3", 3, 1},
	}
	for _, tt := range tests {
		o, err := Parse(tt.url)
		if err != nil {
			t.Fatalf("Parse(%q): %v", tt.url, err)
		}
		var maxRetries, dialerTries int
		switch o.Kind {
		case Single:
			maxRetries, dialerTries = o.Single.MaxRetries, o.Single.DialerRetries
		case Sentinel:
			maxRetries, dialerTries = o.Sentinel.MaxRetries, o.Sentinel.DialerRetries
		}
		if maxRetries != tt.maxRetries || dialerTries != tt.dialerTries {
			t.Errorf("%s: %d retries, %d dial attempts; want %d, %d", tt.url, maxRetries, dialerTries, tt.maxRetries, tt.dialerTries)
		}
	}
	o, err := Parse("redis://127.0.0.1:7000?addr=127.0.0.1:7001")
	if err != nil {
		t.Fatal(err)
	}
	if o.Cluster.DialerRetries != 1 {
		t.Errorf("cluster: %d dial attempts, want 1", o.Cluster.DialerRetries)
	}
}

func TestNewClientKinds(t *testing.T) {
	tests := []struct {
		url  string
		want string
	}{
		{"redis://127.0.0.1:6379/0", "*redis.Client"},
		// a failover client is a *redis.Client talking to the master the sentinels name
		{"redis://127.0.0.1:26379?master_name=mymaster", "*redis.Client"},
		{"redis://127.0.0.1:7000?addr=127.0.0.1:7001", "*redis.ClusterClient"},
	}
	for _, tt := range tests {
		c, err := NewClient(tt.url)
		if err != nil {
			t.Fatalf("NewClient(%q): %v", tt.url, err)
		}
		var got string
		switch c.(type) {
		case *redis.Client:
			got = "*redis.Client"
		case *redis.ClusterClient:
			got = "*redis.ClusterClient"
		}
		if got != tt.want {
			t.Errorf("NewClient(%q) = %T, want %s", tt.url, c, tt.want)
		}
		c.Close()
	}
	if c, err := NewClient("mysql://x"); err == nil {
		c.Close()
		t.Error("NewClient(mysql://x): no error")
	}
}
