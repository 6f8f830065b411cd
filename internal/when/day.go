package when

import (
	"fmt"
	"time"

	"github.com/integrationsagentur-marl/integrabot/internal/agency"
)

// date is a day on the calendar, as staff write it: y 0 while no year is known.
type date struct{ y, m, d int }

func (d date) String() string {
	if d.y == 0 {
		return fmt.Sprintf("%d.%d.", d.d, d.m)
	}
	return fmt.Sprintf("%d.%d.%d", d.d, d.m, d.y)
}

// exists tells whether the day is on the calendar (not 31.11. or 29.2.2027).
func (d date) exists() bool {
	t := d.midnight()
	return t.Day() == d.d && int(t.Month()) == d.m
}

func (d date) midnight() time.Time {
	y := d.y
	if y == 0 {
		y = 2000 // a leap year: 29.2. exists until a year says otherwise
	}
	return time.Date(y, time.Month(d.m), d.d, 0, 0, 0, 0, time.UTC)
}

func (d date) weekday() time.Weekday { return d.midnight().Weekday() }

// add is the day n days later.
func (d date) add(n int) date { return dateOf(d.midnight().AddDate(0, 0, n)) }

func (d date) before(o date) bool { return d.midnight().Before(o.midnight()) }

func dateOf(t time.Time) date { return date{t.Year(), int(t.Month()), t.Day()} }

// clock is a time of day.
type clock struct{ h, m int }

func (c clock) String() string { return fmt.Sprintf("%d:%02d", c.h, c.m) }

func clockOf(t time.Time) clock { return clock{t.Hour(), t.Minute()} }

// at is the time c on day in loc. In spring the clocks skip an hour (in
// Europe/Berlin 2:00 to 3:00 on the last Sunday of March): a time in it does
// not exist and is an error, never moved. In autumn an hour happens twice
// (2:00 to 3:00 on the last Sunday of October): at takes the first one, as
// the content's encounters do (agency.FirstAt holds the rule for both).
func at(day date, c clock, loc *time.Location) (time.Time, error) {
	t := agency.FirstAt(time.Date(day.y, time.Month(day.m), day.d, c.h, c.m, 0, 0, loc))
	if dateOf(t) != day || clockOf(t) != c { // time.Date moved it out of the gap
		later := clock{(c.h + 1) % 24, c.m}
		return time.Time{}, fail([]string{fmt.Sprintf("%s %s Uhr", day, later)},
			"Am %s gibt es %s Uhr nicht: In dieser Nacht wird die Uhr eine Stunde vorgestellt (Sommerzeit).", day, c)
	}
	return t, nil
}

// weekdayNames are the German weekdays, Sunday first as in time.Weekday.
var weekdayNames = [7]string{"Sonntag", "Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag"}

func weekdayName(d time.Weekday) string  { return weekdayNames[d] }
func weekdayShort(d time.Weekday) string { return weekdayNames[d][:2] }

// weekdayWords are the ways staff write a weekday: in full, abbreviated (a
// dot is removed before looking up), and with an s for "every such day".
var weekdayWords = map[string]time.Weekday{}

// weeklyWords are the forms with an s: "dienstags" is every Tuesday.
var weeklyWords = map[string]bool{}

func init() {
	for i, name := range weekdayNames {
		d := time.Weekday(i)
		full := lower(name)
		weekdayWords[full] = d
		weekdayWords[full[:2]] = d
		weekdayWords[full+"s"] = d
		weeklyWords[full+"s"] = true
	}
	weekdayWords["sonnabend"] = time.Saturday
	weekdayWords["sonnabends"] = time.Saturday
	weeklyWords["sonnabends"] = true
}
