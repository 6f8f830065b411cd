package reminder_test

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/integrationsagentur-marl/integrabot/internal/deliver"
	"github.com/integrationsagentur-marl/integrabot/internal/reminder"
)

// Replica B committed a reminder of 15:00 and its delivery has just asked
// about that date (for an earlier message). Replica A, running newer
// content, moves the date to 16:00; B, still on the old content, delivers
// the reminder a moment later: it is dropped, and the follower reads only
// the notice of the move. A change committed before a send is seen by
// every replica's delivery, however recently it looked.
func TestChangeOnOneReplicaDropsReminderQueuedOnAnother(t *testing.T) {
	e := newEnv(t)
	// dates in the real future: delivery drops a reminder of a date begun by the real clock
	start := time.Now().In(berlin).Truncate(time.Minute).Add(3 * time.Hour)
	moved := café(start.Add(time.Hour))
	moved.Repeat = ""
	old := café(start)
	old.Repeat = ""
	e.follow(1, "en", "e:cafe")
	b := e.runner(e.source(local(2026, 12, 1, 0, 0), old), reminder.Options{})
	a := e.runner(e.source(local(2026, 12, 2, 0, 0), moved), reminder.Options{})
	now := start.Add(-2*time.Hour - time.Minute)
	e.plan(b, now)
	if n := e.pass(b, start.Add(-2*time.Hour)); n != 1 {
		t.Fatalf("%d reminders committed, want 1", n)
	}
	if !b.Stands(e.ctx, "cafe", start) { // B's delivery looks, as for an earlier reminder
		t.Fatal("the date does not stand before it moved")
	}
	e.plan(a, start.Add(-2*time.Hour)) // A moves it: the notice is planned, then committed
	if n := e.pass(a, start.Add(-2*time.Hour)); n != 1 {
		t.Fatalf("%d notices of the move committed, want 1", n)
	}

	out := &recorder{}
	lim := deliver.Limits{Rate: 400, BulkRate: 400, Burst: 4, PerChat: time.Millisecond, Group: time.Millisecond, MaxTries: 3, Workers: 2}
	d := deliver.New(e.store, out, lim, time.Minute, time.Second, b.Stands, slog.New(slog.NewTextHandler(io.Discard, nil)), nil)
	ctx, cancel := context.WithCancel(e.ctx)
	done := make(chan struct{})
	go func() { _ = d.Run(ctx); close(done) }()
	defer func() { cancel(); <-done }()
	for deadline := time.Now().Add(10 * time.Second); len(out.texts()) == 0 || len(e.inbox(1)) > 0; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("not delivered: sent %q, waiting %q", out.texts(), e.inbox(1))
		}
	}
	got := out.texts()
	if len(got) != 1 || !strings.Contains(text(t, got[0]), "has a new time") {
		t.Fatalf("want the notice of the move alone, got %d messages:\n%q", len(got), got)
	}
}

// BenchmarkStands is what delivery pays before it sends a reminder: asking
// whether its date stands (Runner.Stands), against the Redis on 127.0.0.1,
// for a weekly encounter (its plan lists the two dates within the horizon).
// It reports ns/op, the CPU it took here and in Redis per call
// (cpu-us/op, redis-cpu-us/op; Redis's counts whoever else asks it
// meanwhile) and Redis round trips per call.
//
//	go test -run XXX -bench Stands ./internal/reminder
func BenchmarkStands(b *testing.B) {
	e := newEnv(b)
	start := time.Now().In(berlin).Truncate(time.Minute).Add(3 * time.Hour)
	r := e.runner(e.source(local(2026, 12, 1, 0, 0), café(start)), reminder.Options{})
	e.plan(r, time.Now())
	trips := &roundTrips{}
	e.rdb.AddHook(trips)
	cpu, redisBefore := processCPU(), redisCPU(b, e.rdb)
	b.ResetTimer()
	for range b.N {
		if !r.Stands(e.ctx, "cafe", start) {
			b.Fatal("the date does not stand")
		}
	}
	b.StopTimer()
	n := float64(b.N)
	b.ReportMetric(float64((processCPU()-cpu).Microseconds())/n, "cpu-us/op")
	b.ReportMetric(float64((redisCPU(b, e.rdb)-redisBefore).Microseconds())/n, "redis-cpu-us/op")
	b.ReportMetric(float64(trips.n.Load())/n, "trips/op")
}
