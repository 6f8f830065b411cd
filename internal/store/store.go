package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/integrationsagentur-marl/integrabot/internal/conversation"
)

// Store is the bot's Redis state.
type Store struct {
	rdb    redis.UniversalClient
	prefix string
	done   *marks // records answered updates
}

// New returns a store on rdb; prefix starts every key ("ib:" when empty).
func New(rdb redis.UniversalClient, prefix string) *Store {
	if prefix == "" {
		prefix = "ib:"
	}
	return &Store{rdb: rdb, prefix: prefix, done: newMarks(rdb, "done", UpdateTTL)}
}

// Ping tells whether Redis answers.
func (s *Store) Ping(ctx context.Context) error {
	return s.rdb.Ping(ctx).Err()
}

// LoadState returns a resident's state; a resident never seen has the zero state.
func (s *Store) LoadState(ctx context.Context, userID int64) (conversation.State, error) {
	var st conversation.State
	data, err := s.rdb.Get(ctx, s.stateKey(userID)).Bytes()
	if errors.Is(err, redis.Nil) {
		return st, nil
	}
	if err != nil {
		return st, fmt.Errorf("load state: %w", err)
	}
	if err := json.Unmarshal(data, &st); err != nil {
		return conversation.State{}, fmt.Errorf("load state: stored value is not valid: %w", err)
	}
	return st, nil
}

// SaveState stores a resident's state and renews its TTL.
func (s *Store) SaveState(ctx context.Context, userID int64, st conversation.State) error {
	data, err := json.Marshal(st)
	if err != nil {
		return fmt.Errorf("save state: %w", err)
	}
	if err := s.rdb.Set(ctx, s.stateKey(userID), data, StateTTL*time.Second).Err(); err != nil {
		return fmt.Errorf("save state: %w", err)
	}
	return nil
}

// DeleteState forgets a resident: their state and whether they blocked the bot.
func (s *Store) DeleteState(ctx context.Context, userID int64) error {
	_, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		p.Del(ctx, s.stateKey(userID))
		p.SRem(ctx, s.inactiveKey(), strconv.FormatInt(userID, 10))
		return nil
	})
	if err != nil {
		return fmt.Errorf("delete state: %w", err)
	}
	return nil
}
