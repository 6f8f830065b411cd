package agency

import (
	"sort"
	"time"
)

// Occurrence is one date of an encounter.
type Occurrence struct {
	Encounter  *Encounter
	Start, End time.Time
}

// Next returns the first occurrence of e that has not ended at now.
func (e *Encounter) Next(now time.Time) (Occurrence, bool) {
	for i := 0; ; i++ {
		start := e.nth(i)
		if start.Equal(none) {
			continue // a month without that weekday, such as a fifth Tuesday
		}
		if start.IsZero() || (!e.Until.IsZero() && start.After(e.Until)) {
			return Occurrence{}, false
		}
		end := start.Add(e.End.Sub(e.Start))
		if end.After(now) {
			return Occurrence{Encounter: e, Start: start, End: end}, true
		}
		if e.Repeat == Once {
			return Occurrence{}, false
		}
		if i == 0 {
			i = e.skipTo(now) // jump close to now instead of walking years of weeks
		}
	}
}

// none is what nth returns for a month that has no such weekday.
var none = time.Unix(1, 0)

// nth returns the start of the i-th occurrence (0 is the first), none when
// that month has no such date, or zero when the series has no i-th.
func (e *Encounter) nth(i int) time.Time {
	s := e.Start
	switch e.Repeat {
	case Once:
		if i > 0 {
			return time.Time{}
		}
		return s
	case Weekly:
		return s.AddDate(0, 0, 7*i)
	case Biweekly:
		return s.AddDate(0, 0, 14*i)
	case Monthly:
		week := (s.Day() - 1) / 7 // 0: first weekday of its kind in the month
		first := time.Date(s.Year(), s.Month()+time.Month(i), 1, s.Hour(), s.Minute(), s.Second(), 0, s.Location())
		offset := (int(s.Weekday()) - int(first.Weekday()) + 7) % 7
		if d := first.AddDate(0, 0, offset+7*week); d.Month() == first.Month() {
			return d
		}
		return none // a fifth weekday the month does not have: never the next month's first
	}
	return time.Time{}
}

// skipTo returns an occurrence index that starts no later than the first one
// still ahead of now, so that Next need not walk years of weeks.
func (e *Encounter) skipTo(now time.Time) int {
	var n int
	switch e.Repeat {
	case Weekly:
		n = int(now.Sub(e.Start) / (7 * 24 * time.Hour))
	case Biweekly:
		n = int(now.Sub(e.Start) / (14 * 24 * time.Hour))
	case Monthly:
		n = (now.Year()-e.Start.Year())*12 + int(now.Month()) - int(e.Start.Month())
	}
	return max(n-2, 0) // a margin for daylight saving and month lengths
}

// Upcoming lists the next occurrences of all encounters that have not ended at
// now and start before until, soonest first, at most max (0: no limit). A
// recurring encounter appears with its next date only.
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
