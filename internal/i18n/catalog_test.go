package i18n_test

import (
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/integrationsagentur-marl/integrabot/internal/i18n"
	"github.com/integrationsagentur-marl/integrabot/locales"
)

func catalog(t *testing.T) *i18n.Catalog {
	t.Helper()
	c, err := i18n.Load(locales.FS())
	if err != nil {
		t.Fatalf("the shipped locales are incomplete:\n%v", err)
	}
	return c
}

// The shipped locale files are complete: every id, every plural form, every language.
func TestShippedLocalesAreComplete(t *testing.T) {
	c := catalog(t)
	if n := len(c.Languages()); n != 12 {
		t.Errorf("%d languages, want 12", n)
	}
	for _, l := range c.Languages() {
		for _, id := range c.MessageIDs() {
			if strings.TrimSpace(c.T(l.Code, id)) == "" {
				t.Errorf("%s: %s is empty", l.Code, id)
			}
		}
	}
}

func TestMatchNeverGuessesWrong(t *testing.T) {
	c := catalog(t)
	tests := []struct {
		code string
		want string // "" means: ask with the picker
	}{
		{"de", "de"}, {"de-AT", "de"}, {"de-CH", "de"}, {"en-GB", "en"}, {"tr", "tr"},
		{"uk", "uk"}, {"uk-UA", "uk"}, // never Russian
		{"ru", "ru"}, {"ar-SY", "ar"}, {"fa-IR", "fa"}, {"fa-AF", "fa"}, {"prs", "fa"},
		{"ku", "ku"}, {"kmr", "ku"}, {"ku-TR", "ku"},
		{"ckb", ""}, {"be", ""}, {"sr", ""}, {"zh", ""}, {"nl", ""}, {"", ""}, {"x!y", ""},
		{"pl", "pl"}, {"ro-MD", "ro"}, {"bg", "bg"},
		// languages the bot does not speak get the picker, never the language
		// of a neighbour or a former ruling power
		{"az", ""}, {"tk", ""}, {"uz", ""}, {"kk", ""}, {"tg", ""}, {"ky", ""}, {"mk", ""},
		{"ps", ""}, {"ur", ""}, {"sq", ""}, {"ti", ""}, {"so", ""}, {"hy", ""}, {"ka", ""},
	}
	for round := range 2 { // the second round is answered from what the first found
		for _, tt := range tests {
			got, ok := c.Match(tt.code)
			if got != tt.want || ok != (tt.want != "") {
				t.Errorf("round %d: Match(%q) = %q, %v; want %q", round+1, tt.code, got, ok, tt.want)
			}
		}
	}
}

func TestDatesInTheResidentsLanguage(t *testing.T) {
	c := catalog(t)
	day := time.Date(2026, 12, 1, 15, 0, 0, 0, time.UTC)
	tests := []struct{ lang, want string }{
		{"de", "Dienstag, 1. Dezember"},
		{"en", "Tuesday, 1 December"},
		{"uk", "1 грудня"},
		{"ru", "1 декабря"},
		{"pl", "1 grudnia"},
		{"tr", "1 Aralık"},
		{"ar", "ديسمبر"},
		{"bg", "декември"},
		{"ro", "decembrie"},
	}
	for _, tt := range tests {
		if got := c.Date(tt.lang, day); !strings.Contains(got, tt.want) {
			t.Errorf("Date(%s) = %q, want it to contain %q", tt.lang, got, tt.want)
		}
	}
	if got := c.Clock("ku", day); got != "15:00" {
		t.Errorf("Clock(ku) = %q; want 15:00 when CLDR has no pattern", got)
	}
}

func TestPluralsFollowCLDR(t *testing.T) {
	c := catalog(t)
	// Ukrainian: 1 one, 2 few, 5 many, 21 one
	forms := map[int]string{}
	for _, n := range []int{1, 2, 5, 21} {
		forms[n] = c.Plural("uk", "encounters.upcoming", n, nil)
	}
	if forms[1] == forms[2] || forms[2] == forms[5] || strings.ReplaceAll(forms[21], "21", "1") == forms[2] {
		t.Errorf("Ukrainian plural forms do not differ as CLDR says: %v", forms)
	}
}

const langs2 = `- {code: de, name: Deutsch, telegram: de, cldr: de}
- {code: uk, name: Українська, telegram: uk, cldr: uk}
`

// A missing message or plural form is an error naming file and id, never a silent fallback.
func TestLoadReportsMissingTranslations(t *testing.T) {
	fs := fstest.MapFS{
		"languages.yaml": {Data: []byte(langs2)},
		"review.yaml":    {Data: []byte("de: {reviewed: false}\nuk: {reviewed: false}\n")},
		"de.yaml":        {Data: []byte("a: \"A\"\nb: \"B\"\nn:\n  one: \"{{.Count}} x\"\n  other: \"{{.Count}} xs\"\n")},
		"uk.yaml":        {Data: []byte("a: \"А\"\nc: \"extra\"\nn:\n  one: \"{{.Count}} x\"\n  other: \"{{.Count}} xs\"\n")},
	}
	_, err := i18n.Load(fs)
	if err == nil {
		t.Fatal("Load accepted incomplete locales")
	}
	for _, want := range []string{"uk.yaml: b: missing translation", "uk.yaml:2: c: not in the reference language", "uk.yaml:3: n: missing plural form for 0: message \"n\" has no plural form \"many\""} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
}
