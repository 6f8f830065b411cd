// Package understand maps what a resident writes, in any of the bot's
// languages, to what they want (an intent). The words that signal each intent
// live in data files translators extend (locales/intents/, and the services'
// keywords in the content folder), not in Go code.
package understand

import (
	"strings"
	"sync"
	"unicode"

	"golang.org/x/text/cases"
	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// maxInput is how much of a message is read: enough for any question, and a
// flood of text costs no more than this.
const maxInput = 600

// folders keeps transform chains for reuse: a chain holds buffers of several
// kilobytes, too much to make for every message; one chain serves one
// message at a time. Decomposing comes before folding too: some letters
// only reach their folded form once decomposed (lunate sigma ϲ is ς, which
// folds to σ), and without it a normalised text would change again.
var folders = sync.Pool{New: func() any {
	return transform.Chain(norm.NFKD, cases.Fold(), norm.NFKD, runes.Remove(runes.Predicate(strip)), runes.Map(unify))
}}

// Normalize folds case, removes diacritics and harakat, unifies Arabic and
// Persian letter variants and digits, and turns everything that is not a
// letter or digit into single spaces. Keywords and messages go through the
// same function, so "Telefonnummer", "telefonnumer" and "TELEFON" meet, and
// so do "ترجمه" and "ترجمة", "çalışma" and "calisma".
func Normalize(s string) string {
	if len(s) > maxInput*4 {
		s = s[:maxInput*4]
	}
	// Broken UTF-8 (from a terminal, say) makes the chain fail and the
	// message would keep its accents: a broken byte becomes a space.
	s = strings.ToValidUTF8(s, " ")
	t := folders.Get().(transform.Transformer)
	defer folders.Put(t)
	t.Reset()
	out, _, err := transform.String(t, s)
	if err != nil {
		out = strings.ToLower(s)
	}
	var b strings.Builder
	b.Grow(len(out))
	space := true
	n := 0
	var last1, last2 rune
	for _, r := range out {
		if n >= maxInput {
			break
		}
		n++
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			if unicode.IsLetter(r) && r == last1 && r == last2 {
				continue // "hilfeee", "مرحبااا": a letter stretched for emphasis
			}
			last2, last1 = last1, r
			b.WriteRune(r)
			space = false
			continue
		}
		last1, last2 = 0, 0
		if !space {
			b.WriteByte(' ')
			space = true
		}
	}
	return strings.TrimRight(b.String(), " ")
}

// strip says which runes are dropped: combining marks (accents, Arabic
// harakat, the dots of ї and the breve of й) and the tatweel, which only
// stretches a word.
func strip(r rune) bool { return r == 'ـ' || isApostrophe(r) || unicode.Is(unicode.Mn, r) }

// isApostrophe: an apostrophe belongs to its word (Ukrainian "зв'язок",
// English "don't"), so it is dropped rather than splitting the word.
func isApostrophe(r rune) bool { return r == '\'' || r == '’' || r == 'ʼ' || r == '`' }

// unify maps letters that people write interchangeably to one form.
func unify(r rune) rune {
	switch {
	case r == 'ı': // Turkish dotless i: "calısma" and "calisma" are the same word typed on different phones
		return 'i'
	case r == 'ł': // Polish ł, typed as l on phones without Polish keys: "spotkałem", "spotkalem"
		return 'l'
	case r == 'ى', r == 'ی', r == 'ے': // alef maksura, Persian and Urdu yeh → Arabic yeh
		return 'ي'
	case r == 'ک': // Persian keheh → Arabic kaf
		return 'ك'
	case r == 'ة', r == 'ۀ', r == 'ە': // teh marbuta, heh with yeh, Kurdish ae → heh
		return 'ه'
	case r == '\u200c', r == '\u200d': // zero-width (non-)joiner inside Persian words
		return ' '
	case r >= '٠' && r <= '٩':
		return '0' + (r - '٠')
	case r >= '۰' && r <= '۹':
		return '0' + (r - '۰')
	}
	// Case folding leaves a few letters in capitals (Unicode folds Cherokee
	// to them, and folds those capitals back): lower case keeps a second
	// pass from changing them again.
	return unicode.ToLower(r)
}

// isArabicScript tells whether a word is written in Arabic script.
func isArabicScript(w string) bool {
	for _, r := range w {
		return r >= 0x0600 && r <= 0x06FF
	}
	return false
}

// arabicPrefixes are the clitics written together with the next word
// (and, the, with the, for the…; spoken Levantine "عال", on the, and "هال",
// this); longest first.
var arabicPrefixes = []string{"وال", "بال", "فال", "كال", "عال", "هال", "لل", "ال", "و", "ف", "ب", "ل"}

// umlauts are the spellings of ä, ö, ü on keyboards without them ("fuer",
// "Oeffnungszeiten"): Normalize already folds "ä" to "a".
var umlauts = strings.NewReplacer("ae", "a", "oe", "o", "ue", "u")

// digraphs are ç and ş written the English way ("chawa", "shemî" for
// Kurmanji "çawa", "şemî"; Turkish and Romanian are typed so too): Normalize
// already folds "ç" to "c" and "ş" to "s".
var digraphs = strings.NewReplacer("ch", "c", "sh", "s")

// variants returns a word and, for Arabic script, the word without a
// leading clitic; for Latin script, the word with ae, oe, ue read as
// umlauts and ch, sh read as ç, ş.
func variants(w string) []string {
	out := []string{w}
	if !isArabicScript(w) {
		if strings.Contains(w, "e") { // ae, oe, ue: no copy for a word without them
			if u := umlauts.Replace(w); u != w && len(u) >= 3 {
				out = append(out, u)
			}
		}
		if strings.Contains(w, "h") { // most words have none: no copy for them
			if u := digraphs.Replace(w); u != w && len(u) >= 2 {
				out = append(out, u)
			}
		}
		for _, u := range undoubled(w) {
			if len(u) >= 4 {
				out = append(out, u)
			}
		}
		return out
	}
	for _, p := range arabicPrefixes {
		if rest, ok := strings.CutPrefix(w, p); ok && len([]rune(rest)) >= 3 {
			out = append(out, rest)
			break
		}
	}
	return out
}

// undoubled returns the word with one doubled vowel written once, for each
// doubled vowel (at most three): a key pressed twice on a phone
// ("voluunteer", "nuumara", "seervises") is a common typo. One at a time,
// because the word may have a real double vowel too ("voluunteer" is
// "volunteer", not "volunter"); a word whose double vowels are all real
// ("meeting") keeps its own form as the first variant, so it loses
// nothing. Doubled consonants are left alone: German and Romanian have too
// many real ones ("Treffen", "Programm"), which would then meet other words.
func undoubled(w string) []string {
	var out []string
	rs := []rune(w)
	for i := 1; i < len(rs) && len(out) < 3; i++ {
		if rs[i] == rs[i-1] && strings.ContainsRune("aeiouy", rs[i]) {
			out = append(out, string(rs[:i])+string(rs[i+1:]))
		}
	}
	return out
}
