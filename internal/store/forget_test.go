package store

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/integrationsagentur-marl/integrabot/internal/conversation"
	"github.com/integrationsagentur-marl/integrabot/internal/store/storetest"
)

// naming lists the keys under s's prefix whose name or value carries id.
func naming(t *testing.T, rdb redis.UniversalClient, s *Store, id int64) []string {
	t.Helper()
	return storetest.Naming(t, rdb, s.prefix, id)
}

// A resident with state in their own chat and a group, subscriptions, a
// reminder waiting and its dedupe key, a gone mark, sent ids, updates done
// (and one marked done as an earlier release did): a forgetting commit, asked in either chat, leaves nothing that
// names them once its confirmation is sent; another resident keeps all.
func TestForgetDeletesEveryKeyThatNamesTheResident(t *testing.T) {
	for name, rdb := range bothRedis(t) {
		for _, where := range []string{"private", "group"} {
			t.Run(name+"/"+where, func(t *testing.T) {
				ctx := context.Background()
				s := newStore(t, rdb)
				const me, other, group, staff = 4101, 4202, -4303, -4404
				now := time.Now()
				update := int64(1)
				commit := func(chat, user int64, c Commit) {
					t.Helper()
					cl, err := s.Claim(ctx, UpdateRef{ID: update, Chat: chat, User: user}, true)
					if err != nil || cl.Claim != Fresh {
						t.Fatalf("claim: %+v %v", cl, err)
					}
					update++
					c.Claimed = cl
					if err := s.Commit(ctx, c, now); err != nil {
						t.Fatal(err)
					}
				}
				for _, u := range []int64{me, other} {
					commit(u, u, Commit{State: &conversation.State{Lang: "uk", Subs: []string{"news", "e:x"}}, Follow: []string{"news", "e:x"},
						Messages: []Outgoing{{ID: fmt.Sprint(update, ".0"), Chat: u, Payload: []byte(`{"text":"hi"}`)}}})
					commit(group, u, Commit{State: &conversation.State{Lang: "uk", Screen: "privacy"}})
					if _, err := s.PushOnce(ctx, []Outgoing{{ID: "job.1", Chat: u, Lane: conversation.LaneBulk, Payload: []byte(`{"text":"reminder"}`)}}, 48*time.Hour); err != nil {
						t.Fatal(err)
					}
					rdb.HSet(ctx, s.sentKey(u), "card", 77)
					rdb.Set(ctx, s.updateKey(u, 90), "done", UpdateTTL) // as an earlier release marked an update done
				}
				deliverAll(t, s)
				for i, u := range []int64{me, other} { // a question to staff each, and a follow-up
					if err := s.OpenThread(ctx, staff, u, "12"); err != nil {
						t.Fatal(err)
					}
					if err := s.CountFollowUp(ctx, u); err != nil {
						t.Fatal(err)
					}
					th := conversation.Thread{Resident: u, Lang: "uk", ID: "12"}
					commit(staff, 9, Commit{Messages: []Outgoing{{ID: fmt.Sprint(update, ".q"), Chat: staff, Record: ThreadRecord(th), Payload: []byte(`{"text":"q"}`)},
						{ID: fmt.Sprint(update, ".f"), Chat: staff, Record: FollowRecord(th), Payload: []byte(`{"text":"f"}`)}}})
					sendHead(t, s, staff, 500+2*i)
					sendHead(t, s, staff, 501+2*i)
				}
				deliverAll(t, s)
				if err := s.SetGone(ctx, me, true); err != nil {
					t.Fatal(err)
				}
				if len(naming(t, rdb, s, me)) < 8 {
					t.Fatalf("too little stored to test with: %v", naming(t, rdb, s, me))
				}
				before := naming(t, rdb, s, other)

				chat := int64(me)
				if where == "group" {
					chat = group
				}
				commit(chat, me, Commit{Forget: true, Messages: []Outgoing{{ID: "done.0", Chat: chat, Payload: []byte(`{"text":"deleted"}`)}}})
				if got := deliverAll(t, s); len(got) != 1 || !strings.Contains(got[0], "deleted") {
					t.Fatalf("the confirmation was not delivered: %q", got)
				}
				if left := naming(t, rdb, s, me); len(left) > 0 {
					t.Errorf("after forgetting, the id is still in:\n%s", strings.Join(left, "\n"))
				}
				if after := naming(t, rdb, s, other); strings.Join(after, "\n") != strings.Join(before, "\n") {
					t.Errorf("the other resident's keys changed:\n%s\nwere:\n%s", strings.Join(after, "\n"), strings.Join(before, "\n"))
				}
			})
		}
	}
}
