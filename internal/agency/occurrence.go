package agency

import (
	"sort"
	"time"

	"github.com/teambition/rrule-go"
)

// Occurrence is one date of an encounter.
type Occurrence struct {
	Encounter  *Encounter
	Start, End time.Time
}

// Next returns the first occurrence of e that has not ended at now: none
// when e is cancelled or its series is over. Excepted dates are skipped.
func (e *Encounter) Next(now time.Time) (Occurrence, bool) {
	var next Occurrence
	found := false
	e.each(now.Add(-e.End.Sub(e.Start)), func(start time.Time) bool {
		if o := e.at(start); o.End.After(now) {
			next, found = o, true
			return false
		}
		return true
	})
	return next, found
}

// Between returns the occurrences of e that start at from or later and
// before to, in order: none when e is cancelled. Excepted dates are left out.
func (e *Encounter) Between(from, to time.Time) []Occurrence {
	var out []Occurrence
	e.each(from, func(start time.Time) bool {
		if !start.Before(to) {
			return false
		}
		out = append(out, e.at(start))
		return true
	})
	return out
}

func (e *Encounter) at(start time.Time) Occurrence {
	return Occurrence{Encounter: e, Start: start, End: start.Add(e.End.Sub(e.Start))}
}

// Interval is how many weeks (weekly) or months (monthly) lie between two
// rounds of e's series; 0 for a single date.
func (e *Encounter) Interval() int {
	switch e.Repeat {
	case Weekly:
		return max(e.Every, 1)
	case Biweekly:
		return 2
	case Monthly:
		return 1
	}
	return 0
}

// RRule is e's recurrence as the value of an RFC 5545 RRULE (without
// DTSTART, which is e.Start in its time zone), such as
// "FREQ=WEEKLY;INTERVAL=2;UNTIL=20270331T215959Z;BYDAY=TU,TH"; "" for a
// single date. Excepted dates are not part of it (they are EXDATEs).
func (e *Encounter) RRule() string {
	if e.Repeat == Once {
		return ""
	}
	o := e.rule()
	return o.RRuleString()
}

// rule is e's recurrence as rrule-go options, without a DTSTART. UNTIL is
// the end of the last day, which rrule-go writes in UTC as RFC 5545 asks
// for a DTSTART with a time zone.
func (e *Encounter) rule() rrule.ROption {
	o := rrule.ROption{Until: e.Until}
	switch e.Repeat {
	case Weekly, Biweekly:
		o.Freq = rrule.WEEKLY
		if n := e.Interval(); n > 1 {
			o.Interval = n
		}
		days := e.Days
		if len(days) == 0 {
			days = []time.Weekday{e.Start.Weekday()}
		}
		for _, d := range days {
			o.Byweekday = append(o.Byweekday, weekdays[d])
		}
	case Monthly:
		o.Freq = rrule.MONTHLY
		week := e.Week
		if week == 0 {
			week = WeekOfMonth(e.Start)
		}
		o.Byweekday = []rrule.Weekday{weekdays[e.Start.Weekday()].Nth(week)}
	}
	return o
}

// weekdays are rrule-go's weekdays by time.Weekday.
var weekdays = [7]rrule.Weekday{rrule.SU, rrule.MO, rrule.TU, rrule.WE, rrule.TH, rrule.FR, rrule.SA}

// WeekOfMonth is which of its kind t's weekday is in its month: 1 for the
// first Tuesday, 5 for a fifth.
func WeekOfMonth(t time.Time) int { return (t.Day()-1)/7 + 1 }

// each calls yield with the start of every date of e that starts at from or
// later, in order, excepted dates left out, until yield returns false or the
// series ends.
//
// rrule-go builds each date from the year, month and day it computes and
// DTSTART's clock time in DTSTART's location, so a 15:00 encounter stays at
// 15:00 local time on either side of a change to or from daylight saving;
// in the hour that happens twice in autumn, it is the first (FirstAt).
func (e *Encounter) each(from time.Time, yield func(start time.Time) bool) {
	if e.Cancelled {
		return
	}
	if e.Repeat == Once {
		if !e.Start.Before(from) {
			yield(e.Start)
		}
		return
	}
	o := e.rule()
	o.Dtstart = e.near(from)
	h, m, sec := e.Start.Clock() // the start's time of day, also when a later DTSTART falls in the spring gap
	o.Byhour, o.Byminute, o.Bysecond = []int{h}, []int{m}, []int{sec}
	r, err := rrule.NewRRule(o)
	if err != nil {
		return // cannot happen for a loaded encounter: the loader checks every value
	}
	next := r.Iterator()
	for start, ok := next(); ok; start, ok = next() {
		start = FirstAt(start) // rrule-go builds it with time.Date, which may take the second of a repeated hour
		if start.Before(from) || e.excepted(start) {
			continue
		}
		if !yield(start) {
			return
		}
	}
}

// near returns a DTSTART for e's rule that keeps in step with e's rounds
// (whole rounds after e.Start) and lies a round or more before from, so that
// the iterator need not walk years of weeks to reach it.
func (e *Encounter) near(from time.Time) time.Time {
	loc := e.Start.Location()
	y, m, d := e.Start.Date()
	fy, fm, fd := from.In(loc).Date()
	switch e.Repeat {
	case Weekly, Biweekly:
		days := int(time.Date(fy, fm, fd, 0, 0, 0, 0, time.UTC).Sub(time.Date(y, m, d, 0, 0, 0, 0, time.UTC)) / (24 * time.Hour))
		step := 7 * e.Interval()
		if k := days/step - 1; k > 0 {
			return e.Start.AddDate(0, 0, k*step)
		}
	case Monthly:
		if months := (fy-y)*12 + int(fm) - int(m) - 1; months > 0 {
			h, min, sec := e.Start.Clock()
			return time.Date(y, m+time.Month(months), 1, h, min, sec, 0, loc)
		}
	}
	return e.Start
}

// excepted tells whether start falls on one of e's excepted dates.
func (e *Encounter) excepted(start time.Time) bool {
	y, m, d := start.In(e.Start.Location()).Date()
	for _, x := range e.Except {
		if xy, xm, xd := x.Date(); xy == y && xm == m && xd == d {
			return true
		}
	}
	return false
}

// Upcoming lists the next occurrences of all encounters that have not ended at
// now and start before until, soonest first, at most max (0: no limit). A
// recurring encounter appears with its next date only; cancelled encounters
// and excepted dates do not appear.
func (c *Content) Upcoming(now, until time.Time, max int) []Occurrence {
	var out []Occurrence
	for i := range c.Encounters {
		o, ok := c.Encounters[i].Next(now)
		if ok && o.Start.Before(until) {
			out = append(out, o)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Start.Before(out[j].Start) })
	if max > 0 && len(out) > max {
		out = out[:max]
	}
	return out
}
