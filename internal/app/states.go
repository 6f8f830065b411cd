package app

import (
	"context"

	"github.com/integrationsagentur-marl/integrabot/internal/conversation"
	"github.com/integrationsagentur-marl/integrabot/internal/metrics"
	"github.com/integrationsagentur-marl/integrabot/internal/store"
)

// countedStates is the store the conversation runner keeps residents' state
// in, with its failures counted: the runner answers kindly when Redis is
// away, and the operator sees it in the Redis errors metric.
type countedStates struct {
	s *store.Store
	m *metrics.Metrics
}

func (c countedStates) LoadState(ctx context.Context, userID int64) (conversation.State, error) {
	st, err := c.s.LoadState(ctx, userID)
	c.count("load_state", err)
	return st, err
}

func (c countedStates) SaveState(ctx context.Context, userID int64, st conversation.State) error {
	err := c.s.SaveState(ctx, userID, st)
	c.count("save_state", err)
	return err
}

func (c countedStates) DeleteState(ctx context.Context, userID int64) error {
	err := c.s.DeleteState(ctx, userID)
	c.count("delete_state", err)
	return err
}

func (c countedStates) count(op string, err error) {
	if err != nil {
		c.m.RedisError(op)
	}
}
