package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/integrationsagentur-marl/integrabot/internal/config"
	"github.com/integrationsagentur-marl/integrabot/internal/conversation"
)

// Store is the bot's Redis state.
type Store struct {
	rdb    redis.UniversalClient
	prefix string
	timing config.Timing
	group  *grouper // claims, commits and acks of many workers in one round trip
	counts *tallies // committed updates' counts for /stats, written every second
	// oldSeenCheck is when (unix s) the heartbeat next moves members of the
	// residents index as one set into its buckets
	oldSeenCheck atomic.Int64
	// threadTTL is how long a question to staff lives (HANDOFF_RETENTION); 0: DefaultThreadTTL
	threadTTL time.Duration
}

// New returns a store on rdb; prefix starts every key ("ib:" when empty).
func New(rdb redis.UniversalClient, prefix string, timing config.Timing) *Store {
	if prefix == "" {
		prefix = "ib:"
	}
	s := &Store{rdb: rdb, prefix: prefix, timing: timing, counts: &tallies{}}
	s.group = newGrouper(s)
	return s
}

// LoadScripts makes Redis know every script the store sends in a round trip
// with others, so that none of them is unknown while another in the same
// round trip already ran (a round trip with an unknown script is sent
// again whole). Run at start; a restarted Redis forgets them all at once,
// which the store handles.
func (s *Store) LoadScripts(ctx context.Context) error {
	for _, sc := range pipelinedScripts {
		if err := sc.Load(ctx, s.rdb).Err(); err != nil {
			return fmt.Errorf("load scripts: %w", err)
		}
	}
	return nil
}

// Ping tells whether Redis answers.
func (s *Store) Ping(ctx context.Context) error {
	return s.rdb.Ping(ctx).Err()
}

// LoadState returns a resident's state in their private chat; a resident
// never seen has the zero state.
func (s *Store) LoadState(ctx context.Context, userID int64) (conversation.State, error) {
	data, err := s.rdb.Get(ctx, s.stateKey(userID)).Result()
	if errors.Is(err, redis.Nil) {
		return conversation.State{}, nil
	}
	if err != nil {
		return conversation.State{}, fmt.Errorf("load state: %w", err)
	}
	return decodeState(data)
}

// SaveState stores a resident's state in their private chat and renews its
// TTL, outside of any update (an import, a test): the record it writes
// lists no update done and no flood count.
func (s *Store) SaveState(ctx context.Context, userID int64, st conversation.State) error {
	data, err := encodeState(st)
	if err != nil {
		return fmt.Errorf("save state: %w", err)
	}
	if err := s.rdb.Set(ctx, s.stateKey(userID), record{state: data}.String(), s.timing.StateTTL()).Err(); err != nil {
		return fmt.Errorf("save state: %w", err)
	}
	return nil
}

// SaveStates stores many residents' states in their private chats, as
// SaveState does each, in one round trip (an import, a benchmark's residents).
func (s *Store) SaveStates(ctx context.Context, states map[int64]conversation.State) error {
	if len(states) == 0 {
		return nil
	}
	_, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for id, st := range states {
			data, err := encodeState(st)
			if err != nil {
				return err
			}
			p.Set(ctx, s.stateKey(id), record{state: data}.String(), s.timing.StateTTL())
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("save states: %w", err)
	}
	return nil
}

// DeleteState forgets a resident: everything Forget deletes.
func (s *Store) DeleteState(ctx context.Context, userID int64) error {
	return s.Forget(ctx, userID)
}

func encodeState(st conversation.State) (string, error) {
	data, err := json.Marshal(st)
	return string(data), err
}

// decodeState reads a state's JSON, or the state of a private chat's
// record (record.go).
func decodeState(data string) (conversation.State, error) {
	var st conversation.State
	if data != "" && !strings.HasPrefix(data, "{") {
		r, err := parseRecord(data)
		if err != nil {
			return st, err
		}
		if data = r.state; data == "" {
			return st, nil
		}
	}
	if err := json.Unmarshal([]byte(data), &st); err != nil {
		return conversation.State{}, fmt.Errorf("stored state is not valid: %w", err)
	}
	return st, nil
}

// settling bounds the writes that end a claim. They run even when the
// caller's ctx has ended, which is often why the update failed: otherwise it
// would stay claimed and its chat locked.
func (s *Store) settling(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(ctx), s.timing.Settle)
}

func ms(d time.Duration) int64 { return d.Milliseconds() }

// pipelined runs fn's commands in one round trip. Scripts in a pipeline go by
// their hash (EVALSHA); when Redis does not know one (the first time, or
// after a restart), every script is loaded and the pipeline sent again. The
// pipelines that use it are safe to repeat: each write is guarded by a claim
// token or a dedupe key.
func (s *Store) pipelined(ctx context.Context, fn func(redis.Pipeliner)) ([]redis.Cmder, error) {
	run := func() ([]redis.Cmder, error) {
		return s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error { fn(p); return nil })
	}
	cmds, err := run()
	if err == nil || !noScript(cmds) {
		return cmds, err
	}
	for _, sc := range pipelinedScripts {
		if err := sc.Load(ctx, s.rdb).Err(); err != nil {
			return cmds, err
		}
	}
	return run()
}

func noScript(cmds []redis.Cmder) bool {
	for _, c := range cmds {
		if err := c.Err(); err != nil && strings.HasPrefix(err.Error(), "NOSCRIPT") {
			return true
		}
	}
	return false
}
