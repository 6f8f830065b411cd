package understand

import (
	"embed"
	"fmt"
	"io/fs"
	"math"
	"path"
	"strings"
	"sync"

	"go.yaml.in/yaml/v3"
)

// The second stage: when no keyword matches, a naive Bayes model over the
// letter sequences (n-grams) of the normalised message guesses which of the
// four main intents it asks for, or that it asks for none of them. It learns
// from the tuning phrasings, the intent words, the services' keywords and the
// out-of-scope messages, all inside the binary, and is trained when the
// classifier is built: it then always fits the intent words it is built
// with, and no generated file can go stale.

// tuning holds the tuning set: labelled phrasings (tuning/phrases) and
// messages the bot does not answer (tuning/outofscope; all.yaml is for
// every language). The held-out test
// sets stay in testdata and never reach the model.
//
//go:embed tuning/phrases/*.yaml tuning/outofscope/*.yaml
var tuning embed.FS

// The classes of the model: the four main intents, then the rest.
var bayesIntents = [...]Intent{Contacts, Services, Encounters, Help}

const (
	classOut = len(bayesIntents) // none of the main intents
	classes  = classOut + 1
)

// bayesParams are the model's choices, all made by cross-validation on the
// tuning set (see TestCrossValidation and BenchmarkModelSelection).
type bayesParams struct {
	minN, maxN int     // n-gram lengths in letters, spaces included
	alpha      float64 // additive smoothing of the n-gram counts
	shared     float64 // weight of the n-grams shared by all languages beside the language's own
	outMargin  float64 // how far the best intent must lead the out-of-scope class, in mean log-likelihood per n-gram
	margin     float64 // how far it must lead the next intent
	coverage   float64 // the share of the message's n-grams the model must know
}

// chosenParams are the figures cross-validation chose.
var chosenParams = bayesParams{minN: 1, maxN: 6, alpha: 0.01, shared: 1, outMargin: 1.9, margin: 0.1, coverage: 0.8}

// reviewParams say when the model has a say over what the keyword stage
// found, all chosen by cross-validation on the tuning set (see
// TestCrossValidation and BenchmarkReviewSelection).
type reviewParams struct {
	exactStands float64 // a keyword match letter for letter with at least this score stands
	fuzzyStands float64 // a match with typos or cut short with at least this score stands
	coverage    float64 // the share of the message's n-grams the model must know to have a say
	veto        float64 // how far out-of-scope must lead the best main intent to answer not-understood
	vetoFound   float64 // or how far it must lead the main intent the keyword stage found
	takeOut     float64 // how far the model's main intent must lead out-of-scope to replace the keyword stage's
	takeMargin  float64 // and how far it must lead the next main intent
}

// chosenReview are the figures cross-validation chose: a keyword found
// letter for letter stands; a match with typos or cut short, short of two
// good words, is checked, and answered not-understood when the model finds
// the message more like those the bot does not answer than like the intent
// found. Replacing the intent never paid off.
var chosenReview = reviewParams{exactStands: 1, fuzzyStands: 1.5, coverage: 0, veto: math.Inf(1), vetoFound: 0, takeOut: math.Inf(1), takeMargin: math.Inf(1)}

// example is one labelled message of the tuning set.
type example struct {
	lang, text string
	class      int
}

var (
	tuningOnce     sync.Once
	tuningExamples []example
)

// tuningSet returns the embedded tuning set, read once. It is part of the
// binary, checked by the tests: a broken file is a programming error.
func tuningSet() []example {
	tuningOnce.Do(func() {
		var err error
		if tuningExamples, err = readTuning(tuning); err != nil {
			panic(err)
		}
	})
	return tuningExamples
}

func readTuning(fsys fs.FS) ([]example, error) {
	var out []example
	for _, folder := range []string{"tuning/phrases", "tuning/outofscope"} {
		files, err := fs.Glob(fsys, folder+"/*.yaml")
		if err != nil {
			return nil, err
		}
		for _, name := range files {
			data, err := fs.ReadFile(fsys, name)
			if err != nil {
				return nil, err
			}
			var m map[string][]string
			if err := yaml.Unmarshal(data, &m); err != nil {
				return nil, fmt.Errorf("%s: %w", name, err)
			}
			lang := strings.TrimSuffix(path.Base(name), ".yaml")
			if lang == "all" {
				lang = "" // counts for every language
			}
			for key, list := range m {
				class := -1
				if key == "outofscope" {
					class = classOut
				}
				for i, in := range bayesIntents {
					if Intent(key) == in {
						class = i
					}
				}
				if class < 0 {
					return nil, fmt.Errorf("%s: unknown class %q", name, key)
				}
				for _, text := range list {
					out = append(out, example{lang: lang, text: text, class: class})
				}
			}
		}
	}
	return out, nil
}

// classOf is the model's class for an intent's words: the main intents are
// their own classes; the others, which the second stage never answers, are
// out of scope, except the agency's name, which says whom a question is
// about and not what it asks.
func classOf(i Intent) (int, bool) {
	switch familyOf(i) {
	case Contacts:
		return 0, true
	case Services:
		return 1, true
	case Encounters:
		return 2, true
	case Help:
		return 3, true
	case Unanswered, Greeting, Thanks, Language, Privacy, Menu:
		return classOut, true
	}
	return 0, false
}

// ngramTable holds the log-probabilities of the n-grams of one language, or
// of all languages together.
type ngramTable struct {
	rows map[uint64]int32
	logp []float32 // classes per row
}

// bayes is the trained model; it does not change after training.
type bayes struct {
	p      bayesParams
	q      reviewParams
	shared *ngramTable
	byLang map[string]*ngramTable
}

// counts are n-gram counts per class while training.
type counts struct {
	rows   map[uint64]int32
	n      [][classes]float64
	totals [classes]float64
}

func newCounts() *counts { return &counts{rows: map[uint64]int32{}} }

func (c *counts) add(h uint64, class int) {
	r, ok := c.rows[h]
	if !ok {
		r = int32(len(c.n))
		c.rows[h] = r
		c.n = append(c.n, [classes]float64{})
	}
	c.n[r][class]++
	c.totals[class]++
}

func (c *counts) table(alpha float64) *ngramTable {
	t := &ngramTable{rows: c.rows, logp: make([]float32, classes*len(c.n))}
	v := float64(len(c.n))
	for r, row := range c.n {
		for k := range classes {
			t.logp[r*classes+k] = float32(math.Log((row[k] + alpha) / (c.totals[k] + alpha*v)))
		}
	}
	return t
}

// trainBayes learns from the intent words, the services' keywords and the
// examples.
func trainBayes(p bayesParams, words map[string]Words, services map[string]map[string][]string, examples []example) *bayes {
	shared := newCounts()
	byLang := map[string]*counts{}
	for lang := range words {
		byLang[lang] = newCounts()
	}
	learn := func(lang, text string, class int) {
		if lang == "" { // for every language
			ngrams(Normalize(text), p.minN, p.maxN, func(h uint64) {
				shared.add(h, class)
				for lang := range words {
					byLang[lang].add(h, class)
				}
			})
			return
		}
		lc := byLang[lang]
		if lc == nil {
			lc = newCounts()
			byLang[lang] = lc
		}
		ngrams(Normalize(text), p.minN, p.maxN, func(h uint64) {
			lc.add(h, class)
			shared.add(h, class)
		})
	}
	for lang, ws := range words {
		for _, intent := range intentKeys { // in a fixed order: the same model every time
			if class, ok := classOf(intent); ok {
				for _, w := range ws[intent] {
					learn(lang, w, class)
				}
			}
		}
	}
	for _, byLang := range services {
		for lang, list := range byLang {
			for _, w := range list {
				learn(lang, w, 1)
			}
		}
	}
	for _, e := range examples {
		learn(e.lang, e.text, e.class)
	}
	m := &bayes{p: p, q: chosenReview, shared: shared.table(p.alpha), byLang: map[string]*ngramTable{}}
	for lang, lc := range byLang {
		m.byLang[lang] = lc.table(p.alpha)
	}
	return m
}

// scores returns the mean log-likelihood per known n-gram of each class, and
// the share of the message's n-grams the model knows (0: none, and nothing
// to judge by).
func (m *bayes) scores(norm, lang string) ([classes]float64, float64) {
	var sum [classes]float64
	own := m.byLang[lang]
	known, total := 0, 0
	ngrams(norm, m.p.minN, m.p.maxN, func(h uint64) {
		total++
		hit := false
		if own != nil {
			if r, ok := own.rows[h]; ok {
				for k, lp := range own.logp[int(r)*classes : int(r+1)*classes] {
					sum[k] += float64(lp)
				}
				hit = true
			}
		}
		if r, ok := m.shared.rows[h]; ok {
			for k, lp := range m.shared.logp[int(r)*classes : int(r+1)*classes] {
				sum[k] += m.p.shared * float64(lp)
			}
			hit = true
		}
		if hit {
			known++
		}
	})
	if known == 0 {
		return sum, 0
	}
	for k := range sum {
		sum[k] /= float64(known)
	}
	return sum, float64(known) / float64(total)
}

// classify returns the main intent the message most likely asks for and by
// how much it leads, or None when the message cannot be judged, is more
// like those the bot does not answer, or two intents are too close.
func (m *bayes) classify(norm, lang string) (Intent, float64) {
	s, cov := m.scores(norm, lang)
	if cov == 0 || cov < m.p.coverage {
		return None, 0
	}
	class, lead := m.p.decide(s)
	if class == classOut {
		return None, 0
	}
	return bayesIntents[class], lead
}

// decide picks the main intent with the best score when it leads the
// out-of-scope class by outMargin and the next main intent by margin, and
// says by how much it leads the next main intent.
func (p bayesParams) decide(s [classes]float64) (int, float64) {
	best := 0
	for k := range classOut {
		if s[k] > s[best] {
			best = k
		}
	}
	lead := math.Inf(1)
	for k := range classOut {
		if k != best {
			lead = math.Min(lead, s[best]-s[k])
		}
	}
	if s[best]-s[classOut] < p.outMargin || lead < p.margin {
		return classOut, 0
	}
	return best, lead
}

// review lets the model check a main intent the keyword stage found on
// weak evidence (with the chosen figures: only through typos or cut-short
// words, scoring under fuzzyStands): when the message is much
// more like those the bot does not answer, nothing is found ("Wie wird das
// Wetter morgen?" is not a question for this week's meetings); when it is
// much more like another main intent, that intent is found. Every other
// intent, and a strong match, stands.
func (m *bayes) review(r Result, st strength, norm, lang string) Result {
	if !m.q.weak(r.Intent, st) {
		return r
	}
	s, cov := m.scores(norm, lang)
	if cov == 0 || cov < m.q.coverage {
		return r
	}
	switch class, veto, take := m.q.judge(s, familyOf(r.Intent)); {
	case veto:
		return Result{}
	case take:
		return Result{Intent: bayesIntents[class], Score: st.score}
	}
	return r
}

// weak says whether the model may check the keyword stage's intent.
func (q reviewParams) weak(i Intent, st strength) bool {
	switch familyOf(i) {
	case Contacts, Services, Encounters, Help:
	default:
		return false
	}
	if st.exact {
		return st.score < q.exactStands
	}
	return st.score < q.fuzzyStands
}

// judge says, from the model's scores, whether a weak match of the family
// found is vetoed, or replaced by the model's class.
func (q reviewParams) judge(s [classes]float64, found Intent) (class int, veto, take bool) {
	best, next := 0, -1
	for k := 1; k < classOut; k++ {
		if s[k] > s[best] {
			best = k
		}
	}
	for k := range classOut {
		if k != best && (next < 0 || s[k] > s[next]) {
			next = k
		}
	}
	if s[classOut]-s[best] >= q.veto || s[classOut]-s[classIndex(found)] >= q.vetoFound {
		return classOut, true, false
	}
	if bayesIntents[best] != found && s[best]-s[classOut] >= q.takeOut && s[best]-s[next] >= q.takeMargin {
		return best, false, true
	}
	return best, false, false
}

// classIndex is the model's class of a main intent.
func classIndex(i Intent) int {
	for k, in := range bayesIntents {
		if in == i {
			return k
		}
	}
	return classOut
}

// maxRunes is how much of a message the model reads: a question is short,
// and a message of Telegram's 4,096 characters would cost 24,000 look-ups.
const maxRunes = 256

// ngrams calls f with the hash of every sequence of minN to maxN letters of
// the normalised text, with a space before and after each word: " ruf",
// "uf ", "ruf m" (a sequence may span two words).
func ngrams(norm string, minN, maxN int, f func(uint64)) {
	if norm == "" {
		return
	}
	var buf [maxRunes + 2]rune
	rs := append(buf[:0], ' ')
	for _, r := range norm {
		if len(rs) > maxRunes {
			break // the beginning says what a message asks; the rest costs time
		}
		rs = append(rs, r)
	}
	rs = append(rs, ' ')
	for n := minN; n <= maxN; n++ {
		for i := 0; i+n <= len(rs); i++ {
			if n == 1 && rs[i] == ' ' {
				continue
			}
			h := uint64(14695981039346656037) ^ uint64(n)
			for _, r := range rs[i : i+n] {
				h = (h ^ uint64(r)) * 1099511628211
			}
			f(h)
		}
	}
}
