package agency

import (
	"slices"
	"strings"
	"testing"
	"time"
)

// Every wrong recurrence field is reported with file, line and field, in
// the staff's terms, with an example of what works. The encounter starts on
// Tuesday 2026-12-01 (line 4); the lines given follow from line 6 on.
func TestLoadRecurrenceProblems(t *testing.T) {
	tests := []struct {
		name  string
		start string // default 2026-12-01T15:00
		lines string
		want  string
	}{
		{"unknown weekday", "", "repeat: weekly\n  days: [tue, thi]",
			`encounters.yaml:7: encounters[0].days[1]: "thi" is not a weekday; write days like [tue, thu], with mon, tue, wed, thu, fri, sat or sun`},
		{"no weekday", "", "repeat: weekly\n  days: []", "encounters.yaml:7: encounters[0].days: lists no weekday; write it like days: [tue, thu]"},
		{"days leave out the start", "", "repeat: weekly\n  days: [wed, fri]",
			"encounters.yaml:7: encounters[0].days: the start 2026-12-01 is a Tuesday, which days leaves out; start on one of the days, or add tue"},
		{"days with monthly", "", "repeat: monthly\n  days: [tue]", "encounters.yaml:7: encounters[0].days: days go with repeat: weekly"},
		{"days without repeat", "", "days: [tue]", "encounters.yaml:6: encounters[0].days: days only make sense with repeat, like repeat: weekly and days: [tue, thu]"},
		{"every not a number", "", "repeat: weekly\n  every: two",
			`encounters.yaml:7: encounters[0].every: "two" is not a number of weeks; write a whole number from 1 to 52, like every: 3 for every third week`},
		{"every zero", "", "repeat: weekly\n  every: 0", `encounters.yaml:7: encounters[0].every: "0" is not a number of weeks`},
		{"every with biweekly", "", "repeat: biweekly\n  every: 3", "encounters.yaml:7: encounters[0].every: biweekly already means every two weeks; write repeat: weekly with every: 3"},
		{"every with monthly", "", "repeat: monthly\n  every: 2", "encounters.yaml:7: encounters[0].every: every counts weeks and goes with repeat: weekly"},
		{"unknown week", "", "repeat: monthly\n  week: second",
			`encounters.yaml:7: encounters[0].week: "second" is not a week of the month; write 1, 2, 3, 4 or last, like week: 2`},
		{"fifth week", "", "repeat: monthly\n  week: 5", "encounters.yaml:7: encounters[0].week: not every month has a fifth such weekday; write week: last"},
		{"week with weekly", "", "repeat: weekly\n  week: 2", "encounters.yaml:7: encounters[0].week: week goes with repeat: monthly, like repeat: monthly and week: last"},
		{"start not in the week", "", "repeat: monthly\n  week: 2",
			"encounters.yaml:7: encounters[0].week: the start 2026-12-01 is the first Tuesday of December, not the second; start on 2026-12-08, or write week: 1"},
		{"start not the last", "2026-12-22T15:00", "repeat: monthly\n  week: last",
			"encounters.yaml:7: encounters[0].week: the start 2026-12-22 is the fourth Tuesday of December, not the last; start on 2026-12-29, or write week: 4"},
		{"monthly from day 29", "2026-12-29T15:00", "repeat: monthly",
			"encounters.yaml:6: encounters[0].repeat: monthly repeats the weekday of the month (first to fourth); start on day 1 to 28, or add week: last for the last Tuesday of the month"},
		{"unknown repeat", "", "repeat: daily", `encounters.yaml:6: encounters[0].repeat: unknown repeat "daily"; use weekly, biweekly or monthly, like repeat: weekly`},
		{"bad until", "", "repeat: weekly\n  until: 31.03.2027", `encounters.yaml:7: encounters[0].until: "31.03.2027" is not a date; write it like 2027-03-31`},
		{"until without repeat", "", "until: 2027-03-31", "encounters.yaml:6: encounters[0].until: until only makes sense with repeat, like repeat: weekly and until: 2027-03-31"},
		{"until before start", "", "repeat: weekly\n  until: 2026-11-30", "encounters.yaml:7: encounters[0].until: the repeat ends before the first date (2026-12-01)"},
		{"bad except date", "", "repeat: weekly\n  except: [2026-12-22, 24.12.2026]",
			`encounters.yaml:7: encounters[0].except[1]: "24.12.2026" is not a date; write it like except: [2026-12-24, 2026-12-31]`},
		{"except not a date of the series", "", "repeat: weekly\n  except: [2026-12-23]",
			"encounters.yaml:7: encounters[0].except[0]: 2026-12-23 (a Wednesday) is not a date of this encounter; the dates around it are 2026-12-22 and 2026-12-29; leave it out or correct the date"},
		{"except in the week biweekly skips", "", "repeat: biweekly\n  except:\n    - 2026-12-15\n    - 2026-12-08",
			"encounters.yaml:9: encounters[0].except[1]: 2026-12-08 (a Tuesday) is not a date of this encounter; the dates around it are 2026-12-01 and 2026-12-15"},
		{"except not the first Tuesday", "", "repeat: monthly\n  except: 2027-01-12",
			"encounters.yaml:7: encounters[0].except: 2027-01-12 (a Tuesday) is not a date of this encounter; the dates around it are 2027-01-05 and 2027-02-02"},
		{"except before the start", "", "repeat: weekly\n  except: [2026-11-24]", "encounters.yaml:7: encounters[0].except[0]: 2026-11-24 is before the first date (2026-12-01)"},
		{"except after until, beside a broken one", "", "repeat: weekly\n  until: 2027-01-31\n  except: [2027-02-02, 2027-02]",
			"encounters.yaml:8: encounters[0].except[0]: 2027-02-02 is after the repeat ends (until 2027-01-31)"},
		{"except without repeat", "", "except: [2026-12-01]",
			"encounters.yaml:6: encounters[0].except: except only makes sense with repeat; to call off a single date, write cancelled: true"},
		{"cancelled not true or false", "", "cancelled: yes",
			`encounters.yaml:6: encounters[0].cancelled: "yes" is neither true nor false; write cancelled: true to call off the whole encounter, or leave the field out`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			start := tt.start
			if start == "" {
				start = "2026-12-01T15:00"
			}
			end := start[:len("2026-12-01T")] + "17:00"
			_, err := Load(langs, folder(map[string]string{FileEncounters: encounter("start: " + start + "\n  end: " + end + "\n  " + tt.lines)}))
			if err == nil {
				t.Fatal("Load accepted the broken content")
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error does not say\n%s\nbut\n%v", tt.want, err)
			}
		})
	}
}

// The new fields, written as staff write them, become the encounter's
// recurrence; repeat: weekly, biweekly and monthly keep working alone.
func TestLoadRecurrence(t *testing.T) {
	tests := []struct {
		name  string
		lines string
		check func(t *testing.T, e Encounter)
	}{
		{"weekly alone", "repeat: weekly", func(t *testing.T, e Encounter) {
			if e.Repeat != Weekly || e.Days != nil || e.Every != 0 || e.Interval() != 1 || e.RRule() != "FREQ=WEEKLY;BYDAY=TU" {
				t.Errorf("%+v, %s", e, e.RRule())
			}
		}},
		{"biweekly alone", "repeat: biweekly", func(t *testing.T, e Encounter) {
			if e.Repeat != Biweekly || e.Interval() != 2 {
				t.Errorf("%+v", e)
			}
		}},
		{"days, every, until, except", "repeat: weekly\n  days: [Thursday, tue, thu]\n  every: 2\n  until: 2027-03-31\n  except: [2026-12-31, 2026-12-17, 2026-12-31]", func(t *testing.T, e Encounter) {
			if !slices.Equal(e.Days, []time.Weekday{time.Tuesday, time.Thursday}) || e.Every != 2 {
				t.Errorf("days %v, every %d", e.Days, e.Every)
			}
			if want := time.Date(2027, 3, 31, 23, 59, 59, 999999999, berlin); !e.Until.Equal(want) {
				t.Errorf("until %v, want %v", e.Until, want)
			}
			if len(e.Except) != 2 || !e.Except[0].Equal(time.Date(2026, 12, 17, 0, 0, 0, 0, berlin)) || !e.Except[1].Equal(time.Date(2026, 12, 31, 0, 0, 0, 0, berlin)) {
				t.Errorf("except %v, want 2026-12-17 and 2026-12-31 at midnight, once each", e.Except)
			}
			if got, want := e.RRule(), "FREQ=WEEKLY;INTERVAL=2;UNTIL=20270331T215959Z;BYDAY=TU,TH"; got != want {
				t.Errorf("RRule %q, want %q", got, want)
			}
		}},
		{"days as one value", "repeat: weekly\n  days: tue", func(t *testing.T, e Encounter) {
			if !slices.Equal(e.Days, []time.Weekday{time.Tuesday}) {
				t.Errorf("days %v", e.Days)
			}
		}},
		{"monthly on the first", "repeat: monthly\n  week: 1", func(t *testing.T, e Encounter) {
			if e.Week != 1 || e.RRule() != "FREQ=MONTHLY;BYDAY=+1TU" {
				t.Errorf("week %d, %s", e.Week, e.RRule())
			}
		}},
		{"cancelled", "repeat: weekly\n  cancelled: true", func(t *testing.T, e Encounter) {
			if !e.Cancelled {
				t.Error("not cancelled")
			}
		}},
		{"cancelled: false", "cancelled: false", func(t *testing.T, e Encounter) {
			if e.Cancelled {
				t.Error("cancelled")
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Load(langs, folder(map[string]string{FileEncounters: encounter("start: 2026-12-01T15:00\n  end: 2026-12-01T17:00\n  " + tt.lines)}))
			if err != nil {
				t.Fatal(err)
			}
			tt.check(t, c.Encounters[0])
		})
	}
	// the last Friday: a start that is one, written out
	c, err := Load(langs, folder(map[string]string{FileEncounters: encounter("start: 2027-02-26T18:00\n  end: 2027-02-26T20:00\n  repeat: monthly\n  week: last")}))
	if err != nil {
		t.Fatal(err)
	}
	if e := c.Encounters[0]; e.Week != Last || e.RRule() != "FREQ=MONTHLY;BYDAY=-1FR" {
		t.Errorf("week %d, %s", e.Week, e.RRule())
	}
}
