package store

import (
	"context"
	"testing"
	"time"

	"github.com/integrationsagentur-marl/integrabot/internal/config"
	"github.com/integrationsagentur-marl/integrabot/internal/conversation"
)

// With RETENTION of 90 days, a resident's state, in their chat and in a
// group, and their blocked mark live 90 days and the grace after their
// last update: longer than the retention period (the sweep warns and
// deletes them), not for ever.
func TestStateTTLFollowsRetention(t *testing.T) {
	ctx := context.Background()
	rdb := realRedis(t)
	timing := config.DefaultTiming
	timing.Retention = config.Retention{Period: 90 * 24 * time.Hour, Warning: 7 * 24 * time.Hour}
	s := New(rdb, newStore(t, rdb).prefix, timing)
	const me, group = 5101, -5102
	for i, chat := range []int64{me, group} {
		cl, err := s.Claim(ctx, UpdateRef{ID: int64(i + 1), Chat: chat, User: me}, true)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Commit(ctx, Commit{Claimed: cl, State: &conversation.State{Lang: "de"}}, time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.SetGone(ctx, me, true); err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{s.stateKey(me), s.convKey(group, me), s.goneKey(me)} {
		ttl := rdb.TTL(ctx, key).Val()
		if ttl <= timing.Retention.Period || ttl > timing.Retention.Period+config.RetentionGrace {
			t.Errorf("%s lives %v, want more than RETENTION %v and at most %v", key, ttl, timing.Retention.Period, timing.Retention.Period+config.RetentionGrace)
		}
	}
}
