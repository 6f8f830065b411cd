package reminder_test

import (
	"strings"
	"testing"
	"time"

	"github.com/integrationsagentur-marl/integrabot/internal/agency"
	"github.com/integrationsagentur-marl/integrabot/internal/reminder"
)

// A weekly encounter at 02:30 on Sundays, across the night the clocks go
// back (the last Sunday of October, when 02:30 happens twice): that night's
// date is the first 02:30 (summer time, 00:30 UTC), and its reminders are
// due 24 and 2 real hours before that instant; the next week's date is at
// 02:30 again, winter time.
func TestAutumnRepeatedHourReminders(t *testing.T) {
	e := newEnv(t)
	es, err := agency.ParseEncounters([]byte(`- id: cafe
  title:
    de: "Nachtcafé"
  description:
    de: "Für Nachtschwärmer"
  place: "Bahnhof"
  start: 2026-10-18T02:30
  end: 2026-10-18T03:30
  repeat: weekly
`), berlin, []string{"de"})
	if err != nil {
		t.Fatal(err)
	}
	utc := func(d, h, m int) time.Time { return time.Date(2026, 10, d, h, m, 0, 0, time.UTC) }
	r := e.runner(e.source(utc(1, 0, 0), es[0]), reminder.Options{})
	e.follow(1, "de", "e:cafe")
	e.plan(r, utc(20, 12, 0))
	for _, due := range []time.Time{
		utc(24, 0, 30),  // 24 h before 00:30 UTC on the 25th: Saturday 02:30 summer time
		utc(24, 22, 30), // 2 h before: Sunday 00:30 summer time
		utc(31, 1, 30),  // 24 h before the next Sunday's 02:30 winter time (01:30 UTC)
	} {
		if n := e.pass(r, due.Add(-time.Second)); n != 0 {
			t.Fatalf("%d reminders a second before %v", n, due)
		}
		if n := e.pass(r, due); n != 1 {
			t.Fatalf("%d reminders at %v, want 1", n, due)
		}
		e.plan(r, due.Add(time.Minute))
	}
	got := e.inbox(1)
	if len(got) != 3 {
		t.Fatalf("%d reminders, want 3", len(got))
	}
	for i, m := range got {
		if !strings.Contains(m, "02:30") {
			t.Errorf("reminder %d does not say 02:30: %q", i, m)
		}
	}
}
