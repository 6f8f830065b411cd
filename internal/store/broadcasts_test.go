package store

import (
	"context"
	"errors"
	"testing"
	"time"
)

// A broadcast goes only through the allowed states; a confirmed one is
// recorded once however often it is created.
func TestBroadcastStates(t *testing.T) {
	ctx := context.Background()
	s := newStore(t, realRedis(t))
	now := time.Now()
	b := Broadcast{ID: "x1", Staff: 5, Created: now, Due: now, Topic: "news", Text: "Hallo"}
	if ok, err := s.CreateBroadcast(ctx, b); !ok || err != nil {
		t.Fatalf("create: %v %v", ok, err)
	}
	if ok, _ := s.CreateBroadcast(ctx, b); ok {
		t.Fatal("a second create recorded it again")
	}
	jobs, _ := s.Jobs(ctx)
	if len(jobs) != 2 { // the sending and the progress
		t.Fatalf("jobs %v", jobs)
	}
	for _, step := range []struct {
		to, from string
		ok       bool
	}{
		{BroadcastDone, "", false}, // confirmed cannot be done without running
		{BroadcastRunning, BroadcastConfirmed, true},
		{BroadcastPaused, BroadcastRunning, true},
		{BroadcastPaused, "", false},
		{BroadcastRunning, BroadcastPaused, true},
		{BroadcastCancelled, BroadcastRunning, true},
		{BroadcastRunning, "", false}, // cancelled is final
		{BroadcastCancelled, "", false},
	} {
		from, err := s.TransitionBroadcast(ctx, "x1", step.to, now)
		if step.ok != (err == nil) || (step.ok && from != step.from) || (!step.ok && !errors.Is(err, ErrTransition)) {
			t.Errorf("to %s: from %q err %v, want ok=%v from %q", step.to, from, err, step.ok, step.from)
		}
	}
	got, ok, _ := s.GetBroadcast(ctx, "x1")
	if !ok || got.State != BroadcastCancelled || got.Text != "Hallo" || got.Staff != 5 {
		t.Errorf("record %+v", got)
	}
	if jobs, _ := s.Jobs(ctx); len(jobs) != 1 || jobs[0] != ProgressJob("x1") {
		t.Errorf("after cancelling, jobs %v; want only the progress job", jobs)
	}
	if ttl := s.rdb.TTL(ctx, s.broadcastKey("x1")).Val(); ttl <= 0 || ttl > BroadcastRetention {
		t.Errorf("the record lives %v", ttl)
	}
}

// A broadcast planned for later is not due before its time.
func TestScheduledBroadcastWaits(t *testing.T) {
	ctx := context.Background()
	s := newStore(t, realRedis(t))
	now := time.Now()
	if _, err := s.CreateBroadcast(ctx, Broadcast{ID: "later", Staff: 5, Created: now, Due: now.Add(time.Hour), Topic: "news", Text: "x"}); err != nil {
		t.Fatal(err)
	}
	if j, _ := s.TakeJob(ctx, now.Add(59*time.Minute), time.Minute); j != nil {
		t.Fatalf("taken before its time: %+v", j)
	}
	j, _ := s.TakeJob(ctx, now.Add(time.Hour+time.Second), time.Minute)
	if j == nil || j.ID != BroadcastJob("later") || j.Payload != "later" {
		t.Fatalf("at its time: %+v", j)
	}
}
