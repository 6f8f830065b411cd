package when

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func berlin(t *testing.T) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// checkError fails unless err is an *Error whose text holds want and shows
// an example, and reads like German for staff rather than like a program.
func checkError(t *testing.T, input string, err error, want string) {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) {
		t.Errorf("%q: got error %v (%T), want an *Error", input, err, err)
		return
	}
	if !strings.Contains(e.Error(), want) {
		t.Errorf("%q: got %q, want it to hold %q", input, e.Error(), want)
	}
	if len(e.Examples) == 0 {
		t.Errorf("%q: %q shows no example", input, e.Error())
	}
	for _, word := range []string{"parse", "2006", "15:04", "invalid", "error"} {
		if strings.Contains(strings.ToLower(e.Error()), word) {
			t.Errorf("%q: %q speaks of %q", input, e.Error(), word)
		}
	}
}

func TestMoment(t *testing.T) {
	loc := berlin(t)
	tuesday := time.Date(2026, 12, 1, 10, 0, 0, 0, loc) // Tuesday 1 December 2026, 10:00
	day := func(m time.Month, d, h, min int) time.Time { return time.Date(2026, m, d, h, min, 0, 0, loc) }
	tests := []struct {
		in   string
		now  time.Time
		want time.Time
	}{
		{"morgen 9 Uhr", tuesday, day(12, 2, 9, 0)},
		{"morgen um 9", tuesday, day(12, 2, 9, 0)},
		{"Morgen 9h", tuesday, day(12, 2, 9, 0)},
		{"morgen, 9:15 Uhr", tuesday, day(12, 2, 9, 15)},
		{"9 Uhr morgen", tuesday, day(12, 2, 9, 0)},
		{"heute 18:30", tuesday, day(12, 1, 18, 30)},
		{"heute 18.30 Uhr", tuesday, day(12, 1, 18, 30)},
		{"übermorgen 10 Uhr", tuesday, day(12, 3, 10, 0)},
		{"Uebermorgen 10uhr", tuesday, day(12, 3, 10, 0)},
		{"Fr 9 Uhr", tuesday, day(12, 4, 9, 0)},
		{"Freitag 9:00", tuesday, day(12, 4, 9, 0)},
		{"fr. 9.00", tuesday, day(12, 4, 9, 0)},
		{"FREITAG um 9", tuesday, day(12, 4, 9, 0)},
		{"Di 11 Uhr", tuesday, day(12, 1, 11, 0)}, // today, still to come
		{"Di 9 Uhr", tuesday, day(12, 8, 9, 0)},   // today's has passed: next week
		{"am Mittwoch um 8", tuesday, day(12, 2, 8, 0)},
		{"morgen Mi 9 Uhr", tuesday, day(12, 2, 9, 0)}, // both say the same day
		{"3.12. 16 Uhr", tuesday, day(12, 3, 16, 0)},
		{"3.12 16 Uhr", tuesday, day(12, 3, 16, 0)}, // a time follows: 3.12 is a date
		{"16 Uhr am 3.12.", tuesday, day(12, 3, 16, 0)},
		{"Do 3.12. 16 Uhr", tuesday, day(12, 3, 16, 0)},
		{"03.12.2026 16:00", tuesday, day(12, 3, 16, 0)},
		{"3.12.26 16:00", tuesday, day(12, 3, 16, 0)},
		{"1.12. 11 Uhr", tuesday, day(12, 1, 11, 0)},
		{"30.11. 16 Uhr", tuesday, time.Date(2027, 11, 30, 16, 0, 0, 0, loc)}, // passed this year: next year
		{"in 2 Stunden", tuesday, tuesday.Add(2 * time.Hour)},
		{"in 30 Minuten", tuesday, tuesday.Add(30 * time.Minute)},
		{"in 2h", tuesday, tuesday.Add(2 * time.Hour)},
		{"in einer Stunde", tuesday, tuesday.Add(time.Hour)},
		// in December, a date in January is next January
		{"3.1. 9 Uhr", time.Date(2026, 12, 20, 10, 0, 0, 0, loc), time.Date(2027, 1, 3, 9, 0, 0, 0, loc)},
		{"So 3.1. 9 Uhr", time.Date(2026, 12, 20, 10, 0, 0, 0, loc), time.Date(2027, 1, 3, 9, 0, 0, 0, loc)},
		// the morning the clocks go forward: after the gap is fine
		{"28.3. 3:30", time.Date(2027, 3, 20, 10, 0, 0, 0, loc), time.Date(2027, 3, 28, 1, 30, 0, 0, time.UTC)},
		// the night the clocks go back, 2:30 happens twice: the first, still
		// in summer time (+02:00), is taken
		{"25.10. 2:30", time.Date(2026, 10, 20, 10, 0, 0, 0, loc), time.Date(2026, 10, 25, 0, 30, 0, 0, time.UTC)},
		{"25.10. 3:30", time.Date(2026, 10, 20, 10, 0, 0, 0, loc), time.Date(2026, 10, 25, 2, 30, 0, 0, time.UTC)},
	}
	for _, tt := range tests {
		got, err := Moment(tt.in, tt.now, loc)
		if err != nil {
			t.Errorf("%q: %v", tt.in, err)
			continue
		}
		if !got.Equal(tt.want) || got.Location() != loc {
			t.Errorf("%q: got %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestMomentInLocation(t *testing.T) {
	loc := berlin(t)
	got, err := Moment("morgen 9 Uhr", time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC), loc)
	if err != nil {
		t.Fatal(err)
	}
	if got.Location() != loc || got.Hour() != 9 {
		t.Errorf("got %v, want 9:00 in Europe/Berlin", got)
	}
}

func TestMomentErrors(t *testing.T) {
	loc := berlin(t)
	tuesday := time.Date(2026, 12, 1, 10, 0, 0, 0, loc)
	tests := []struct {
		in   string
		now  time.Time
		want string
	}{
		{"heute 8 Uhr", tuesday, "Heute 8:00 Uhr ist schon vorbei – jetzt ist es 10:00 Uhr. Bitte so: „morgen 9 Uhr“ oder „3.12. 16 Uhr“"},
		{"heute 10 Uhr", tuesday, "Heute 10:00 Uhr ist schon vorbei"},
		{"1.12. 9 Uhr", tuesday, "Heute 9:00 Uhr ist schon vorbei"},
		{"3.12.2025 16 Uhr", tuesday, "Der 3.12.2025, 16:00 Uhr ist schon vorbei."},
		{"Mi 3.12. 16 Uhr", tuesday, "Der 3.12.2026 ist ein Donnerstag, kein Mittwoch. Bitte so: „Do 3.12.2026“"},
		{"morgen Do 9 Uhr", tuesday, "Der 2.12.2026 ist ein Mittwoch, kein Donnerstag."},
		{"31.11. 9 Uhr", tuesday, "Den 31.11. gibt es nicht."},
		{"29.2. 9 Uhr", tuesday, "Den 29.2.2027 gibt es nicht."},
		{"3.13. 9 Uhr", tuesday, "Das Datum 3.13. gibt es nicht."},
		{"morgen 25 Uhr", tuesday, "25 ist keine Uhrzeit"},
		{"morgen 9:75", tuesday, "9:75 ist keine Uhrzeit"},
		{"", tuesday, "Da steht noch nichts."},
		{"   ", tuesday, "Da steht noch nichts."},
		{"blabla", tuesday, "Das Wort „blabla“ verstehe ich hier nicht."},
		{"morgen früh 9 Uhr", tuesday, "Das Wort „früh“ verstehe ich hier nicht."},
		{"morgen", tuesday, "Die Uhrzeit fehlt."},
		{"Freitag", tuesday, "Die Uhrzeit fehlt."},
		{"9 Uhr", tuesday, "Der Tag fehlt."},
		{"3.12", tuesday, "Der Tag fehlt."}, // without a dot at the end and a time after it, 3.12 is 3:12
		{"morgen 9–11 Uhr", tuesday, "nur eine Uhrzeit, keine Spanne"},
		{"morgen 9 10", tuesday, "mehrere Uhrzeiten"},
		{"morgen 9 -", tuesday, "Nach dem Strich fehlt die Uhrzeit"},
		{"- 9 Uhr morgen", tuesday, "Den Strich verstehe ich hier nicht"},
		{"jeden Freitag 9 Uhr", tuesday, "keine Wiederholung"},
		{"freitags 9 Uhr", tuesday, "keine Wiederholung"},
		{"Di und Do 9 Uhr", tuesday, "mehrere Wochentage"},
		{"morgen 3.12. 9 Uhr", tuesday, "„morgen“ und 3.12. – bitte nur einen Tag."},
		{"heute morgen 9 Uhr", tuesday, "„heute“ und „morgen“ – bitte nur einen Tag."},
		{"3.12. 4.12. 9 Uhr", tuesday, "zwei Daten"},
		{"morgen in 2 Stunden", tuesday, "„in …“ geht nur allein"},
		{"in zwei Tagen", tuesday, "„in …“ braucht eine Zahl und Minuten oder Stunden. Bitte so: „in 2 Stunden“"},
		{"in 0 Minuten", tuesday, "braucht eine Zahl"},
		// the morning the clocks go forward, 2:00 to 3:00 does not exist
		{"28.3. 2:30", time.Date(2027, 3, 20, 10, 0, 0, 0, loc), "Am 28.3.2027 gibt es 2:30 Uhr nicht: In dieser Nacht wird die Uhr eine Stunde vorgestellt (Sommerzeit). Bitte so: „28.3.2027 3:30 Uhr“"},
		{"So 2 Uhr", time.Date(2027, 3, 27, 10, 0, 0, 0, loc), "Am 28.3.2027 gibt es 2:00 Uhr nicht"},
	}
	for _, tt := range tests {
		got, err := Moment(tt.in, tt.now, loc)
		if err == nil {
			t.Errorf("%q: got %v, want an error", tt.in, got)
			continue
		}
		checkError(t, tt.in, err, tt.want)
	}
}

// Whatever staff type, the answer is a time in the future or an *Error.
func FuzzRead(f *testing.F) {
	for _, s := range []string{"morgen 9 Uhr", "Fr 9:00", "3.12. 16–18 Uhr", "03.12.2026 16:00", "in 30 Minuten",
		"jeden letzten Freitag im Monat 18 Uhr", "alle zwei Wochen Mittwoch 14 Uhr", "dienstags und donnerstags 9–11 Uhr",
		"jeden 2. Montag im Monat ab 11.1. 10-12", "28.3. 2:30", "29.2. 9h", "- bis –", "5. 5. 5."} {
		f.Add(s)
	}
	loc, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		f.Fatal(err)
	}
	now := time.Date(2027, 3, 27, 10, 0, 0, 0, loc)
	f.Fuzz(func(t *testing.T, s string) {
		var e *Error
		if m, err := Moment(s, now, loc); err != nil && !errors.As(err, &e) {
			t.Errorf("Moment(%q): %v is not an *Error", s, err)
		} else if err == nil && !m.After(now) {
			t.Errorf("Moment(%q) = %v, not after %v", s, m, now)
		}
		if sc, err := Span(s, now, loc); err != nil && !errors.As(err, &e) {
			t.Errorf("Span(%q): %v is not an *Error", s, err)
		} else if err == nil && (!sc.Start.After(now) || !sc.End.After(sc.Start)) {
			t.Errorf("Span(%q) = %+v: not after %v, or ends before it starts", s, sc, now)
		}
	})
}
