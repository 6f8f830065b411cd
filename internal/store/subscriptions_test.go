package store

import (
	"context"
	"testing"
	"time"

	"github.com/integrationsagentur-marl/integrabot/internal/conversation"
)

// A commit that follows a topic puts the resident in its index with the
// state; one that stops, or forgets the resident, takes them out.
func TestCommitKeepsTheFollowersIndex(t *testing.T) {
	for name, rdb := range bothRedis(t) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			s := newStore(t, rdb)
			count := func(topic string) int64 {
				n, err := s.FollowerCount(ctx, topic)
				if err != nil {
					t.Fatal(err)
				}
				return n
			}
			commit := func(id int64, c Commit) {
				t.Helper()
				cl, err := s.Claim(ctx, UpdateRef{ID: id, Chat: 7, User: 7}, false)
				if err != nil {
					t.Fatal(err)
				}
				c.Claimed = cl
				if err := s.Commit(ctx, c, time.Now()); err != nil {
					t.Fatal(err)
				}
			}
			st := conversation.State{Lang: "ar", Subs: []string{"news", "e:cafe"}}
			commit(1, Commit{State: &st, Follow: []string{"news", "e:cafe"}})
			if count("news") != 1 || count("e:cafe") != 1 {
				t.Fatalf("after following: news %d, e:cafe %d", count("news"), count("e:cafe"))
			}
			st.Subs = []string{"e:cafe"}
			commit(2, Commit{State: &st, Unfollow: []string{"news"}})
			if count("news") != 0 || count("e:cafe") != 1 {
				t.Fatalf("after stopping news: news %d, e:cafe %d", count("news"), count("e:cafe"))
			}
			commit(3, Commit{Forget: true, Unfollow: []string{"e:cafe"}})
			if count("e:cafe") != 0 {
				t.Fatalf("after forgetting: e:cafe %d", count("e:cafe"))
			}
		})
	}
}

// A resident who blocked the bot loses every subscription, keeps the
// language, and leaves the index.
func TestEndSubscriptions(t *testing.T) {
	ctx := context.Background()
	s := newStore(t, realRedis(t))
	if err := s.SaveState(ctx, 9, conversation.State{Lang: "fa", Subs: []string{"news", "all"}}); err != nil {
		t.Fatal(err)
	}
	_ = s.Follow(ctx, "news", 9, 10)
	_ = s.Follow(ctx, "all", 9)
	if err := s.EndSubscriptions(ctx, 9); err != nil {
		t.Fatal(err)
	}
	st, _ := s.LoadState(ctx, 9)
	if st.Lang != "fa" || len(st.Subs) != 0 {
		t.Errorf("state %+v", st)
	}
	if n, _ := s.FollowerCount(ctx, "news"); n != 1 {
		t.Errorf("news has %d followers, want the other resident only", n)
	}
	if ttl := s.rdb.TTL(ctx, s.stateKey(9)).Val(); ttl < time.Hour {
		t.Errorf("the state lost its time to live: %v", ttl)
	}
}
