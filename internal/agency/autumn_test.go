package agency

import (
	"testing"
	"time"
)

// In Europe/Berlin the hour from 02:00 to 03:00 on the last Sunday of
// October happens twice. An encounter written for 02:30 that night means the
// first 02:30, still in summer time (00:30 UTC), as RFC 5545 and most
// calendars read it; a weekly series across the change keeps 02:30 on the
// wall clock, a week later in winter time.
func TestAutumnRepeatedHourIsTheFirst(t *testing.T) {
	const yaml = `- id: night
  title:
    de: "Nachtcafé"
  description:
    de: "Für Nachtschwärmer"
  place: "Bahnhof"
  start: 2026-10-18T02:30
  end: 2026-10-18T03:30
  repeat: weekly
- id: once
  title:
    de: "Einmal"
  description:
    de: "Nur einmal"
  place: "Bahnhof"
  start: 2026-10-25T02:30
  end: 2026-10-25T03:30
`
	es, err := ParseEncounters([]byte(yaml), berlin, []string{"de"})
	if err != nil {
		t.Fatal(err)
	}
	utc := func(s string) time.Time {
		t.Helper()
		tm, err := time.Parse("2006-01-02 15:04", s)
		if err != nil {
			t.Fatal(err)
		}
		return tm
	}
	once := es[1]
	if want := utc("2026-10-25 00:30"); !once.Start.Equal(want) {
		t.Errorf("02:30 on the night the clocks go back is %v, want the first one, %v", once.Start.UTC(), want)
	}
	if got := once.End.Sub(once.Start); got != 2*time.Hour {
		t.Errorf("02:30 (summer time) to 03:30 (winter time) lasts %v, want 2h", got)
	}
	got := es[0].Between(utc("2026-10-17 00:00"), utc("2026-11-02 00:00"))
	want := []time.Time{utc("2026-10-18 00:30"), utc("2026-10-25 00:30"), utc("2026-11-01 01:30")}
	if len(got) != len(want) {
		t.Fatalf("weekly dates %v, want %v", starts(got), want)
	}
	for i, o := range got {
		if !o.Start.Equal(want[i]) {
			t.Errorf("date %d starts at %v, want %v", i, o.Start.UTC(), want[i])
		}
		if h, m, _ := o.Start.In(berlin).Clock(); h != 2 || m != 30 {
			t.Errorf("date %d is %02d:%02d on the wall clock, want 02:30", i, h, m)
		}
		if d := o.End.Sub(o.Start); d != time.Hour {
			t.Errorf("date %d lasts %v, want the hour the first date lasts", i, d)
		}
	}
	if o, ok := es[0].Next(utc("2026-10-24 12:00")); !ok || !o.Start.Equal(want[1]) {
		t.Errorf("next date after Saturday noon: %v, want %v", o.Start.UTC(), want[1])
	}
}
