package store

import (
	"context"
	"errors"
	"fmt"

	"github.com/redis/go-redis/v9"
)

func (s *Store) contentReloadsKey() string { return s.global("content:reloads") }

// ContentReloads is how many times staff reloaded the content folder: a
// replica that sees it grow loads its own folder again.
func (s *Store) ContentReloads(ctx context.Context) (int64, error) {
	n, err := s.rdb.Get(ctx, s.contentReloadsKey()).Int64()
	if errors.Is(err, redis.Nil) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("content reloads: %w", err)
	}
	return n, nil
}

// CountContentReload says that the content folder was reloaded, for every
// replica to follow, and returns the new count.
func (s *Store) CountContentReload(ctx context.Context) (int64, error) {
	n, err := s.rdb.Incr(ctx, s.contentReloadsKey()).Result()
	if err != nil {
		return 0, fmt.Errorf("count content reload: %w", err)
	}
	return n, nil
}
