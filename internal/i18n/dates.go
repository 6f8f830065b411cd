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
// message date.day that translators control.
func (c *Catalog) Date(lang string, t time.Time) string {
	tr := c.cldr(lang)
	return c.Format(lang, "date.day", map[string]any{
		"Weekday": tr.WeekdayWide(t.Weekday()),
		"Day":     strconv.Itoa(t.Day()),
		"Month":   tr.MonthWide(t.Month()),
	})
}

// Clock writes a time of day the CLDR way for the language (15:00, 3:00 PM).
func (c *Catalog) Clock(lang string, t time.Time) string {
	if s := strings.TrimSpace(c.cldr(lang).FmtTimeShort(t)); s != "" {
		return s
	}
	return t.Format("15:04") // CLDR has no time pattern for some locales (Kurmanji)
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
