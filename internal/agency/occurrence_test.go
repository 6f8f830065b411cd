package agency

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/teambition/rrule-go"
)

var berlin = mustZone("Europe/Berlin")

func mustZone(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

// local is a local time in Berlin, written like 2026-12-01 15:00 (or a date alone: midnight).
func local(t *testing.T, s string) time.Time {
	t.Helper()
	layout := "2006-01-02 15:04"
	if len(s) == len("2006-01-02") {
		layout = "2006-01-02"
	}
	tm, err := time.ParseInLocation(layout, s, berlin)
	if err != nil {
		t.Fatal(err)
	}
	return tm
}

// series is a two-hour encounter starting at start (local Berlin time).
func series(t *testing.T, start string, set func(e *Encounter)) *Encounter {
	s := local(t, start)
	e := &Encounter{ID: "x", Start: s, End: s.Add(2 * time.Hour)}
	set(e)
	return e
}

func starts(os []Occurrence) []string {
	var out []string
	for _, o := range os {
		out = append(out, o.Start.Format("2006-01-02 15:04 -0700"))
	}
	return out
}

// Each pattern gives the dates staff mean, at the local time they wrote, on
// either side of a change to or from daylight saving.
func TestBetween(t *testing.T) {
	tests := []struct {
		name     string
		e        *Encounter
		from, to string
		want     []string
	}{
		{"weekly over the March change (Sunday 2027-03-28)",
			series(t, "2027-03-16 15:00", func(e *Encounter) { e.Repeat = Weekly }), "2027-03-01", "2027-04-07",
			[]string{"2027-03-16 15:00 +0100", "2027-03-23 15:00 +0100", "2027-03-30 15:00 +0200", "2027-04-06 15:00 +0200"}},
		{"weekly on the Sunday of the March change",
			series(t, "2027-03-21 15:00", func(e *Encounter) { e.Repeat = Weekly }), "2027-03-01", "2027-04-05",
			[]string{"2027-03-21 15:00 +0100", "2027-03-28 15:00 +0200", "2027-04-04 15:00 +0200"}},
		{"weekly over the October change (Sunday 2026-10-25)",
			series(t, "2026-10-13 15:00", func(e *Encounter) { e.Repeat = Weekly; e.Days = []time.Weekday{time.Tuesday, time.Sunday} }), "2026-10-01", "2026-10-28",
			[]string{"2026-10-13 15:00 +0200", "2026-10-18 15:00 +0200", "2026-10-20 15:00 +0200", "2026-10-25 15:00 +0100", "2026-10-27 15:00 +0100"}},
		{"biweekly over the October change",
			series(t, "2026-10-11 15:00", func(e *Encounter) { e.Repeat = Biweekly }), "2026-10-01", "2026-11-09",
			[]string{"2026-10-11 15:00 +0200", "2026-10-25 15:00 +0100", "2026-11-08 15:00 +0100"}},
		{"monthly last Sunday, both changes",
			series(t, "2026-09-27 15:00", func(e *Encounter) { e.Repeat = Monthly; e.Week = Last }), "2026-09-01", "2027-04-01",
			[]string{"2026-09-27 15:00 +0200", "2026-10-25 15:00 +0100", "2026-11-29 15:00 +0100", "2026-12-27 15:00 +0100",
				"2027-01-31 15:00 +0100", "2027-02-28 15:00 +0100", "2027-03-28 15:00 +0200"}},
		{"weekly on two days",
			series(t, "2026-12-01 15:00", func(e *Encounter) { e.Repeat = Weekly; e.Days = []time.Weekday{time.Tuesday, time.Thursday} }), "2026-12-01", "2026-12-11",
			[]string{"2026-12-01 15:00 +0100", "2026-12-03 15:00 +0100", "2026-12-08 15:00 +0100", "2026-12-10 15:00 +0100"}},
		{"every three weeks",
			series(t, "2026-12-01 15:00", func(e *Encounter) { e.Repeat = Weekly; e.Every = 3 }), "2026-12-01", "2027-02-03",
			[]string{"2026-12-01 15:00 +0100", "2026-12-22 15:00 +0100", "2027-01-12 15:00 +0100", "2027-02-02 15:00 +0100"}},
		{"every two weeks on two days",
			series(t, "2026-12-01 15:00", func(e *Encounter) {
				e.Repeat = Weekly
				e.Every = 2
				e.Days = []time.Weekday{time.Tuesday, time.Thursday}
			}), "2026-12-01", "2026-12-31",
			[]string{"2026-12-01 15:00 +0100", "2026-12-03 15:00 +0100", "2026-12-15 15:00 +0100", "2026-12-17 15:00 +0100", "2026-12-29 15:00 +0100"}},
		{"monthly second Tuesday",
			series(t, "2026-12-08 15:00", func(e *Encounter) { e.Repeat = Monthly }), "2026-12-01", "2027-04-01",
			[]string{"2026-12-08 15:00 +0100", "2027-01-12 15:00 +0100", "2027-02-09 15:00 +0100", "2027-03-09 15:00 +0100"}},
		{"monthly second Tuesday, written out",
			series(t, "2026-12-08 15:00", func(e *Encounter) { e.Repeat = Monthly; e.Week = 2 }), "2027-01-01", "2027-02-01",
			[]string{"2027-01-12 15:00 +0100"}},
		{"monthly last Friday",
			series(t, "2026-12-25 18:00", func(e *Encounter) { e.Repeat = Monthly; e.Week = Last }), "2026-12-01", "2027-05-01",
			[]string{"2026-12-25 18:00 +0100", "2027-01-29 18:00 +0100", "2027-02-26 18:00 +0100", "2027-03-26 18:00 +0100", "2027-04-30 18:00 +0200"}},
		{"a fifth Tuesday skips months without one, never slides into the next",
			series(t, "2026-12-29 15:00", func(e *Encounter) { e.Repeat = Monthly }), "2026-12-01", "2027-09-01",
			[]string{"2026-12-29 15:00 +0100", "2027-03-30 15:00 +0200", "2027-06-29 15:00 +0200", "2027-08-31 15:00 +0200"}},
		{"until takes in the whole last day",
			series(t, "2026-12-01 23:00", func(e *Encounter) { e.Repeat = Weekly; e.Until = endOfDay(local(t, "2026-12-15")) }), "2026-12-01", "2027-01-31",
			[]string{"2026-12-01 23:00 +0100", "2026-12-08 23:00 +0100", "2026-12-15 23:00 +0100"}},
		{"excepted dates left out",
			series(t, "2026-12-01 15:00", func(e *Encounter) {
				e.Repeat = Weekly
				e.Days = []time.Weekday{time.Tuesday, time.Thursday}
				e.Except = []time.Time{local(t, "2026-12-24"), local(t, "2026-12-29"), local(t, "2026-12-31")}
			}), "2026-12-20", "2027-01-08",
			[]string{"2026-12-22 15:00 +0100", "2027-01-05 15:00 +0100", "2027-01-07 15:00 +0100"}},
		{"cancelled: none",
			series(t, "2026-12-01 15:00", func(e *Encounter) { e.Repeat = Weekly; e.Cancelled = true }), "2026-12-01", "2027-01-01", nil},
		{"a single date inside", series(t, "2026-12-10 14:00", func(*Encounter) {}), "2026-12-01", "2026-12-11", []string{"2026-12-10 14:00 +0100"}},
		{"a single date outside", series(t, "2026-12-10 14:00", func(*Encounter) {}), "2026-12-11", "2026-12-31", nil},
		{"a cancelled single date", series(t, "2026-12-10 14:00", func(e *Encounter) { e.Cancelled = true }), "2026-12-01", "2026-12-31", nil},
		{"from is inclusive", series(t, "2026-12-01 15:00", func(e *Encounter) { e.Repeat = Weekly }), "2026-12-08 15:00", "2026-12-16",
			[]string{"2026-12-08 15:00 +0100", "2026-12-15 15:00 +0100"}},
		{"to is exclusive", series(t, "2026-12-01 15:00", func(e *Encounter) { e.Repeat = Weekly }), "2026-12-02", "2026-12-15 15:00",
			[]string{"2026-12-08 15:00 +0100"}},
		{"a date under way at from is not in it", series(t, "2026-12-01 15:00", func(e *Encounter) { e.Repeat = Weekly }), "2026-12-08 16:00", "2026-12-15",
			nil},
		{"from before the first date", series(t, "2026-12-01 15:00", func(e *Encounter) { e.Repeat = Weekly }), "2026-01-01", "2026-12-02",
			[]string{"2026-12-01 15:00 +0100"}},
		{"an empty range", series(t, "2026-12-01 15:00", func(e *Encounter) { e.Repeat = Weekly }), "2026-12-20", "2026-12-10", nil},
		{"years later", series(t, "2026-12-01 15:00", func(e *Encounter) { e.Repeat = Weekly; e.Every = 3 }), "2036-06-01", "2036-06-30",
			[]string{"2036-06-17 15:00 +0200"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := starts(tt.e.Between(local(t, tt.from), local(t, tt.to)))
			if !slices.Equal(got, tt.want) {
				t.Errorf("got  %q\nwant %q", got, tt.want)
			}
			for _, o := range tt.e.Between(local(t, tt.from), local(t, tt.to)) {
				if o.Encounter != tt.e || o.End.Sub(o.Start) != 2*time.Hour {
					t.Errorf("%v: encounter %p, lasts %v; want %p, 2h", o.Start, o.Encounter, o.End.Sub(o.Start), tt.e)
				}
			}
		})
	}
}

func endOfDay(day time.Time) time.Time { return day.AddDate(0, 0, 1).Add(-time.Nanosecond) }

// Between and Next start the rule near the range asked for: the dates must
// be those of the rule started at the first date, month after month.
func TestLaterStartKeepsInStep(t *testing.T) {
	for _, e := range []*Encounter{
		series(t, "2026-12-01 15:00", func(e *Encounter) {
			e.Repeat = Weekly
			e.Every = 3
			e.Days = []time.Weekday{time.Monday, time.Tuesday, time.Sunday}
		}),
		series(t, "2026-12-06 02:30", func(e *Encounter) { e.Repeat = Biweekly }), // Sundays at 02:30 meet the spring gap
		series(t, "2026-12-29 15:00", func(e *Encounter) { e.Repeat = Monthly }),
		series(t, "2026-12-25 18:00", func(e *Encounter) { e.Repeat = Monthly; e.Week = Last }),
	} {
		whole := e.Between(e.Start, e.Start.AddDate(5, 0, 0))
		var pieces []Occurrence
		for m := range 60 {
			pieces = append(pieces, e.Between(e.Start.AddDate(0, m, 0), e.Start.AddDate(0, m+1, 0))...)
		}
		if !slices.Equal(starts(whole), starts(pieces)) {
			t.Errorf("%s: month by month\n%q\nwhole\n%q", e.RRule(), starts(pieces), starts(whole))
		}
		r, _ := rrule.StrToRRule("DTSTART;TZID=Europe/Berlin:" + e.Start.Format("20060102T150405") + "\nRRULE:" + e.RRule())
		var ref []string
		for _, s := range r.Between(e.Start.Add(-time.Second), e.Start.AddDate(5, 0, 0), false) {
			ref = append(ref, s.Format("2006-01-02 15:04 -0700"))
		}
		if got := starts(whole); !slices.Equal(got, ref) {
			t.Errorf("%s: dates differ from the RRULE's own\n%q\n%q", e.RRule(), got, ref)
		}
	}
}

func TestRRule(t *testing.T) {
	tests := []struct {
		name string
		e    *Encounter
		want string
	}{
		{"single date", series(t, "2026-12-10 14:00", func(*Encounter) {}), ""},
		{"weekly", series(t, "2026-12-01 15:00", func(e *Encounter) { e.Repeat = Weekly }), "FREQ=WEEKLY;BYDAY=TU"},
		{"biweekly", series(t, "2026-12-01 15:00", func(e *Encounter) { e.Repeat = Biweekly }), "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU"},
		{"every two weeks on two days until", series(t, "2026-12-01 15:00", func(e *Encounter) {
			e.Repeat, e.Every, e.Days, e.Until = Weekly, 2, []time.Weekday{time.Tuesday, time.Thursday}, endOfDay(local(t, "2027-03-31"))
		}), "FREQ=WEEKLY;INTERVAL=2;UNTIL=20270331T215959Z;BYDAY=TU,TH"},
		{"until in winter", series(t, "2026-12-01 15:00", func(e *Encounter) { e.Repeat, e.Until = Weekly, endOfDay(local(t, "2027-01-31")) }),
			"FREQ=WEEKLY;UNTIL=20270131T225959Z;BYDAY=TU"},
		{"monthly first Saturday", series(t, "2026-12-05 10:00", func(e *Encounter) { e.Repeat = Monthly }), "FREQ=MONTHLY;BYDAY=+1SA"},
		{"monthly last Friday", series(t, "2026-12-25 18:00", func(e *Encounter) { e.Repeat, e.Week = Monthly, Last }), "FREQ=MONTHLY;BYDAY=-1FR"},
		{"excepted dates are not part of it", series(t, "2026-12-01 15:00", func(e *Encounter) { e.Repeat, e.Except = Weekly, []time.Time{local(t, "2026-12-08")} }),
			"FREQ=WEEKLY;BYDAY=TU"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.e.RRule()
			if got != tt.want {
				t.Errorf("RRule() = %q, want %q", got, tt.want)
			}
			if got != "" && strings.Contains(got, "DTSTART") {
				t.Errorf("RRule() = %q carries DTSTART", got)
			}
		})
	}
}

// Next and Upcoming skip excepted dates and cancelled encounters.
func TestNextSkipsExceptedAndCancelled(t *testing.T) {
	cafe := series(t, "2026-12-01 15:00", func(e *Encounter) {
		e.ID, e.Repeat = "cafe", Weekly
		e.Except = []time.Time{local(t, "2026-12-22"), local(t, "2026-12-29")}
	})
	if o, ok := cafe.Next(local(t, "2026-12-20 10:00")); !ok || !o.Start.Equal(local(t, "2027-01-05 15:00")) {
		t.Errorf("next after excepted dates = %v (%v), want 2027-01-05 15:00", o.Start, ok)
	}
	if o, ok := cafe.Next(local(t, "2026-12-15 16:00")); !ok || !o.Start.Equal(local(t, "2026-12-15 15:00")) {
		t.Errorf("a date under way = %v (%v), want it shown until it ends", o.Start, ok)
	}
	gone := series(t, "2026-12-02 15:00", func(e *Encounter) { e.ID, e.Repeat, e.Cancelled = "gone", Weekly, true })
	if o, ok := gone.Next(local(t, "2026-12-01 10:00")); ok {
		t.Errorf("a cancelled encounter has a next date: %v", o.Start)
	}
	single := series(t, "2026-12-03 15:00", func(e *Encounter) { e.ID = "single" })
	c := &Content{Location: berlin, Encounters: []Encounter{*gone, *cafe, *single}}
	var ids []string
	for _, o := range c.Upcoming(local(t, "2026-12-20 10:00"), local(t, "2027-02-01"), 0) {
		ids = append(ids, o.Encounter.ID+" "+o.Start.Format("2006-01-02"))
	}
	if want := []string{"cafe 2027-01-05"}; !slices.Equal(ids, want) {
		t.Errorf("upcoming = %q, want %q", ids, want)
	}
	ids = nil
	for _, o := range c.Upcoming(local(t, "2026-12-01 10:00"), local(t, "2027-02-01"), 0) {
		ids = append(ids, o.Encounter.ID+" "+o.Start.Format("2006-01-02"))
	}
	if want := []string{"cafe 2026-12-01", "single 2026-12-03"}; !slices.Equal(ids, want) {
		t.Errorf("upcoming = %q, want %q", ids, want)
	}
}
