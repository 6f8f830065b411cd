package store

import (
	"context"
	"testing"

	"github.com/integrationsagentur-marl/integrabot/internal/conversation"
)

// A question to staff names its thread once it is sent: by the message id
// Telegram gave it, in the group's slot, with a TTL; a reply to another
// message finds none; the resident's threads can be deleted.
func TestThreadIsNamedWhenSent(t *testing.T) {
	ctx := context.Background()
	for name, rdb := range bothRedis(t) {
		t.Run(name, func(t *testing.T) {
			s := newStore(t, rdb)
			const group = -1001234567890
			q := msg("question", conversation.LaneReply)
			q.Record = ThreadRecord(conversation.Thread{Resident: 4711, Lang: "ar"})
			commitTo(t, s, 1, group, q)
			if _, ok, _ := s.Thread(ctx, group, 88); ok {
				t.Fatal("a thread before the question went")
			}
			head, _, _ := s.Head(ctx, group)
			if _, err := s.Ack(ctx, head, Sent, 88); err != nil {
				t.Fatal(err)
			}
			th, ok, err := s.Thread(ctx, group, 88)
			if err != nil || !ok || th != (conversation.Thread{Resident: 4711, Lang: "ar"}) {
				t.Fatalf("thread = %+v, %v, %v", th, ok, err)
			}
			if ttl := rdb.TTL(ctx, s.threadKey(group, 88)).Val(); ttl <= 0 || ttl > ThreadTTL {
				t.Errorf("thread TTL = %v, want up to %v", ttl, ThreadTTL)
			}
			if _, ok, _ := s.Thread(ctx, group, 87); ok {
				t.Error("another message of the group is a thread")
			}
			if n := rdb.HLen(ctx, s.sentKey(group)).Val(); n != 0 {
				t.Errorf("the question is also kept among the sent ids (%d)", n)
			}
			if err := s.ForgetThreads(ctx, group, 4711); err != nil {
				t.Fatal(err)
			}
			if _, ok, _ := s.Thread(ctx, group, 88); ok {
				t.Error("the thread outlived the resident's deletion")
			}
			if n := rdb.Exists(ctx, s.threadsKey(group, 4711)).Val(); n != 0 {
				t.Error("the resident's list of threads outlived their deletion")
			}
		})
	}
}

// Deleting a resident's data deletes their questions' threads too.
func TestForgetDeletesThreads(t *testing.T) {
	ctx := context.Background()
	s := newStore(t, realRedis(t))
	const group = -1001234567890
	q := msg("question", conversation.LaneReply)
	q.Record = ThreadRecord(conversation.Thread{Resident: 4712, Lang: "de"})
	commitTo(t, s, 1, group, q)
	head, _, _ := s.Head(ctx, group)
	if _, err := s.Ack(ctx, head, Sent, 91); err != nil {
		t.Fatal(err)
	}
	if err := s.Forget(ctx, 4712); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := s.Thread(ctx, group, 91); ok {
		t.Error("the thread outlived the resident's deletion")
	}
	if n := s.rdb.Exists(ctx, s.threadsKey(group, 4712)).Val(); n != 0 {
		t.Error("the list of the resident's threads outlived their deletion")
	}
}

func TestThreadKeysShareTheGroupsSlot(t *testing.T) {
	s := New(nil, "", config0())
	if got := s.threadKey(-100, 88); got != "ib:{c-100}:thread:88" {
		t.Errorf("thread key %q", got)
	}
	if got := s.threadsKey(-100, 4711); got != "ib:{c-100}:threads:4711" {
		t.Errorf("threads key %q", got)
	}
}
