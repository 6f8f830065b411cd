package i18n_test

import (
	"strings"
	"testing"
	"time"
)

// Times are written with 24 hours as on German notices: no AM/PM marker that
// lands on the wrong side of right-to-left text.
func TestClockHas24Hours(t *testing.T) {
	c := catalog(t)
	afternoon := time.Date(2026, 12, 1, 15, 5, 0, 0, time.UTC)
	for _, l := range c.Languages() {
		want := "15:05"
		if l.Code == "fa" {
			want = "۱۵:۰۵"
		}
		if got := c.Clock(l.Code, afternoon); got != want {
			t.Errorf("Clock(%s) = %q, want %q", l.Code, got, want)
		}
	}
}

// Persian text uses Persian digits, also in dates and counts made in code.
func TestPersianDigits(t *testing.T) {
	c := catalog(t)
	day := time.Date(2026, 12, 1, 15, 0, 0, 0, time.UTC)
	for _, got := range []string{c.Date("fa", day), c.Plural("fa", "encounters.upcoming", 3, nil), c.Plural("fa", "encounters.this_week", 2, nil)} {
		if strings.ContainsAny(got, "0123456789") {
			t.Errorf("Latin digits in Persian text %q", got)
		}
		if !strings.ContainsAny(got, "۰۱۲۳۴۵۶۷۸۹") {
			t.Errorf("no Persian digits in %q", got)
		}
	}
	for _, l := range c.Languages() {
		if l.Code == "fa" {
			continue
		}
		if got := c.Date(l.Code, day); strings.ContainsAny(got, "۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩") {
			t.Errorf("Date(%s) = %q: digits of another script", l.Code, got)
		}
	}
}

// Where the CLDR month name is unfamiliar to many readers (Levantine and
// Iraqi Arabic, Dari, Kurmanji), the date also gives the month's number.
func TestMonthNumberWhereNamesAreUnfamiliar(t *testing.T) {
	c := catalog(t)
	day := time.Date(2026, 2, 3, 15, 0, 0, 0, time.UTC)
	for _, tt := range []struct{ lang, want string }{{"ar", "2"}, {"fa", "۲"}, {"ku", "2"}} {
		got := c.Date(tt.lang, day)
		if !strings.Contains(got, tt.want) {
			t.Errorf("Date(%s) = %q, want the month's number %q", tt.lang, got, tt.want)
		}
	}
}
