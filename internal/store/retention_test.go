package store

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/integrationsagentur-marl/integrabot/internal/conversation"
)

// A resident silent for the retention period who writes while the sweep
// looks at them keeps what they have: the sweep read their last update
// from the residents index, but their update was claimed meanwhile, so
// they are spared, and their state is there when the update commits.
func TestTheSweepSparesAResidentWhoWritesMeanwhile(t *testing.T) {
	for name, rdb := range bothRedis(t) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			s := newStore(t, rdb)
			const me = 7301
			longAgo := time.Now().Add(-400 * 24 * time.Hour)
			if err := s.SaveState(ctx, me, conversation.State{Lang: "fa"}); err != nil {
				t.Fatal(err)
			}
			rdb.ZAdd(ctx, s.seenKey(me), redis.Z{Score: float64(longAgo.Unix()), Member: strconv.Itoa(me)})
			c, err := s.Claim(ctx, UpdateRef{ID: 1, Chat: me, User: me, Count: true}, false)
			if err != nil || c.Claim != Fresh {
				t.Fatalf("claim = %+v, %v", c, err)
			}
			before := time.Now().Add(-365 * 24 * time.Hour)
			forgot, err := s.ForgetSilent(ctx, me, before)
			if err != nil {
				t.Fatal(err)
			}
			if forgot {
				t.Error("the sweep deleted a resident whose update was being answered")
			}
			if err := s.Commit(ctx, Commit{Claimed: c}, time.Now()); err != nil {
				t.Fatal(err)
			}
			if st, _ := s.LoadState(ctx, me); st.Lang != "fa" {
				t.Errorf("after their update the resident's language is %q, want fa", st.Lang)
			}
			// silent again (the index says so), with no update in flight and
			// none done since: deleted
			rdb.ZAdd(ctx, s.seenKey(me), redis.Z{Score: float64(longAgo.Unix()), Member: strconv.Itoa(me)})
			rdb.Set(ctx, s.stateKey(me), record{state: `{"l":"fa"}`, done: []doneUpdate{{id: 1, minute: longAgo.Unix() / 60}}}.String(), time.Hour)
			if forgot, err := s.ForgetSilent(ctx, me, before); err != nil || !forgot {
				t.Errorf("a resident silent since long ago: forgotten %v, %v; want true", forgot, err)
			}
			if n := rdb.Exists(ctx, s.stateKey(me)).Val(); n != 0 {
				t.Error("the silent resident's record is still there")
			}
		})
	}
}
