package store

import (
	"github.com/redis/go-redis/v9"

	"github.com/integrationsagentur-marl/integrabot/internal/redisurl"
)

// NewClient opens a client for REDIS_URL (one Redis, Sentinel or Cluster,
// failing fast when Redis is away); see redisurl.Parse for the forms.
// Keys that belong together share a hash tag (see keys.go), so all three work.
func NewClient(rawURL string) (redis.UniversalClient, error) {
	return redisurl.NewClient(rawURL)
}
