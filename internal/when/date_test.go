package when

import (
	"strings"
	"testing"
	"time"
)

// Day reads the last day of a series as staff write it; anything else
// gets an example that works.
func TestDay(t *testing.T) {
	loc := berlin(t)
	now := time.Date(2026, 12, 1, 10, 0, 0, 0, loc)
	day := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, loc) }
	for _, c := range []struct {
		in   string
		want time.Time
		err  string
	}{
		{in: "31.3.2027", want: day(2027, 3, 31)},
		{in: "31.03.27", want: day(2027, 3, 31)},
		{in: "31.3.", want: day(2027, 3, 31)},
		{in: "1.12.", want: day(2026, 12, 1)}, // today
		{in: "heute", want: day(2026, 12, 1)},
		{in: "Mi 31.3.2027", want: day(2027, 3, 31)},
		{in: "30.11.2026", err: "schon vorbei"},
		{in: "Do 31.3.2027", err: "Mittwoch"},
		{in: "31.3.2027 10 Uhr", err: "ohne Uhrzeit"},
		{in: "jeden Dienstag", err: "einzelner Tag"},
		{in: "Dienstag", err: "Datum fehlt"},
		{in: "31.2.2027", err: "gibt es nicht"},
		{in: "bald", err: "31.3.2027"},
	} {
		got, err := Day(c.in, now, loc)
		switch {
		case c.err == "" && (err != nil || !got.Equal(c.want)):
			t.Errorf("%q: %v %v, want %v", c.in, got, err, c.want)
		case c.err != "" && (err == nil || !strings.Contains(err.Error(), c.err) || !strings.Contains(err.Error(), "Bitte so")):
			t.Errorf("%q: error %v, want one with %q and an example", c.in, err, c.err)
		}
	}
}
