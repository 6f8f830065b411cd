package when

import (
	"slices"
	"time"

	"github.com/integrationsagentur-marl/integrabot/internal/agency"
)

// DefaultLength is how long an encounter lasts when no end is written.
const DefaultLength = 2 * time.Hour

// Schedule is when an encounter takes place: its first date and how it recurs.
type Schedule struct {
	Start, End time.Time // the first date, in the agency's time zone
	// EndGuessed says that no end was written: End is Start plus
	// DefaultLength, which staff should be shown and asked to confirm.
	EndGuessed bool
	Repeat     agency.Repeat  // agency.Once, agency.Weekly or agency.Monthly
	Days       []time.Weekday // weekly: the weekdays, Monday first
	Every      int            // weekly: weeks between two rounds (1: every week)
	Week       int            // monthly: the weekday of the month, 1 to 4 or agency.Last
}

// Apply gives e this schedule: its start, end and recurrence. Until and
// Except are cleared: a schedule says nothing of them, and dates excepted
// from an earlier series need not be dates of this one.
func (s Schedule) Apply(e *agency.Encounter) {
	e.Start, e.End = s.Start, s.End
	e.Repeat = s.Repeat
	e.Days = slices.Clone(s.Days)
	e.Every = 0
	if s.Every > 1 {
		e.Every = s.Every
	}
	e.Week = s.Week
	e.Until, e.Except = time.Time{}, nil
}

// Span reads when an encounter takes place, in loc (the agency's time
// zone, such as Europe/Berlin):
//
//	once:    "Do 3.12. 16 Uhr" (the weekday must match), "3.12. 16–18 Uhr", "03.12.2026 16:00–18:00", "morgen 10 bis 12"
//	weekly:  "jeden Dienstag 15 Uhr", "dienstags und donnerstags 9–11 Uhr", "alle zwei Wochen Mittwoch 14 Uhr"
//	monthly: "jeden 1. Montag im Monat 10 Uhr", "jeden letzten Freitag im Monat 18 Uhr"
//
// A recurring encounter starts on its next date after now, or on a date
// written with it ("jeden Dienstag ab 8.12. 15 Uhr"). A single weekday
// without "jeden" or a date is an error: once or every week is not guessed.
// The error, if any, is an *Error.
func Span(s string, now time.Time, loc *time.Location) (Schedule, error) {
	sc, err := span(s, now, loc)
	return sc, withExamples(err, spanExamples)
}

func span(s string, now time.Time, loc *time.Location) (Schedule, error) {
	r, err := read(s)
	if err != nil {
		return Schedule{}, err
	}
	if r.in > 0 {
		return Schedule{}, fail(nil, "„in …“ geht hier nicht: bitte Tag und Uhrzeit.")
	}
	if r.start == nil {
		return Schedule{}, fail(nil, "Die Uhrzeit fehlt.")
	}
	if r.recurs() && r.rel >= 0 {
		return Schedule{}, fail([]string{"jeden Dienstag ab 8.12. 15 Uhr"}, "„%s“ passt nicht zu einer Wiederholung: Für den ersten Termin bitte ein Datum.", r.relWord)
	}
	var sc Schedule
	var day date
	switch monthly := r.week != 0 || r.monthly; {
	case monthly:
		day, err = r.monthlyStart(now, loc)
		sc.Repeat, sc.Week = agency.Monthly, r.week
	case r.recurs():
		day, err = r.weeklyStart(now, loc)
		sc.Repeat, sc.Every = agency.Weekly, max(r.every, 1)
		sc.Days = slices.Clone(r.days)
		slices.SortFunc(sc.Days, func(a, b time.Weekday) int { return (int(a)+6)%7 - (int(b)+6)%7 })
	default:
		if len(r.days) > 0 && r.date == nil && r.rel < 0 {
			return Schedule{}, fail([]string{"3.12. 16 Uhr", "jeden Dienstag 16 Uhr"}, "Einmal oder jede Woche?")
		}
		if len(r.days) > 1 {
			return Schedule{}, fail([]string{"dienstags und donnerstags 9–11 Uhr"}, "Mehrere Wochentage gehen nur mit Wiederholung.")
		}
		day, err = r.once(now, loc)
	}
	if err != nil {
		return Schedule{}, err
	}
	if sc.Start, err = future(day, *r.start, now, loc); err != nil {
		return Schedule{}, err
	}
	if r.end == nil {
		sc.End, sc.EndGuessed = sc.Start.Add(DefaultLength), true
		return sc, nil
	}
	if sc.End, err = at(day, *r.end, loc); err != nil {
		return Schedule{}, err
	}
	if !sc.End.After(sc.Start) {
		return Schedule{}, fail([]string{"16–18 Uhr"}, "Das Ende (%s Uhr) liegt nicht nach dem Anfang (%s Uhr).", r.end, r.start)
	}
	return sc, nil
}

// weeklyStart is the first date of a weekly series.
func (r *reading) weeklyStart(now time.Time, loc *time.Location) (date, error) {
	if len(r.days) == 0 {
		return date{}, fail([]string{"jeden Dienstag 15 Uhr", "alle zwei Wochen Mittwoch 14 Uhr"}, "Der Wochentag fehlt.")
	}
	today := dateOf(now.In(loc))
	day, err := r.firstDate(today)
	if err != nil || day != (date{}) {
		if err == nil && !slices.Contains(r.days, day.weekday()) {
			err = mismatch(day, r.days)
		}
		return day, err
	}
	for n := range 8 {
		day = today.add(n)
		if !slices.Contains(r.days, day.weekday()) {
			continue
		}
		if t, err := at(day, *r.start, loc); err != nil || t.After(now) {
			return day, nil // a time the clocks skip is reported, not skipped
		}
	}
	return day, nil // not reached: a week holds every weekday
}

// monthlyStart is the first date of a monthly series: the week-th of its
// weekday in a month.
func (r *reading) monthlyStart(now time.Time, loc *time.Location) (date, error) {
	ex := []string{"jeden 1. Montag im Monat 10 Uhr", "jeden letzten Freitag im Monat 18 Uhr"}
	switch {
	case len(r.days) != 1:
		return date{}, fail(ex, "Im Monat geht genau ein Wochentag, etwa der 1. Montag.")
	case r.week == 0:
		return date{}, fail(ex, "Welcher %s im Monat – der erste, zweite, dritte, vierte oder letzte?", weekdayName(r.days[0]))
	case r.every > 0:
		return date{}, fail(ex, "„alle … Wochen“ und „im Monat“ passen nicht zusammen.")
	case !r.monthly && r.week >= 2 && r.week <= 4:
		// "jeden 2. Dienstag" is the second of the month or every other one
		return date{}, fail([]string{"jeden 2. Dienstag im Monat 10 Uhr", "alle zwei Wochen Dienstag 10 Uhr"},
			"„jeden %d. %s“: im Monat oder alle %d Wochen?", r.week, weekdayName(r.days[0]), r.week)
	}
	today := dateOf(now.In(loc))
	day, err := r.firstDate(today)
	if err != nil {
		return date{}, err
	}
	if day != (date{}) {
		if day.weekday() != r.days[0] {
			return date{}, mismatch(day, r.days)
		}
		if nth := nthWeekday(day.y, day.m, r.days[0], r.week); nth != day {
			return date{}, fail([]string{weekdayShort(nth.weekday()) + " " + nth.String()},
				"Der %s ist nicht der %s %s im Monat.", day, ordinalName(r.week), weekdayName(r.days[0]))
		}
		return day, nil
	}
	y, m := today.y, today.m
	for {
		day = nthWeekday(y, m, r.days[0], r.week)
		if !day.before(today) {
			if t, err := at(day, *r.start, loc); err != nil || t.After(now) {
				return day, nil
			}
		}
		if m++; m > 12 {
			y, m = y+1, 1
		}
	}
}

// nthWeekday is the week-th d in the month (agency.Last: the last one).
func nthWeekday(y, m int, d time.Weekday, week int) date {
	first := date{y, m, 1}
	day := first.add((int(d) - int(first.weekday()) + 7) % 7)
	if week == agency.Last {
		for day.add(7).m == m {
			day = day.add(7)
		}
		return day
	}
	return day.add(7 * (week - 1))
}

func ordinalName(week int) string {
	if week == agency.Last {
		return "letzte"
	}
	return [...]string{"", "erste", "zweite", "dritte", "vierte"}[week]
}
