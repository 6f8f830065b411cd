package understand_test

import (
	"math"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/integrationsagentur-marl/integrabot/internal/understand"
)

// seeds are messages of every kind the bot meets: questions in its
// languages, typos, stretched letters, scripts it does not know, control
// characters, broken UTF-8 and floods of text.
var seeds = []string{
	"Wie ist die TELEFONNUMMER?", "Grüß Gott, Straße", "çalışma saatleri", "Ukraїна, йод, ёлка",
	"أين الاجتماع؟", "کجا یک", "شماره‌تلفن", "مـــرحبا", "٢ ۳", "  !!!  ", "Şêwirmendî û alîkarî",
	"hilfeeee!!! pleeease", "oeffnungszeiten fuer", "می‌تونم", "ﷺ ﬁ Ⅻ ㎏", "İstanbul ıı", "ǅ ǈ ß ẞ",
	"\x00\x01\u200d\ufeff", "\xff\xfe broken", strings.Repeat("ab ", 1000), strings.Repeat("é", 3000),
	"/start", "1", "", "😀👍🏽 Termin?", "a\u0301\u0301\u0301", "ᄀᄀᄀ 한국어",
}

func FuzzNormalize(f *testing.F) {
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n := understand.Normalize(s)
		if again := understand.Normalize(n); again != n {
			t.Fatalf("Normalize is not idempotent: %q -> %q -> %q", s, n, again)
		}
		if !utf8.ValidString(n) {
			t.Fatalf("Normalize(%q) = %q: not UTF-8", s, n)
		}
		if strings.HasPrefix(n, " ") || strings.HasSuffix(n, " ") || strings.Contains(n, "  ") {
			t.Fatalf("Normalize(%q) = %q: stray spaces", s, n)
		}
		for _, r := range n {
			if r != ' ' && !unicode.IsLetter(r) && !unicode.IsDigit(r) {
				t.Fatalf("Normalize(%q) = %q: keeps %U, neither letter nor digit", s, n, r)
			}
		}
		if c := utf8.RuneCountInString(n); c > 600 {
			t.Fatalf("Normalize(%q) has %d runes, more than it reads", s, c)
		}
	})
}

func FuzzClassify(f *testing.F) {
	c, codes := classifier(f)
	for i, s := range seeds {
		f.Add(s, codes[i%len(codes)])
	}
	f.Add("Telefon", "xx")
	f.Add("Termin", "")
	f.Fuzz(func(t *testing.T, s, lang string) {
		r := c.Classify(s, lang)
		if math.IsNaN(r.Score) || math.IsInf(r.Score, 0) || r.Score < 0 {
			t.Fatalf("Classify(%q, %q): score %v", s, lang, r.Score)
		}
		if r.Intent == "" && (r.Service != "" || r.Score != 0) {
			t.Fatalf("Classify(%q, %q) = %+v: a service or score without an intent", s, lang, r)
		}
		// what is classified is the normalised text: normalising first changes nothing
		if again := c.Classify(understand.Normalize(s), lang); again != r {
			t.Fatalf("Classify(%q, %q) = %+v, but %+v for its normalised form", s, lang, r, again)
		}
	})
}
