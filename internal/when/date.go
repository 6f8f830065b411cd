package when

import "time"

var dayExamples = []string{"31.3.2027", "31.3."}

// Day reads a day alone, today or later, in loc: "31.3.2027", "31.3.",
// "morgen", "Mi 31.3.2027". It is midnight of that day in loc. The error,
// if any, is an *Error.
func Day(s string, now time.Time, loc *time.Location) (time.Time, error) {
	t, err := day(s, now, loc)
	return t, withExamples(err, dayExamples)
}

func day(s string, now time.Time, loc *time.Location) (time.Time, error) {
	r, err := read(s)
	if err != nil {
		return time.Time{}, err
	}
	switch {
	case r.in > 0 || r.recurs():
		return time.Time{}, fail(nil, "Hier geht nur ein einzelner Tag.")
	case r.start != nil:
		return time.Time{}, fail(nil, "Hier geht nur ein Tag, ohne Uhrzeit.")
	case r.rel < 0 && r.date == nil:
		return time.Time{}, fail(nil, "Das Datum fehlt.")
	}
	d, err := r.once(now, loc)
	if err != nil {
		return time.Time{}, err
	}
	if d.before(dateOf(now.In(loc))) {
		return time.Time{}, fail(nil, "Der %s ist schon vorbei.", d)
	}
	return time.Date(d.y, time.Month(d.m), d.d, 0, 0, 0, 0, loc), nil
}
