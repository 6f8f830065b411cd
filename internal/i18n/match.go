package i18n

import (
	"strings"
	"sync"
	"sync/atomic"

	"golang.org/x/text/language"
)

// aliases map language codes Telegram apps send to the language the bot has,
// where the matcher alone would not find it or would find the wrong one.
var aliases = map[string]string{
	"kmr": "ku", // Kurmanji
	"prs": "fa", // Dari
}

// neverGuess are languages whose speakers the matcher would answer in a
// language they may not want (Sorani and Southern Kurdish get Arabic,
// Belarusian gets Russian): they get the language picker instead.
var neverGuess = map[string]bool{"ckb": true, "sdh": true, "lki": true, "be": true}

type matcher struct {
	m     language.Matcher
	codes []string // index of the matcher's tags → language code
	tags  []language.Tag
	known map[string]bool
	seen  *matchCache
}

// matchCache remembers the answers for the codes seen: Telegram apps send a
// few dozen different ones, and every update asks again. It keeps at most
// maxCached, so that odd codes cannot make it grow without end.
type matchCache struct {
	m sync.Map // code → matched
	n atomic.Int32
}

type matched struct {
	code string
	ok   bool
}

const maxCached = 512

func newMatcher(langs []Lang) matcher {
	mt := matcher{known: map[string]bool{}, seen: &matchCache{}}
	var tags []language.Tag
	for _, l := range langs {
		mt.known[l.Code] = true
		if l.Telegram == "" {
			continue // chosen in the picker only, never matched (plain German)
		}
		tags = append(tags, l.Tag)
		mt.codes = append(mt.codes, l.Code)
	}
	mt.m = language.NewMatcher(tags)
	mt.tags = tags
	return mt
}

// match maps a Telegram language_code to a language the bot speaks. It only
// answers when it is sure (an exact or high-confidence match); otherwise the
// resident is asked. go-i18n's own matching would answer Ukrainians in Russian.
func (mt matcher) match(code string) (string, bool) {
	if v, ok := mt.seen.m.Load(code); ok {
		r := v.(matched)
		return r.code, r.ok
	}
	got, ok := mt.find(code)
	if mt.seen.n.Load() < maxCached {
		if _, loaded := mt.seen.m.LoadOrStore(code, matched{got, ok}); !loaded {
			mt.seen.n.Add(1)
		}
	}
	return got, ok
}

// find is match without the cache.
func (mt matcher) find(code string) (string, bool) {
	code = strings.ToLower(strings.TrimSpace(code))
	if code == "" {
		return "", false
	}
	base := code
	if i := strings.IndexAny(base, "-_"); i >= 0 {
		base = base[:i]
	}
	if neverGuess[base] {
		return "", false
	}
	if a, ok := aliases[base]; ok && mt.known[a] {
		return a, true
	}
	tag, err := language.Parse(code)
	if err != nil {
		return "", false
	}
	_, i, conf := mt.m.Match(tag)
	if conf < language.High {
		return "", false
	}
	// The matcher answers Azerbaijani, Uzbek or Kazakh phones in Russian,
	// Macedonian in Bulgarian, Pashto or Urdu in English: a guess in the
	// language of a neighbour or a former ruling power is worse than asking.
	// Only the same language (or an alias above) counts.
	got, _ := mt.tags[i].Base()
	want, _ := tag.Base()
	if got != want {
		return "", false
	}
	return mt.codes[i], true
}
