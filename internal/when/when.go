// Package when reads dates and times the way German staff type them on a
// phone: "morgen 9 Uhr", "Fr 9:00", "3.12. 16–18 Uhr", "jeden letzten
// Freitag im Monat 18 Uhr".
//
// Moment reads one point in time in the future, for scheduling a broadcast;
// Span reads the date, times and recurrence of an encounter. Both are pure:
// they take the current time and the agency's time zone, and they never
// guess silently. What they cannot read without doubt — a weekday that does
// not match its date, a time already past, a time the clocks skip in spring,
// "jeden 2. Dienstag" without saying "im Monat" — is an *Error that says so
// in plain German, with an example that works.
package when

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// Error is what staff read when their text cannot be taken as a date or
// time: what is wrong, in plain German, and examples of what works.
type Error struct {
	Problem  string   // „Heute 8:00 Uhr ist schon vorbei.“
	Examples []string // „morgen 9 Uhr“, „3.12. 16 Uhr“
}

func (e *Error) Error() string {
	if len(e.Examples) == 0 {
		return e.Problem
	}
	return e.Problem + " Bitte so: „" + strings.Join(e.Examples, "“ oder „") + "“"
}

// fail is an *Error; without examples the caller's usual ones are added.
func fail(examples []string, format string, args ...any) *Error {
	return &Error{Problem: fmt.Sprintf(format, args...), Examples: examples}
}

// withExamples gives an *Error without examples the ones that fit its reader.
func withExamples(err error, examples []string) error {
	var e *Error
	if errors.As(err, &e) && len(e.Examples) == 0 {
		e.Examples = examples
	}
	return err
}

// The examples a Moment's or a Span's error shows unless a better one fits.
var (
	momentExamples = []string{"morgen 9 Uhr", "3.12. 16 Uhr"}
	spanExamples   = []string{"3.12. 16–18 Uhr", "jeden Dienstag 15 Uhr"}
)

// Moment reads one point in time after now, in loc (the agency's time
// zone, such as Europe/Berlin): "morgen 9 Uhr", "morgen um 9", "heute
// 18:30", "übermorgen 10 Uhr", "Fr 9 Uhr" (the next Friday: today if 9 Uhr
// is still to come), "3.12. 16 Uhr" (the next 3 December), "03.12.2026
// 16:00", "3.12.26 16:00", "in 2 Stunden", "in 30 Minuten". A day needs a
// time and a time needs a day. The error, if any, is an *Error.
func Moment(s string, now time.Time, loc *time.Location) (time.Time, error) {
	t, err := moment(s, now, loc)
	return t, withExamples(err, momentExamples)
}

func moment(s string, now time.Time, loc *time.Location) (time.Time, error) {
	r, err := read(s)
	if err != nil {
		return time.Time{}, err
	}
	if r.in > 0 {
		if r.start != nil || r.rel >= 0 || r.date != nil || len(r.days) > 0 || r.recurs() {
			return time.Time{}, fail([]string{"in 2 Stunden", "morgen 9 Uhr"}, "„in …“ geht nur allein, ohne Tag oder Uhrzeit.")
		}
		return now.Add(r.in), nil
	}
	if r.recurs() {
		return time.Time{}, fail(nil, "Hier geht nur ein einzelner Zeitpunkt, keine Wiederholung.")
	}
	if r.end != nil {
		return time.Time{}, fail(nil, "Hier geht nur eine Uhrzeit, keine Spanne von … bis.")
	}
	if r.start == nil {
		return time.Time{}, fail(nil, "Die Uhrzeit fehlt.")
	}
	day, err := r.once(now, loc)
	if err != nil {
		return time.Time{}, err
	}
	return future(day, *r.start, now, loc)
}

// future is the time c on day, which must be after now.
func future(day date, c clock, now time.Time, loc *time.Location) (time.Time, error) {
	t, err := at(day, c, loc)
	if err != nil {
		return time.Time{}, err
	}
	if !t.After(now) {
		return time.Time{}, past(day, c, now, loc)
	}
	return t, nil
}

func past(day date, c clock, now time.Time, loc *time.Location) *Error {
	if today := dateOf(now.In(loc)); day == today {
		return fail(nil, "Heute %s Uhr ist schon vorbei – jetzt ist es %s Uhr.", c, clockOf(now.In(loc)))
	}
	return fail(nil, "Der %s, %s Uhr ist schon vorbei.", day, c)
}
