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
		return redis.NewFailoverClient(o), nil
	case q.Has("addr"):
		o, err := redis.ParseClusterURL(rawURL)
		if err != nil {
			return nil, fmt.Errorf("cluster URL: %w", err)
		}
		return redis.NewClusterClient(o), nil
	}
	o, err := redis.ParseURL(rawURL)
	if err != nil {
		return nil, err
	}
	return redis.NewClient(o), nil
}
