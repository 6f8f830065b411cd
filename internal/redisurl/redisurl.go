// Package redisurl reads REDIS_URL: one Redis, a Sentinel set or a Cluster,
// with the retry settings integrabot wants when Redis is away. It only parses;
// NewClient makes the client (which connects lazily, on the first command).
package redisurl

import (
	"fmt"
	"net/url"

	"github.com/redis/go-redis/v9"
)

// Kind tells which deployment a URL names.
type Kind int

const (
	Single   Kind = iota + 1 // one Redis
	Sentinel                 // a master found through sentinels (master_name=…)
	Cluster                  // a Redis Cluster (addr=… for more nodes)
)

func (k Kind) String() string {
	switch k {
	case Single:
		return "single"
	case Sentinel:
		return "sentinel"
	case Cluster:
		return "cluster"
	}
	return "unknown"
}

// Options is a parsed REDIS_URL: exactly the one field for its Kind is set.
type Options struct {
	Kind     Kind
	Single   *redis.Options
	Sentinel *redis.FailoverOptions
	Cluster  *redis.ClusterOptions
}

// Parse reads a REDIS_URL with go-redis's own URL parsers:
//
//	redis://[user:password@]host:6379/0              one Redis (rediss:// for TLS)
//	redis://host:26379?master_name=mymaster&addr=…   Sentinel: the sentinels, then the master's name
//	redis://host1:6379?addr=host2:6379&addr=…        Cluster: the first nodes to ask
//
// A call to a Redis that is away fails after one retry instead of go-redis'
// default of three, each with five dial attempts: about 20 ms instead of
// 1.7 s, so a resident gets an answer from memory at once. A max_retries
// (or, for a cluster, dialer_retries) in the URL wins.
//
// An error may quote the URL, password included: redact it before showing it.
func Parse(rawURL string) (Options, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return Options{}, fmt.Errorf("not a URL")
	}
	q := u.Query()
	switch {
	case q.Has("master_name"):
		o, err := redis.ParseFailoverURL(rawURL)
		if err != nil {
			return Options{}, fmt.Errorf("sentinel URL: %w", err)
		}
		failFast(q, &o.MaxRetries, &o.DialerRetries)
		return Options{Kind: Sentinel, Sentinel: o}, nil
	case q.Has("addr"):
		o, err := redis.ParseClusterURL(rawURL)
		if err != nil {
			return Options{}, fmt.Errorf("cluster URL: %w", err)
		}
		failFast(q, nil, &o.DialerRetries) // a cluster retries by its redirects
		return Options{Kind: Cluster, Cluster: o}, nil
	}
	o, err := redis.ParseURL(rawURL)
	if err != nil {
		return Options{}, err
	}
	failFast(q, &o.MaxRetries, &o.DialerRetries)
	return Options{Kind: Single, Single: o}, nil
}

// NewClient parses rawURL and returns a client for it; no connection is made
// until the first command.
func NewClient(rawURL string) (redis.UniversalClient, error) {
	o, err := Parse(rawURL)
	if err != nil {
		return nil, err
	}
	return o.NewClient(), nil
}

// NewClient returns a client for the parsed URL.
func (o Options) NewClient() redis.UniversalClient {
	switch o.Kind {
	case Sentinel:
		return redis.NewFailoverClient(o.Sentinel)
	case Cluster:
		return redis.NewClusterClient(o.Cluster)
	}
	return redis.NewClient(o.Single)
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
