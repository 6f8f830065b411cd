package when

import (
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/integrationsagentur-marl/integrabot/internal/agency"
)

// reading is what a text says, word by word, before it is checked against
// the calendar: any order is fine ("9 Uhr morgen"), any word not known here
// is an error.
type reading struct {
	rel     int    // days after today: heute 0, morgen 1, übermorgen 2; -1 none
	relWord string // as written, for messages
	days    []time.Weekday
	date    *date
	start   *clock
	end     *clock
	each    bool // "jeden Dienstag", "dienstags", "wöchentlich"
	every   int  // "alle 2 Wochen": weeks between two rounds
	week    int  // "jeden 1. Montag": 1 to 4 or agency.Last
	monthly bool // "im Monat", "monatlich"
	in      time.Duration
}

// recurs tells whether the text asks for a repetition.
func (r *reading) recurs() bool { return r.each || r.every > 0 || r.week != 0 || r.monthly }

var (
	dateRe  = regexp.MustCompile(`^(\d{1,2})\.(\d{1,2})\.(\d{2}|\d{4})?$`)
	dottyRe = regexp.MustCompile(`^(\d{1,2})\.(\d{1,2})$`) // 3.12 is a date, 16.00 a time
	clockRe = regexp.MustCompile(`^(\d{1,2})(?:[:.](\d{2}))?$`)
)

var relWords = map[string]int{"heute": 0, "morgen": 1, "übermorgen": 2, "uebermorgen": 2}

var eachWords = map[string]bool{"jeden": true, "jede": true, "jeder": true, "jedem": true, "wöchentlich": true, "woechentlich": true}

// fillers are words that carry no meaning here: "um 9", "am Dienstag", "von 16 bis 18 Uhr", "ab 3.12.".
var fillers = map[string]bool{"um": true, "am": true, "von": true, "ab": true, "den": true, "und": true, "u.": true, "&": true, "+": true, "uhr": true, "h": true}

var ordinalWords = map[string]int{
	"1.": 1, "2.": 2, "3.": 3, "4.": 4, "5.": 5,
	"erste": 1, "ersten": 1, "erster": 1, "zweite": 2, "zweiten": 2, "zweiter": 2,
	"dritte": 3, "dritten": 3, "dritter": 3, "vierte": 4, "vierten": 4, "vierter": 4,
	"fünfte": 5, "fünften": 5, "fünfter": 5,
	"letzte": agency.Last, "letzten": agency.Last, "letzter": agency.Last,
}

var numberWords = map[string]int{"eine": 1, "einer": 1, "einem": 1, "zwei": 2, "drei": 3, "vier": 4, "fünf": 5, "sechs": 6, "acht": 8, "zehn": 10, "zwölf": 12, "vierzehn": 14}

// maxEvery bounds "alle N Wochen", as the content files do.
const maxEvery = 52

// tokens are the words of s as written, with dashes and "bis" as "-" and
// a unit written together with its number apart: "16–18h" is 16 - 18 h.
func tokens(s string) []string {
	s = strings.NewReplacer("–", "-", "—", "-", "−", "-", ",", " ", "/", " ", "„", " ", "“", " ", "\"", " ").Replace(s)
	s = strings.ReplaceAll(s, "-", " - ")
	var out []string
	for _, f := range strings.Fields(s) {
		if lower(f) == "bis" {
			f = "-"
		}
		for _, unit := range []string{"uhr", "h"} {
			n := len(f) - len(unit)
			if n > 0 && strings.EqualFold(f[n:], unit) && f[n-1] >= '0' && f[n-1] <= '9' {
				out = append(out, f[:n])
				f = unit
				break
			}
		}
		out = append(out, f)
	}
	return out
}

func lower(s string) string { return strings.ToLower(s) }

func number(s string) (int, bool) {
	if n, ok := numberWords[s]; ok {
		return n, true
	}
	n, err := strconv.Atoi(s)
	return n, err == nil && n >= 0 && n < 100000
}

// read reads s word by word.
func read(s string) (*reading, error) {
	ts := tokens(s)
	if len(ts) == 0 {
		return nil, fail(nil, "Da steht noch nichts.")
	}
	r := &reading{rel: -1}
	dash := false
	for i := 0; i < len(ts); i++ {
		t := lower(ts[i])
		next, after := "", ""
		if i+1 < len(ts) {
			next = lower(ts[i+1])
		}
		if i+2 < len(ts) {
			after = lower(ts[i+2])
		}
		day, isDay := weekdayWords[strings.TrimSuffix(t, ".")]
		switch {
		case t == "-":
			if r.start == nil || dash {
				return nil, fail(nil, "Den Strich verstehe ich hier nicht: Er gehört zwischen zwei Uhrzeiten, wie in „16–18 Uhr“.")
			}
			dash = true
		case fillers[t]:
		case isDay:
			if !slices.Contains(r.days, day) {
				r.days = append(r.days, day)
			}
			if weeklyWords[t] {
				r.each = true
			}
		case hasKey(relWords, t):
			if r.rel >= 0 {
				return nil, fail(nil, "„%s“ und „%s“ – bitte nur einen Tag.", r.relWord, t)
			}
			r.rel, r.relWord = relWords[t], t
		case t == "in":
			n, ok := number(next)
			unit := map[string]time.Duration{"minute": time.Minute, "minuten": time.Minute, "min": time.Minute, "min.": time.Minute,
				"stunde": time.Hour, "stunden": time.Hour, "std": time.Hour, "std.": time.Hour, "h": time.Hour}[after]
			if !ok || n == 0 || unit == 0 || r.in > 0 {
				return nil, fail([]string{"in 2 Stunden", "in 30 Minuten"}, "„in …“ braucht eine Zahl und Minuten oder Stunden.")
			}
			r.in = time.Duration(n) * unit
			i += 2
		case eachWords[t]:
			r.each = true
		case t == "alle":
			n, ok := number(next)
			switch {
			case ok && (after == "wochen" || after == "woche"):
			case ok && after == "tage" && n%7 == 0:
				n /= 7
			default:
				return nil, fail([]string{"alle zwei Wochen Mittwoch 14 Uhr"}, "„alle …“ braucht eine Zahl von Wochen.")
			}
			if n < 1 || n > maxEvery {
				return nil, fail([]string{"alle zwei Wochen Mittwoch 14 Uhr"}, "Alle %d Wochen geht nicht: bitte 1 bis %d Wochen.", n, maxEvery)
			}
			r.every = n
			i += 2
		case hasKey(ordinalWords, t):
			n := ordinalWords[t]
			if next == "woche" && n >= 2 && n <= 4 { // "jede zweite Woche"
				r.every = n
				i++
				break
			}
			if n == 5 {
				return nil, fail([]string{"jeden letzten Freitag im Monat 18 Uhr"}, "Einen fünften solchen Wochentag hat nicht jeder Monat.")
			}
			if r.week != 0 {
				return nil, fail([]string{"jeden 1. Montag im Monat 10 Uhr"}, "Bitte nur einen Wochentag im Monat.")
			}
			r.week = n
		case (t == "im" || t == "des") && (next == "monat" || next == "monats"):
			r.monthly = true
			i++
		case t == "monat" || t == "monats" || t == "monatlich":
			r.monthly = true
		case t == "woche" && r.each: // "jede Woche Dienstag"
		default:
			d, isDate, err := dateToken(t, next)
			if err != nil {
				return nil, err
			}
			if isDate {
				if r.date != nil {
					return nil, fail(nil, "Da stehen zwei Daten: %s und %s – bitte nur eins.", r.date, d)
				}
				r.date = &d
				break
			}
			c, isClock, err := clockToken(t)
			if err != nil {
				return nil, err
			}
			if !isClock {
				return nil, fail(nil, "Das Wort „%s“ verstehe ich hier nicht.", ts[i])
			}
			switch {
			case r.start == nil:
				r.start = &c
			case dash && r.end == nil:
				r.end = &c
			default:
				return nil, fail(nil, "Da stehen mehrere Uhrzeiten – bitte eine, oder Anfang und Ende mit Strich wie „16–18 Uhr“.")
			}
		}
	}
	if dash && r.end == nil {
		return nil, fail(nil, "Nach dem Strich fehlt die Uhrzeit, zu der es endet, wie in „16–18 Uhr“.")
	}
	return r, nil
}

func hasKey[V any](m map[string]V, k string) bool {
	_, ok := m[k]
	return ok
}

// dateToken reads "3.12.", "03.12.2026", "3.12.26", and "3.12" when a time
// follows (16.00 alone is a time).
func dateToken(t, next string) (date, bool, error) {
	m := dateRe.FindStringSubmatch(t)
	if m == nil {
		m = dottyRe.FindStringSubmatch(t)
		if m == nil || len(m[2]) == 2 && !clockRe.MatchString(next) {
			return date{}, false, nil
		}
		m = append(m, "")
	}
	d, _ := strconv.Atoi(m[1])
	mo, _ := strconv.Atoi(m[2])
	y := 0
	if m[3] != "" {
		y, _ = strconv.Atoi(m[3])
		if y < 100 {
			y += 2000
		}
	}
	if mo < 1 || mo > 12 || d < 1 || d > 31 {
		if len(m[2]) == 2 && m[3] == "" && !strings.HasSuffix(t, ".") {
			return date{}, false, nil // 16.30: a time after all
		}
		return date{}, false, fail(nil, "Das Datum %s gibt es nicht.", t)
	}
	return date{y, mo, d}, true, nil
}

// clockToken reads "16", "16:00", "16.00" (the units apart already).
func clockToken(t string) (clock, bool, error) {
	m := clockRe.FindStringSubmatch(t)
	if m == nil {
		return clock{}, false, nil
	}
	h, _ := strconv.Atoi(m[1])
	mi := 0
	if m[2] != "" {
		mi, _ = strconv.Atoi(m[2])
	}
	if h > 23 || mi > 59 {
		return clock{}, false, fail(nil, "%s ist keine Uhrzeit: Stunden gehen von 0 bis 23, Minuten von 0 bis 59.", t)
	}
	return clock{h, mi}, true, nil
}

// once is the single day the text names: heute, morgen, übermorgen, a
// weekday (the next one whose time is still to come), a date (the next
// one when it has no year), or a date with its weekday, which must match.
func (r *reading) once(now time.Time, loc *time.Location) (date, error) {
	today := dateOf(now.In(loc))
	if len(r.days) > 1 {
		return date{}, fail(nil, "Da stehen mehrere Wochentage – bitte nur einen.")
	}
	var day date
	switch {
	case r.rel >= 0 && r.date != nil:
		return date{}, fail(nil, "„%s“ und %s – bitte nur einen Tag.", r.relWord, r.date)
	case r.rel >= 0:
		day = today.add(r.rel)
	case r.date != nil:
		var err error
		if day, err = r.firstDate(today); err != nil {
			return date{}, err
		}
	case len(r.days) == 1:
		if r.start == nil {
			return date{}, fail(nil, "Die Uhrzeit fehlt.")
		}
		day = today.add((int(r.days[0]) - int(today.weekday()) + 7) % 7)
		if t, err := at(day, *r.start, loc); err == nil && !t.After(now) {
			day = day.add(7)
		}
		return day, nil
	default:
		return date{}, fail(nil, "Der Tag fehlt.")
	}
	if len(r.days) == 1 && r.days[0] != day.weekday() {
		return date{}, mismatch(day, r.days)
	}
	return day, nil
}

// firstDate is the date written, in its year or else the next year that
// has it not passed (3.1. written in December is next January), or the zero
// date when none is written.
func (r *reading) firstDate(today date) (date, error) {
	if r.date == nil {
		return date{}, nil
	}
	day := *r.date
	if !day.exists() { // checked in a leap year while the year is open
		return date{}, fail(nil, "Den %s gibt es nicht.", day)
	}
	if day.y == 0 {
		day.y = today.y
		if day.before(today) {
			day.y++
		}
	}
	if !day.exists() {
		return date{}, fail(nil, "Den %s gibt es nicht.", day)
	}
	return day, nil
}

// mismatch says that day is not on the weekdays written with it.
func mismatch(day date, written []time.Weekday) *Error {
	names := make([]string, len(written))
	for i, d := range written {
		names[i] = weekdayName(d)
	}
	return fail([]string{weekdayShort(day.weekday()) + " " + day.String()},
		"Der %s ist ein %s, kein %s.", day, weekdayName(day.weekday()), strings.Join(names, " oder "))
}
