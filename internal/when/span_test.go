package when

import (
	"slices"
	"testing"
	"time"

	"github.com/integrationsagentur-marl/integrabot/internal/agency"
)

func TestSpan(t *testing.T) {
	loc := berlin(t)
	tuesday := time.Date(2026, 12, 1, 10, 0, 0, 0, loc) // Tuesday 1 December 2026, 10:00
	at := func(y int, m time.Month, d, h, min int) time.Time { return time.Date(y, m, d, h, min, 0, 0, loc) }
	tue, wed, thu := time.Tuesday, time.Wednesday, time.Thursday
	tests := []struct {
		in   string
		now  time.Time
		want Schedule
	}{
		// once
		{"Do 3.12. 16 Uhr", tuesday, Schedule{Start: at(2026, 12, 3, 16, 0), End: at(2026, 12, 3, 18, 0), EndGuessed: true}},
		{"di. 8.12. 16 uhr", tuesday, Schedule{Start: at(2026, 12, 8, 16, 0), End: at(2026, 12, 8, 18, 0), EndGuessed: true}},
		{"3.12. 16–18 Uhr", tuesday, Schedule{Start: at(2026, 12, 3, 16, 0), End: at(2026, 12, 3, 18, 0)}},
		{"3.12. 16-18h", tuesday, Schedule{Start: at(2026, 12, 3, 16, 0), End: at(2026, 12, 3, 18, 0)}},
		{"3.12. 16 bis 18 Uhr", tuesday, Schedule{Start: at(2026, 12, 3, 16, 0), End: at(2026, 12, 3, 18, 0)}},
		{"3.12. von 16.00 bis 18.30 Uhr", tuesday, Schedule{Start: at(2026, 12, 3, 16, 0), End: at(2026, 12, 3, 18, 30)}},
		{"3.12 16 – 18", tuesday, Schedule{Start: at(2026, 12, 3, 16, 0), End: at(2026, 12, 3, 18, 0)}},
		{"03.12.2026 16:00–18:00", tuesday, Schedule{Start: at(2026, 12, 3, 16, 0), End: at(2026, 12, 3, 18, 0)}},
		{"3.12.26 16:00—18:00", tuesday, Schedule{Start: at(2026, 12, 3, 16, 0), End: at(2026, 12, 3, 18, 0)}},
		{"morgen 10 bis 12", tuesday, Schedule{Start: at(2026, 12, 2, 10, 0), End: at(2026, 12, 2, 12, 0)}},
		{"3.12. 23 Uhr", tuesday, Schedule{Start: at(2026, 12, 3, 23, 0), End: at(2026, 12, 4, 1, 0), EndGuessed: true}},
		{"3.1. 9–12", time.Date(2026, 12, 20, 10, 0, 0, 0, loc), Schedule{Start: at(2027, 1, 3, 9, 0), End: at(2027, 1, 3, 12, 0)}},
		// weekly
		{"jeden Dienstag 15 Uhr", tuesday, Schedule{Start: at(2026, 12, 1, 15, 0), End: at(2026, 12, 1, 17, 0), EndGuessed: true,
			Repeat: agency.Weekly, Days: []time.Weekday{tue}, Every: 1}},
		{"jeden Dienstag 9 Uhr", tuesday, Schedule{Start: at(2026, 12, 8, 9, 0), End: at(2026, 12, 8, 11, 0), EndGuessed: true,
			Repeat: agency.Weekly, Days: []time.Weekday{tue}, Every: 1}},
		{"jeden Dienstag 15–17 Uhr", tuesday, Schedule{Start: at(2026, 12, 1, 15, 0), End: at(2026, 12, 1, 17, 0),
			Repeat: agency.Weekly, Days: []time.Weekday{tue}, Every: 1}},
		{"jede Woche Di 15-17", tuesday, Schedule{Start: at(2026, 12, 1, 15, 0), End: at(2026, 12, 1, 17, 0),
			Repeat: agency.Weekly, Days: []time.Weekday{tue}, Every: 1}},
		{"mittwochs 14 Uhr", tuesday, Schedule{Start: at(2026, 12, 2, 14, 0), End: at(2026, 12, 2, 16, 0), EndGuessed: true,
			Repeat: agency.Weekly, Days: []time.Weekday{wed}, Every: 1}},
		{"dienstags und donnerstags 9–11 Uhr", tuesday, Schedule{Start: at(2026, 12, 3, 9, 0), End: at(2026, 12, 3, 11, 0),
			Repeat: agency.Weekly, Days: []time.Weekday{tue, thu}, Every: 1}},
		{"jeden Do und Di 11–12", tuesday, Schedule{Start: at(2026, 12, 1, 11, 0), End: at(2026, 12, 1, 12, 0),
			Repeat: agency.Weekly, Days: []time.Weekday{tue, thu}, Every: 1}},
		{"alle zwei Wochen Mittwoch 14 Uhr", tuesday, Schedule{Start: at(2026, 12, 2, 14, 0), End: at(2026, 12, 2, 16, 0), EndGuessed: true,
			Repeat: agency.Weekly, Days: []time.Weekday{wed}, Every: 2}},
		{"alle 3 Wochen Mi 14-16", tuesday, Schedule{Start: at(2026, 12, 2, 14, 0), End: at(2026, 12, 2, 16, 0),
			Repeat: agency.Weekly, Days: []time.Weekday{wed}, Every: 3}},
		{"jede zweite Woche Mittwoch 14-16", tuesday, Schedule{Start: at(2026, 12, 2, 14, 0), End: at(2026, 12, 2, 16, 0),
			Repeat: agency.Weekly, Days: []time.Weekday{wed}, Every: 2}},
		{"alle 14 Tage Mi 14-16", tuesday, Schedule{Start: at(2026, 12, 2, 14, 0), End: at(2026, 12, 2, 16, 0),
			Repeat: agency.Weekly, Days: []time.Weekday{wed}, Every: 2}},
		{"jeden Dienstag ab 15.12. 15 Uhr", tuesday, Schedule{Start: at(2026, 12, 15, 15, 0), End: at(2026, 12, 15, 17, 0), EndGuessed: true,
			Repeat: agency.Weekly, Days: []time.Weekday{tue}, Every: 1}},
		// monthly
		{"jeden 1. Montag im Monat 10 Uhr", tuesday, Schedule{Start: at(2026, 12, 7, 10, 0), End: at(2026, 12, 7, 12, 0), EndGuessed: true,
			Repeat: agency.Monthly, Week: 1}},
		{"jeden ersten Montag im Monat 10-12", tuesday, Schedule{Start: at(2026, 12, 7, 10, 0), End: at(2026, 12, 7, 12, 0),
			Repeat: agency.Monthly, Week: 1}},
		{"jeden 1. Montag 10-12", tuesday, Schedule{Start: at(2026, 12, 7, 10, 0), End: at(2026, 12, 7, 12, 0),
			Repeat: agency.Monthly, Week: 1}},
		{"jeden letzten Freitag im Monat 18 Uhr", tuesday, Schedule{Start: at(2026, 12, 25, 18, 0), End: at(2026, 12, 25, 20, 0), EndGuessed: true,
			Repeat: agency.Monthly, Week: agency.Last}},
		{"jeden letzten Freitag 18-20", tuesday, Schedule{Start: at(2026, 12, 25, 18, 0), End: at(2026, 12, 25, 20, 0),
			Repeat: agency.Monthly, Week: agency.Last}},
		{"jeden 1. Dienstag im Monat 9-11", tuesday, Schedule{Start: at(2027, 1, 5, 9, 0), End: at(2027, 1, 5, 11, 0), // today's has begun
			Repeat: agency.Monthly, Week: 1}},
		{"jeden 3. Mittwoch des Monats 14-16", tuesday, Schedule{Start: at(2026, 12, 16, 14, 0), End: at(2026, 12, 16, 16, 0),
			Repeat: agency.Monthly, Week: 3}},
		{"monatlich am 2. Dienstag 10-12", tuesday, Schedule{Start: at(2026, 12, 8, 10, 0), End: at(2026, 12, 8, 12, 0),
			Repeat: agency.Monthly, Week: 2}},
		{"jeden 2. Montag im Monat ab 11.1. 10-12", tuesday, Schedule{Start: at(2027, 1, 11, 10, 0), End: at(2027, 1, 11, 12, 0),
			Repeat: agency.Monthly, Week: 2}},
	}
	for _, tt := range tests {
		got, err := Span(tt.in, tt.now, loc)
		if err != nil {
			t.Errorf("%q: %v", tt.in, err)
			continue
		}
		if !got.Start.Equal(tt.want.Start) || !got.End.Equal(tt.want.End) || got.EndGuessed != tt.want.EndGuessed ||
			got.Repeat != tt.want.Repeat || !slices.Equal(got.Days, tt.want.Days) || got.Every != tt.want.Every || got.Week != tt.want.Week {
			t.Errorf("%q:\n got %+v\nwant %+v", tt.in, got, tt.want)
		}
		if got.Start.Location() != loc {
			t.Errorf("%q: start in %v, want %v", tt.in, got.Start.Location(), loc)
		}
	}
}

func TestSpanErrors(t *testing.T) {
	loc := berlin(t)
	tuesday := time.Date(2026, 12, 1, 10, 0, 0, 0, loc)
	tests := []struct {
		in   string
		now  time.Time
		want string
	}{
		{"Di 3.12. 16 Uhr", tuesday, "Der 3.12.2026 ist ein Donnerstag, kein Dienstag. Bitte so: „Do 3.12.2026“"},
		{"Di 16 Uhr", tuesday, "Einmal oder jede Woche? Bitte so: „3.12. 16 Uhr“ oder „jeden Dienstag 16 Uhr“"},
		{"Di und Do 3.12. 9 Uhr", tuesday, "Mehrere Wochentage gehen nur mit Wiederholung."},
		{"1.12. 9–11 Uhr", tuesday, "Heute 9:00 Uhr ist schon vorbei – jetzt ist es 10:00 Uhr."},
		{"3.12. 18–16 Uhr", tuesday, "Das Ende (16:00 Uhr) liegt nicht nach dem Anfang (18:00 Uhr)."},
		{"3.12. 16–16 Uhr", tuesday, "Das Ende (16:00 Uhr) liegt nicht nach dem Anfang"},
		{"3.12.", tuesday, "Die Uhrzeit fehlt. Bitte so: „3.12. 16–18 Uhr“ oder „jeden Dienstag 15 Uhr“"},
		{"jeden Dienstag", tuesday, "Die Uhrzeit fehlt."},
		{"jeden 3.12. 9 Uhr", tuesday, "Der Wochentag fehlt."},
		{"jeden Dienstag ab 3.12. 15 Uhr", tuesday, "Der 3.12.2026 ist ein Donnerstag, kein Dienstag."},
		{"montags und mittwochs ab 3.12. 15 Uhr", tuesday, "Der 3.12.2026 ist ein Donnerstag, kein Montag oder Mittwoch."},
		{"jeden Dienstag morgen 9 Uhr", tuesday, "„morgen“ passt nicht zu einer Wiederholung"},
		{"jeden 2. Dienstag 10 Uhr", tuesday, "„jeden 2. Dienstag“: im Monat oder alle 2 Wochen? Bitte so: „jeden 2. Dienstag im Monat 10 Uhr“ oder „alle zwei Wochen Dienstag 10 Uhr“"},
		{"jeden Montag im Monat 10 Uhr", tuesday, "Welcher Montag im Monat – der erste, zweite, dritte, vierte oder letzte?"},
		{"jeden 5. Freitag im Monat 18 Uhr", tuesday, "Einen fünften solchen Wochentag hat nicht jeder Monat. Bitte so: „jeden letzten Freitag im Monat 18 Uhr“"},
		{"jeden 1. und 3. Montag im Monat 10 Uhr", tuesday, "Bitte nur einen Wochentag im Monat."},
		{"jeden 1. Montag und Dienstag im Monat 10 Uhr", tuesday, "Im Monat geht genau ein Wochentag"},
		{"jeden 1. Mittwoch im Monat alle 2 Wochen 10 Uhr", tuesday, "passen nicht zusammen"},
		{"jeden 1. Montag im Monat ab 14.12. 10 Uhr", tuesday, "Der 14.12.2026 ist nicht der erste Montag im Monat. Bitte so: „Mo 7.12.2026“"},
		{"alle 0 Wochen Mi 14 Uhr", tuesday, "Alle 0 Wochen geht nicht: bitte 1 bis 52 Wochen."},
		{"alle Wochen Mi 14 Uhr", tuesday, "„alle …“ braucht eine Zahl von Wochen."},
		{"in 2 Stunden", tuesday, "„in …“ geht hier nicht"},
		{"Kaffee um 3", tuesday, "Das Wort „Kaffee“ verstehe ich hier nicht."},
		// the morning the clocks go forward: reported, never moved or skipped
		{"jeden Sonntag 2:30", time.Date(2027, 3, 22, 10, 0, 0, 0, loc), "Am 28.3.2027 gibt es 2:30 Uhr nicht"},
		{"28.3.2027 1–2:30 Uhr", time.Date(2027, 3, 22, 10, 0, 0, 0, loc), "Am 28.3.2027 gibt es 2:30 Uhr nicht"},
		{"jeden letzten Sonntag im Monat 2:15", time.Date(2027, 3, 22, 10, 0, 0, 0, loc), "Am 28.3.2027 gibt es 2:15 Uhr nicht"},
	}
	for _, tt := range tests {
		got, err := Span(tt.in, tt.now, loc)
		if err == nil {
			t.Errorf("%q: got %+v, want an error", tt.in, got)
			continue
		}
		checkError(t, tt.in, err, tt.want)
	}
}

// An applied schedule gives the encounter the dates staff meant.
func TestApply(t *testing.T) {
	loc := berlin(t)
	tuesday := time.Date(2026, 12, 1, 10, 0, 0, 0, loc)
	tests := []struct {
		in   string
		want []string // the first dates, 2006-01-02 15:04
	}{
		{"3.12. 16–18 Uhr", []string{"2026-12-03 16:00"}},
		{"dienstags und donnerstags 9–11 Uhr", []string{"2026-12-03 09:00", "2026-12-08 09:00", "2026-12-10 09:00"}},
		{"alle zwei Wochen Mittwoch 14 Uhr", []string{"2026-12-02 14:00", "2026-12-16 14:00", "2026-12-30 14:00"}},
		{"jeden letzten Freitag im Monat 18 Uhr", []string{"2026-12-25 18:00", "2027-01-29 18:00", "2027-02-26 18:00"}},
		{"jeden 1. Montag im Monat 10 Uhr", []string{"2026-12-07 10:00", "2027-01-04 10:00", "2027-02-01 10:00"}},
	}
	for _, tt := range tests {
		s, err := Span(tt.in, tuesday, loc)
		if err != nil {
			t.Fatalf("%q: %v", tt.in, err)
		}
		e := agency.Encounter{Until: tuesday.AddDate(0, 1, 0), Except: []time.Time{tuesday}, Repeat: agency.Biweekly, Every: 5, Week: 3}
		s.Apply(&e)
		if !e.Until.IsZero() || e.Except != nil {
			t.Errorf("%q: Until %v and Except %v are left from before", tt.in, e.Until, e.Except)
		}
		var got []string
		for _, o := range e.Between(tuesday, tuesday.AddDate(0, 3, 0)) {
			if len(got) < len(tt.want) {
				got = append(got, o.Start.Format("2006-01-02 15:04"))
			}
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("%q: dates %v, want %v", tt.in, got, tt.want)
		}
	}
}
