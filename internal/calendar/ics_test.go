package calendar

import (
	"strings"
	"testing"
	"time"

	"github.com/integrationsagentur-marl/integrabot/internal/agency"
)

func TestEventIsLocalWithItsZone(t *testing.T) {
	berlin, _ := time.LoadLocation("Europe/Berlin")
	e := &agency.Encounter{ID: "sample-cafe", Place: "Marl, Rathaus", Link: "https://example.org/cafe"}
	for _, tt := range []struct {
		start    time.Time
		dtstart  string
		zoneRule string
	}{
		{time.Date(2026, 12, 1, 15, 0, 0, 0, berlin), "DTSTART;TZID=Europe/Berlin:20261201T150000", "TZOFFSETTO:+0100"},
		{time.Date(2026, 7, 7, 18, 30, 0, 0, berlin), "DTSTART;TZID=Europe/Berlin:20260707T183000", "TZOFFSETTO:+0200"},
	} {
		o := agency.Occurrence{Encounter: e, Start: tt.start, End: tt.start.Add(2 * time.Hour)}
		got := strings.ReplaceAll(string(Event(o, "Sprachcafé", "Deutsch sprechen", tt.start.Add(-time.Hour))), "\r\n", "\n")
		for _, want := range []string{"BEGIN:VCALENDAR", "BEGIN:VTIMEZONE", "TZID:Europe/Berlin", "BEGIN:DAYLIGHT", "BEGIN:STANDARD", tt.zoneRule,
			tt.dtstart, "SUMMARY:Sprachcafé", "LOCATION:Marl\\, Rathaus", "UID:sample-cafe-", "END:VCALENDAR"} {
			if !strings.Contains(got, want) {
				t.Errorf("%v: %q missing in\n%s", tt.start, want, got)
			}
		}
	}
	o := agency.Occurrence{Encounter: e, Start: time.Date(2026, 12, 1, 15, 0, 0, 0, berlin)}
	if a, b := UID(o), UID(o); a != b || a != "sample-cafe-20261201T1400Z@integrabot" {
		t.Errorf("UID %q, %q: want one stable id per occurrence", a, b)
	}
}

// The night the clocks go back, 02:30 happens twice: the weekly 02:30 (one
// hour long) that night starts at the first, as a calendar reads a local
// time given with its TZID, and ends an hour later, at the second 02:30,
// which a local time cannot say: the end is written in UTC.
func TestEventInTheRepeatedAutumnHour(t *testing.T) {
	berlin, _ := time.LoadLocation("Europe/Berlin")
	es, err := agency.ParseEncounters([]byte(`- id: night
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
	os := es[0].Between(time.Date(2026, 10, 24, 12, 0, 0, 0, time.UTC), time.Date(2026, 10, 26, 0, 0, 0, 0, time.UTC))
	if len(os) != 1 {
		t.Fatalf("%d dates on the last Sunday of October", len(os))
	}
	got := strings.ReplaceAll(string(Event(os[0], "Nachtcafé", "", os[0].Start.Add(-time.Hour))), "\r\n", "\n")
	for _, want := range []string{"DTSTART;TZID=Europe/Berlin:20261025T023000\n", "DTEND:20261025T013000Z\n", "UID:night-20261025T0030Z@integrabot"} {
		if !strings.Contains(got, want) {
			t.Errorf("%q missing in\n%s", want, got)
		}
	}
	// an unambiguous end keeps its local time
	o := agency.Occurrence{Encounter: &es[0], Start: os[0].Start, End: os[0].Start.Add(2 * time.Hour)}
	if got := string(Event(o, "Nachtcafé", "", o.Start)); !strings.Contains(got, "DTEND;TZID=Europe/Berlin:20261025T033000") {
		t.Errorf("an end at 03:30 winter time:\n%s", got)
	}
}
