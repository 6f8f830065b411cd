package store

import (
	"context"
	"strings"
	"testing"
	"time"

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
			if ttl := rdb.TTL(ctx, s.threadKey(group, 88)).Val(); ttl <= 0 || ttl > DefaultThreadTTL {
				t.Errorf("thread TTL = %v, want up to %v", ttl, DefaultThreadTTL)
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

// sendHead acks the head message of chat as sent with message id.
func sendHead(t *testing.T, s *Store, chat int64, id int) {
	t.Helper()
	head, ok, err := s.Head(context.Background(), chat)
	if err != nil || !ok {
		t.Fatalf("head of %d: %v %v", chat, ok, err)
	}
	if _, err := s.Ack(context.Background(), head, Sent, id); err != nil {
		t.Fatal(err)
	}
}

// A named thread: open before its question is sent (root 0), its question
// and follow-ups name it once sent, all living as long as HANDOFF_RETENTION
// says; closing deletes all of it, and a follow-up sent after that names
// nothing. The hourly count of questions has a TTL of its own.
func TestNamedThreadLifecycle(t *testing.T) {
	ctx := context.Background()
	for name, rdb := range bothRedis(t) {
		t.Run(name, func(t *testing.T) {
			s := newStore(t, rdb).WithThreadTTL(2 * time.Hour)
			const group, res = -1001234567890, 4711
			th := conversation.Thread{Resident: res, Lang: "ar", ID: "12"}
			if st, _ := s.ThreadState(ctx, group, res, "12"); !st.Closed {
				t.Fatalf("a thread before it was opened: %+v", st)
			}
			for range 2 { // a retried update opens the same thread
				if err := s.OpenThread(ctx, group, res, "12"); err != nil {
					t.Fatal(err)
				}
			}
			if st, err := s.ThreadState(ctx, group, res, "12"); err != nil || st.Closed || st.Root != 0 {
				t.Fatalf("an open thread on its way: %+v %v", st, err)
			}
			if n, _ := s.Asked(ctx, res); n != 2 {
				t.Errorf("asked = %d, want 2", n)
			}
			if ttl := rdb.PTTL(ctx, s.askedKey(res)).Val(); ttl <= 0 || ttl > AskedWindow {
				t.Errorf("asked TTL %v", ttl)
			}

			q := msg("question", conversation.LaneReply)
			q.Record = ThreadRecord(th)
			commitTo(t, s, 1, group, q)
			sendHead(t, s, group, 88)
			if st, _ := s.ThreadState(ctx, group, res, "12"); st.Root != 88 || st.Closed {
				t.Fatalf("after the question went: %+v", st)
			}
			got, ok, err := s.Thread(ctx, group, 88)
			if err != nil || !ok || got != (conversation.Thread{Resident: res, Lang: "ar", ID: "12", Root: 88}) {
				t.Fatalf("thread of the question = %+v %v %v", got, ok, err)
			}
			if ttl := rdb.TTL(ctx, s.threadKey(group, 88)).Val(); ttl <= 0 || ttl > 2*time.Hour {
				t.Errorf("thread TTL %v, want up to HANDOFF_RETENTION", ttl)
			}
			for range 3 {
				if err := s.CountFollowUp(ctx, res); err != nil {
					t.Fatal(err)
				}
			}
			if n, _ := s.FollowUps(ctx, res); n != 3 {
				t.Errorf("follow-ups = %d, want 3", n)
			}
			if ttl := rdb.PTTL(ctx, s.followUpsKey(res)).Val(); ttl <= 0 || ttl > AskedWindow {
				t.Errorf("follow-ups TTL %v", ttl)
			}
			f := msg("follow-up", conversation.LaneReply)
			f.Record = FollowRecord(th)
			commitTo(t, s, 2, group, f)
			sendHead(t, s, group, 90)
			if got, ok, _ := s.Thread(ctx, group, 90); !ok || got.ID != "12" || got.Root != 88 {
				t.Errorf("a follow-up does not name its thread: %+v %v", got, ok)
			}

			if e, err := s.Export(ctx, res); err != nil || e.Threads != 1 || e.Asked != 2 {
				t.Errorf("export-user: %d open questions, %d this hour (%v); want 1 and 2", e.Threads, e.Asked, err)
			}
			if err := s.CloseThread(ctx, group, res, "12"); err != nil {
				t.Fatal(err)
			}
			if st, _ := s.ThreadState(ctx, group, res, "12"); !st.Closed {
				t.Errorf("closed thread: %+v", st)
			}
			for _, m := range []int{88, 90} {
				if _, ok, _ := s.Thread(ctx, group, m); ok {
					t.Errorf("message %d names a closed thread", m)
				}
			}
			commitTo(t, s, 3, group, f)
			sendHead(t, s, group, 95)
			if _, ok, _ := s.Thread(ctx, group, 95); ok {
				t.Error("a follow-up sent after closing opened the thread again")
			}
			if left := naming(t, rdb, s, res); len(left) != 2 || left[0] != s.askedKey(res) || left[1] != s.followUpsKey(res) { // the hourly counts end with their hour
				t.Errorf("after closing, the resident is still named in:\n%s", strings.Join(left, "\n"))
			}
		})
	}
}
