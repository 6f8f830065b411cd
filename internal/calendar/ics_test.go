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
