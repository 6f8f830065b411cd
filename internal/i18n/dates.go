package i18n

import (
	"strconv"
	"strings"
	"time"

	"github.com/go-playground/locales"
	"github.com/go-playground/locales/ar"
	"github.com/go-playground/locales/bg"
	"github.com/go-playground/locales/de"
	"github.com/go-playground/locales/en"
	"github.com/go-playground/locales/fa"
	"github.com/go-playground/locales/ku"
	"github.com/go-playground/locales/pl"
	"github.com/go-playground/locales/ro"
	"github.com/go-playground/locales/ru"
	"github.com/go-playground/locales/tr"
	"github.com/go-playground/locales/uk"
)

// cldrLocales are the CLDR locales languages.yaml may name.
var cldrLocales = map[string]func() locales.Translator{
	"ar": ar.New, "bg": bg.New, "de": de.New, "en": en.New, "fa": fa.New, "ku": ku.New,
	"pl": pl.New, "ro": ro.New, "ru": ru.New, "tr": tr.New, "uk": uk.New,
}

// Date writes a day the way the language does ("Dienstag, 1. Dezember",
// "вівторок, 1 грудня"): CLDR names for weekday and month, the order from the
// message date.day that translators control. {{.MonthNumber}} lets a
// language add the month's number where the CLDR name is unfamiliar to many
// of its readers. Numbers are in the language's digits.
func (c *Catalog) Date(lang string, t time.Time) string {
	tr := c.cldr(lang)
	return c.Format(lang, "date.day", map[string]any{
		"Weekday":     tr.WeekdayWide(t.Weekday()),
		"Day":         c.Digits(lang, strconv.Itoa(t.Day())),
		"Month":       tr.MonthWide(t.Month()),
		"MonthNumber": c.Digits(lang, strconv.Itoa(int(t.Month()))),
	})
}

// Clock writes a time of day with 24 hours (15:00), as German notices do, in
// every language: a 12-hour marker (3:00 PM, ٣:٠٠ م) lands on the wrong side
// when a right-to-left line isolates the time.
func (c *Catalog) Clock(lang string, t time.Time) string {
	return c.Digits(lang, t.Format("15:04"))
}

// nativeDigits are the digits a language's texts are written in where they
// are not 0–9 (by CLDR locale). Arabic texts here use 0–9, as the locale
// file does; Persian texts use Persian digits.
var nativeDigits = map[string]*strings.Replacer{
	"fa": strings.NewReplacer("0", "۰", "1", "۱", "2", "۲", "3", "۳", "4", "۴", "5", "۵", "6", "۶", "7", "۷", "8", "۸", "9", "۹"),
}

// Digits writes the digits 0–9 in s the way the language's texts write them.
// Never use it for phone numbers: those stay 0–9 so that they can be dialled.
func (c *Catalog) Digits(lang, s string) string {
	if l, ok := c.byCode[lang]; ok {
		if r := nativeDigits[l.CLDR]; r != nil {
			return r.Replace(s)
		}
	}
	return s
}

// Weekday is the weekday's name standing alone.
func (c *Catalog) Weekday(lang string, d time.Weekday) string {
	return c.cldr(lang).WeekdayWide(d)
}

func (c *Catalog) cldr(lang string) locales.Translator {
	if tr, ok := c.translators[lang]; ok {
		return tr
	}
	return c.translators[c.langs[0].Code]
}
