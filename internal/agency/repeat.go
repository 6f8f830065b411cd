package agency

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// How staff write the fields of a recurring encounter: repeat, days, every,
// week, until, except and cancelled.

// dayNames are the weekdays staff may write in days, by their short and long English names.
var dayNames = map[string]time.Weekday{
	"mon": time.Monday, "tue": time.Tuesday, "wed": time.Wednesday, "thu": time.Thursday,
	"fri": time.Friday, "sat": time.Saturday, "sun": time.Sunday,
	"monday": time.Monday, "tuesday": time.Tuesday, "wednesday": time.Wednesday, "thursday": time.Thursday,
	"friday": time.Friday, "saturday": time.Saturday, "sunday": time.Sunday,
}

// shortDay is how days names a weekday.
func shortDay(d time.Weekday) string { return strings.ToLower(d.String()[:3]) }

// items are the entries of a list, or a single value written without brackets.
func items(n *yaml.Node, path string) ([]*yaml.Node, []string) {
	if n.Kind != yaml.SequenceNode {
		return []*yaml.Node{n}, []string{path}
	}
	paths := make([]string, len(n.Content))
	for i := range n.Content {
		paths[i] = fmt.Sprintf("%s[%d]", path, i)
	}
	return n.Content, paths
}

// weekdays reads days: [tue, thu], Monday first.
func (r *reader) weekdays(n *yaml.Node, path string) []time.Weekday {
	var out []time.Weekday
	vs, paths := items(n, path)
	if len(vs) == 0 {
		r.fail(n, path, "lists no weekday; write it like days: [tue, thu], or leave it out for the start's weekday")
	}
	for i, v := range vs {
		d, ok := dayNames[strings.ToLower(strings.TrimSpace(v.Value))]
		if v.Kind != yaml.ScalarNode || !ok {
			r.fail(v, paths[i], "%s is not a weekday; write days like [tue, thu], with mon, tue, wed, thu, fri, sat or sun", kindName(v))
			continue
		}
		if !slices.Contains(out, d) {
			out = append(out, d)
		}
	}
	slices.SortFunc(out, func(a, b time.Weekday) int { return (int(a)+6)%7 - (int(b)+6)%7 })
	return out
}

// maxEvery bounds every: a round a year apart is no longer a series residents can follow.
const maxEvery = 52

// every reads every: 3, the number of weeks between two rounds.
func (r *reader) every(n *yaml.Node, path string) int {
	v, err := strconv.Atoi(n.Value)
	if n.Kind != yaml.ScalarNode || err != nil || v < 1 || v > maxEvery {
		r.fail(n, path, "%s is not a number of weeks; write a whole number from 1 to %d, like every: 3 for every third week", kindName(n), maxEvery)
		return 0
	}
	return v
}

// week reads week: 1 to 4 or last.
func (r *reader) week(n *yaml.Node, path string) int {
	s := strings.ToLower(strings.TrimSpace(n.Value))
	if n.Kind == yaml.ScalarNode {
		switch s {
		case "1", "2", "3", "4":
			return int(s[0] - '0')
		case "last":
			return Last
		case "5":
			r.fail(n, path, "not every month has a fifth such weekday; write week: last for the last one of the month")
			return 0
		}
	}
	r.fail(n, path, "%s is not a week of the month; write 1, 2, 3, 4 or last, like week: 2 for the second Tuesday of the month", kindName(n))
	return 0
}

// date reads a local date such as 2027-03-31: midnight in loc, or zero.
func (r *reader) date(n *yaml.Node, path string, loc *time.Location, example string) time.Time {
	if n.Kind == yaml.ScalarNode {
		if d, err := time.ParseInLocation("2006-01-02", n.Value, loc); err == nil {
			return d
		}
	}
	r.fail(n, path, "%s is not a date; write it like %s", kindName(n), example)
	return time.Time{}
}

// dates reads except: [2026-12-24, 2026-12-31], in order, each once.
func (r *reader) dates(n *yaml.Node, path string, loc *time.Location) []time.Time {
	var out []time.Time
	vs, paths := items(n, path)
	for i, v := range vs {
		if d := r.date(v, paths[i], loc, "except: [2026-12-24, 2026-12-31]"); !d.IsZero() && !slices.ContainsFunc(out, d.Equal) {
			out = append(out, d)
		}
	}
	slices.SortFunc(out, func(a, b time.Time) int { return a.Compare(b) })
	return out
}

// boolean reads true or false.
func (r *reader) boolean(n *yaml.Node, path, hint string) bool {
	if n.Kind == yaml.ScalarNode {
		switch strings.ToLower(n.Value) {
		case "true":
			return true
		case "false":
			return false
		}
	}
	r.fail(n, path, "%s is neither true nor false; %s", kindName(n), hint)
	return false
}

var ordinals = map[int]string{1: "first", 2: "second", 3: "third", 4: "fourth", 5: "fifth", Last: "last"}

// recurrence checks that the recurrence fields of e fit together and with
// its start. nodes are the fields given; valid says that the fields which
// make up the dates were read without a problem, so that excepted dates can
// be checked against the series.
func (r *reader) recurrence(e *Encounter, path string, nodes map[string]*yaml.Node, valid bool) {
	at := func(key string) (*yaml.Node, string) { return nodes[key], join(path, key) }
	weekly := e.Repeat == Weekly || e.Repeat == Biweekly
	switch e.Repeat {
	case Once, Weekly, Biweekly, Monthly:
	default:
		n, p := at("repeat")
		r.fail(n, p, "unknown repeat %q; use weekly, biweekly or monthly, like repeat: weekly", e.Repeat)
		return // the other fields depend on it
	}
	start := e.Start
	if n, p := at("days"); n != nil {
		switch {
		case e.Repeat == Monthly:
			r.fail(n, p, "days go with repeat: weekly; a monthly encounter meets on its start's weekday (write week: 2 for the second one of the month)")
		case !weekly:
			r.fail(n, p, "days only make sense with repeat, like repeat: weekly and days: [tue, thu]")
		case !start.IsZero() && len(e.Days) > 0 && !slices.Contains(e.Days, start.Weekday()):
			r.fail(n, p, "the start %s is a %s, which days leaves out; start on one of the days, or add %s",
				start.Format("2006-01-02"), start.Weekday(), shortDay(start.Weekday()))
			valid = false
		}
	}
	if n, p := at("every"); n != nil {
		switch e.Repeat {
		case Weekly:
		case Biweekly:
			r.fail(n, p, "biweekly already means every two weeks; write repeat: weekly with every: 3 for every third week")
		default:
			r.fail(n, p, "every counts weeks and goes with repeat: weekly, like repeat: weekly and every: 3 for every third week")
		}
	}
	if n, p := at("week"); n != nil {
		switch {
		case e.Repeat != Monthly:
			r.fail(n, p, "week goes with repeat: monthly, like repeat: monthly and week: last")
		case !start.IsZero() && e.Week != 0 && !inWeek(start, e.Week):
			suggest := "last"
			if w := WeekOfMonth(start); w <= 4 {
				suggest = strconv.Itoa(w)
			}
			r.fail(n, p, "the start %s is the %s %s of %s, not the %s; start on %s, or write week: %s",
				start.Format("2006-01-02"), ordinals[WeekOfMonth(start)], start.Weekday(), start.Month(), ordinals[e.Week],
				sameWeekday(start, e.Week).Format("2006-01-02"), suggest)
			valid = false
		}
	} else if e.Repeat == Monthly && !start.IsZero() && start.Day() > 28 {
		n, p := at("repeat")
		r.fail(n, p, "monthly repeats the weekday of the month (first to fourth); start on day 1 to 28, or add week: last for the last %s of the month", start.Weekday())
		valid = false
	}
	if n, p := at("until"); n != nil {
		switch {
		case e.Repeat == Once:
			r.fail(n, p, "until only makes sense with repeat, like repeat: weekly and until: 2027-03-31")
		case !e.Until.IsZero() && !start.IsZero() && e.Until.Before(start):
			r.fail(n, p, "the repeat ends before the first date (%s)", start.Format("2006-01-02"))
			valid = false
		}
	}
	n, p := at("except")
	if n == nil {
		return
	}
	if e.Repeat == Once {
		r.fail(n, p, "except only makes sense with repeat; to call off a single date, write cancelled: true")
		return
	}
	if !valid || start.IsZero() {
		return // the series is not known well enough to tell its dates
	}
	vs, paths := items(n, p)
	for i, v := range vs {
		if msg := notInSeries(e, v.Value); msg != "" {
			r.fail(v, paths[i], "%s; leave it out or correct the date", msg)
		}
	}
}

// inWeek tells whether t is the week-th of its weekday in its month (Last: the last one).
func inWeek(t time.Time, week int) bool {
	if week == Last {
		return t.AddDate(0, 0, 7).Month() != t.Month()
	}
	return WeekOfMonth(t) == week
}

// sameWeekday is the date in t's month of the week-th of t's weekday.
func sameWeekday(t time.Time, week int) time.Time {
	first := time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, t.Location())
	d := first.AddDate(0, 0, (int(t.Weekday())-int(first.Weekday())+7)%7)
	if week == Last {
		for d.AddDate(0, 0, 7).Month() == t.Month() {
			d = d.AddDate(0, 0, 7)
		}
		return d
	}
	return d.AddDate(0, 0, 7*(week-1))
}

// notInSeries says why the date written as s (read without a problem) is
// not one of e's dates, or "" when it is one.
func notInSeries(e *Encounter, s string) string {
	day, err := time.ParseInLocation("2006-01-02", s, e.Start.Location())
	if err != nil {
		return ""
	}
	series := *e
	series.Except, series.Cancelled = nil, false
	first := time.Date(e.Start.Year(), e.Start.Month(), e.Start.Day(), 0, 0, 0, 0, e.Start.Location())
	switch {
	case day.Before(first):
		return fmt.Sprintf("%s is before the first date (%s)", s, e.Start.Format("2006-01-02"))
	case !e.Until.IsZero() && day.After(e.Until):
		return fmt.Sprintf("%s is after the repeat ends (until %s)", s, e.Until.Format("2006-01-02"))
	case len(series.Between(day, day.AddDate(0, 0, 1))) > 0:
		return ""
	}
	msg := fmt.Sprintf("%s (a %s) is not a date of this encounter", s, day.Weekday())
	var around []string
	if before := series.Between(day.AddDate(-1, 0, 0), day); len(before) > 0 {
		around = append(around, before[len(before)-1].Start.Format("2006-01-02"))
	}
	if after := series.Between(day, day.AddDate(1, 0, 0)); len(after) > 0 {
		around = append(around, after[0].Start.Format("2006-01-02"))
	}
	switch len(around) {
	case 1:
		msg += "; the nearest is " + around[0]
	case 2:
		msg += "; the dates around it are " + around[0] + " and " + around[1]
	}
	return msg
}
