package store

import (
	"fmt"
	"net/url"

	"github.com/redis/go-redis/v9"
)

// NewClient opens a client for REDIS_URL, using go-redis's own URL parsers:
//
//	redis://[user:password@]host:6379/0              one Redis (rediss:// for TLS)
//	redis://host:26379?master_name=mymaster&addr=…   Sentinel: the sentinels, then the master's name
//	redis://host1:6379?addr=host2:6379&addr=…        Cluster: the first nodes to ask
//
// Keys that belong together share a hash tag (see keys.go), so all three work.
//
// A call to a Redis that is away fails after one retry instead of go-redis'
// default of three, each with five dial attempts: about 20 ms instead of
// 1.7 s, so a resident gets an answer from memory at once. A max_retries
// (or, for a cluster, dialer_retries) in the URL wins.
func NewClient(rawURL string) (redis.UniversalClient, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, fmt.Errorf("not a URL")
	}
	q := u.Query()
	switch {
	case q.Has("master_name"):
		o, err := redis.ParseFailoverURL(rawURL)
		if err != nil {
			return nil, fmt.Errorf("sentinel URL: %w", err)
		}
		failFast(q, &o.MaxRetries, &o.DialerRetries)
		return redis.NewFailoverClient(o), nil
	case q.Has("addr"):
		o, err := redis.ParseClusterURL(rawURL)
		if err != nil {
			return nil, fmt.Errorf("cluster URL: %w", err)
		}
		failFast(q, nil, &o.DialerRetries) // a cluster retries by its redirects
		return redis.NewClusterClient(o), nil
	}
	o, err := redis.ParseURL(rawURL)
	if err != nil {
		return nil, err
	}
	failFast(q, &o.MaxRetries, &o.DialerRetries)
	return redis.NewClient(o), nil
}

// failFast sets one retry of a failed command and one dial attempt per
// try, unless the URL says otherwise.
func failFast(q url.Values, maxRetries, dialerRetries *int) {
	if maxRetries != nil && !q.Has("max_retries") {
		*maxRetries = 1
	}
	if !q.Has("dialer_retries") {
		*dialerRetries = 1
	}
}
