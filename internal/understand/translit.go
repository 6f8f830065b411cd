package understand

import (
	"strings"
	"unicode"
)

// Many Bulgarian, Russian and Ukrainian residents write their language in
// Latin letters: on a phone without a Cyrillic keyboard, or from habit
// ("moje li nqkoi da mi se obadi", "hochu byt volonterom"). Their words
// are Cyrillic words in disguise, so such a message is also read written
// back in Cyrillic, the way the language's Latin spelling is read aloud.

// latinSpelling is one language's Latin spellings of its letters, longest
// first where one spelling begins another ("sht" before "sh" before "s").
// The Cyrillic side is already normalised (й as и, ё as е: see Normalize).
type latinSpelling [][2]string

var latinSpellings = map[string]latinSpelling{
	// Bulgarian "shlyokavitsa": q and ya for я, 4 for ч, 6 for ш,
	// 6t and sht for щ, y and a for ъ ("sys", "syobshtenie"), j for ж.
	"bg": {
		{"sht", "щ"}, {"6t", "щ"}, {"sh", "ш"}, {"ch", "ч"}, {"zh", "ж"}, {"ts", "ц"},
		{"yu", "ю"}, {"ju", "ю"}, {"iu", "ю"}, {"ya", "я"}, {"ia", "я"},
		{"4", "ч"}, {"6", "ш"}, {"q", "я"}, {"w", "в"}, {"x", "х"}, {"y", "ъ"}, {"j", "ж"},
		{"h", "х"}, {"c", "ц"},
		{"a", "а"}, {"b", "б"}, {"v", "в"}, {"g", "г"}, {"d", "д"}, {"e", "е"}, {"z", "з"},
		{"i", "и"}, {"k", "к"}, {"l", "л"}, {"m", "м"}, {"n", "н"}, {"o", "о"}, {"p", "п"},
		{"r", "р"}, {"s", "с"}, {"t", "т"}, {"u", "у"}, {"f", "ф"},
	},
	// Russian: the everyday spellings (kh and h for х, y for ы, j for й),
	// and the digits of chat writing (4 for ч, 6 for ш).
	"ru": {
		{"shch", "щ"}, {"sch", "щ"}, {"sh", "ш"}, {"ch", "ч"}, {"zh", "ж"}, {"kh", "х"},
		{"ts", "ц"}, {"tz", "ц"}, {"yu", "ю"}, {"ju", "ю"}, {"iu", "ю"}, {"ya", "я"}, {"ja", "я"},
		{"ia", "я"}, {"yo", "е"}, {"jo", "е"}, {"ye", "е"}, {"je", "е"},
		{"4", "ч"}, {"6", "ш"}, {"q", "к"}, {"w", "в"}, {"x", "кс"}, {"y", "ы"}, {"j", "и"},
		{"h", "х"}, {"c", "ц"},
		{"a", "а"}, {"b", "б"}, {"v", "в"}, {"g", "г"}, {"d", "д"}, {"e", "е"}, {"z", "з"},
		{"i", "и"}, {"k", "к"}, {"l", "л"}, {"m", "м"}, {"n", "н"}, {"o", "о"}, {"p", "п"},
		{"r", "р"}, {"s", "с"}, {"t", "т"}, {"u", "у"}, {"f", "ф"},
	},
	// Ukrainian: y for и, i for і, yi and ji for ї (normalised і), ye and
	// je for є, kh and h for х (people write "hochu" as often as "khochu").
	"uk": {
		{"shch", "щ"}, {"sch", "щ"}, {"sh", "ш"}, {"ch", "ч"}, {"zh", "ж"}, {"kh", "х"},
		{"ts", "ц"}, {"yu", "ю"}, {"ju", "ю"}, {"iu", "ю"}, {"ya", "я"}, {"ja", "я"}, {"ia", "я"},
		{"yi", "і"}, {"ji", "і"}, {"ye", "є"}, {"je", "є"},
		{"4", "ч"}, {"6", "ш"}, {"q", "к"}, {"w", "в"}, {"x", "кс"}, {"y", "и"}, {"j", "и"},
		{"h", "х"}, {"c", "ц"}, {"i", "і"},
		{"a", "а"}, {"b", "б"}, {"v", "в"}, {"g", "г"}, {"d", "д"}, {"e", "е"}, {"z", "з"},
		{"k", "к"}, {"l", "л"}, {"m", "м"}, {"n", "н"}, {"o", "о"}, {"p", "п"},
		{"r", "р"}, {"s", "с"}, {"t", "т"}, {"u", "у"}, {"f", "ф"},
	},
}

// inCyrillic writes a normalised message of a language with a Latin
// spelling back in Cyrillic: every word of Latin letters (and the digits
// that stand for letters inside them) is spelt out, other words are kept.
// ok is false when the language has no such spelling, the message already
// has Cyrillic letters (it is not written in Latin letters) or has no Latin
// word.
func inCyrillic(norm, lang string) (string, bool) {
	spelling := latinSpellings[lang]
	if spelling == nil {
		return "", false
	}
	latin := false
	for _, r := range norm {
		switch {
		case unicode.Is(unicode.Cyrillic, r):
			return "", false
		case r >= 'a' && r <= 'z':
			latin = true
		}
	}
	if !latin {
		return "", false
	}
	var b strings.Builder
	b.Grow(2 * len(norm))
	for i, w := range strings.Fields(norm) {
		if i > 0 {
			b.WriteByte(' ')
		}
		if !latinWord(w) {
			b.WriteString(w)
			continue
		}
		for rest := w; rest != ""; {
			matched := false
			for _, s := range spelling {
				if strings.HasPrefix(rest, s[0]) {
					b.WriteString(s[1])
					rest = rest[len(s[0]):]
					matched = true
					break
				}
			}
			if !matched { // a digit standing for itself, or a letter of no spelling
				b.WriteByte(rest[0])
				rest = rest[1:]
			}
		}
	}
	return b.String(), true
}

// latinWord tells whether w is a word of Latin letters, digits allowed
// among them ("4ovek", "sre6ti"), not a number.
func latinWord(w string) bool {
	letter := false
	for i := 0; i < len(w); i++ {
		switch c := w[i]; {
		case c >= 'a' && c <= 'z':
			letter = true
		case c >= '0' && c <= '9':
		default:
			return false
		}
	}
	return letter
}
