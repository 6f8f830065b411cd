package understand

import (
	"strings"
)

// Result is what the classifier found.
type Result struct {
	Intent  Intent
	Service string // the service's id when the resident asked about one service
	Score   float64
}

// keyword is one normalised word or phrase that points to an intent.
type keyword struct {
	intent Intent
	family Intent   // see familyOf
	words  [][]rune // a phrase is several words that must follow each other
}

// Classifier finds intents in free text. It is safe for concurrent use.
type Classifier struct {
	byLang map[string]*lexicon
	// known are the words each language's keywords are made of, with the
	// families of intents they stand in: a word of the message that is one
	// of them is not read as a typo of a keyword of another family
	// ("dixwazim", I want, is not "dilxwaz", a volunteer).
	known  map[string]map[string][]Intent
	langs  []string // all languages, for the second look
	common []string // languages always looked at besides the resident's own
	// guess is the second stage, asked when no keyword matches and to
	// review a weak match (nil: the keyword stage alone).
	guess *linear
}

// lexicon is one language's keywords, indexed by their first and second
// letters: a keyword can only match a message that has a word sharing one
// of them (see wordMatch), so only those keywords are looked at.
type lexicon struct {
	keywords []keyword
	byFirst  map[rune][]int32
	bySecond map[rune][]int32
}

func (lx *lexicon) add(kw keyword) {
	i := int32(len(lx.keywords))
	lx.keywords = append(lx.keywords, kw)
	k := kw.words[0]
	lx.byFirst[k[0]] = append(lx.byFirst[k[0]], i)
	if len(k) > 1 {
		lx.bySecond[k[1]] = append(lx.bySecond[k[1]], i)
	}
}

// each calls f for every keyword whose first letter is among firsts or
// whose second letter is among seconds, once.
func (lx *lexicon) each(st starts, f func(*keyword)) {
	for j, r := range st.first {
		if containsRune(st.first[:j], r) {
			continue
		}
		for _, i := range lx.byFirst[r] {
			f(&lx.keywords[i])
		}
	}
	for j, r := range st.second {
		if containsRune(st.second[:j], r) {
			continue
		}
		for _, i := range lx.bySecond[r] {
			if kw := &lx.keywords[i]; !containsRune(st.first, kw.words[0][0]) {
				f(kw) // not seen above
			}
		}
	}
}

func containsRune(rs []rune, r rune) bool {
	for _, x := range rs {
		if x == r {
			return true
		}
	}
	return false
}

// New builds a classifier from the intent words of each language and the
// keywords of each service (language → words). common are languages whose
// words are always considered besides the resident's own (residents of Marl
// mix in German words like "Termin"; many know English ones).
func New(words map[string]Words, services map[string]map[string][]string, common ...string) *Classifier {
	c := newKeywords(words, services, common...)
	c.guess = trainedLinear(chosenLinear, words, services, tuningSet())
	return c
}

// newKeywords builds the keyword stage alone.
func newKeywords(words map[string]Words, services map[string]map[string][]string, common ...string) *Classifier {
	c := &Classifier{byLang: map[string]*lexicon{}, known: map[string]map[string][]Intent{}, common: common}
	add := func(lang string, intent Intent, list []string) {
		for _, w := range list {
			fields := strings.Fields(Normalize(w))
			if len(fields) == 0 {
				continue
			}
			kw := keyword{intent: intent, family: familyOf(intent)}
			if c.known[lang] == nil {
				c.known[lang] = map[string][]Intent{}
			}
			for _, f := range fields {
				kw.words = append(kw.words, []rune(f))
				if !containsIntent(c.known[lang][f], kw.family) {
					c.known[lang][f] = append(c.known[lang][f], kw.family)
				}
			}
			lx := c.byLang[lang]
			if lx == nil {
				lx = &lexicon{byFirst: map[rune][]int32{}, bySecond: map[rune][]int32{}}
				c.byLang[lang] = lx
			}
			lx.add(kw)
		}
	}
	for lang, ws := range words {
		c.langs = append(c.langs, lang)
		for intent, list := range ws {
			add(lang, intent, list)
		}
	}
	for id, byLang := range services {
		for lang, list := range byLang {
			add(lang, Intent(ServicePrefix+id), list)
		}
	}
	return c
}

// Classify finds what text asks for. It looks at the words of the resident's
// language and the common languages first, and at all languages only when
// those find nothing. When no keyword matches at all, the second stage
// guesses one of the main intents from the message's letter sequences and
// words, or finds none; when a keyword of a main intent matches only through
// a typo or a cut word, or in a weak phrase, the second stage may answer
// not-understood instead (see review).
func (c *Classifier) Classify(text, lang string) Result {
	norm := Normalize(text)
	r := c.classify(norm, lang)
	// A message in Latin letters from a resident of a language with a
	// Latin spelling is read in Cyrillic too, and that reading is taken
	// when the Latin one finds nothing or it has more of the language's
	// words than the Latin one has words of any language looked at.
	if cyr, ok := inCyrillic(norm, lang); ok && (r.Intent == None || c.knownWords(cyr, lang) > c.knownWords(norm, append([]string{lang}, c.common...)...)) {
		if rc := c.classify(cyr, lang); rc.Intent != None {
			r = rc
		}
	}
	return r
}

// knownWords counts the words of norm that keywords of the languages are
// made of.
func (c *Classifier) knownWords(norm string, langs ...string) int {
	n := 0
	for w := range strings.FieldsSeq(norm) {
		for _, l := range langs {
			if c.known[l][w] != nil {
				n++
				break
			}
		}
	}
	return n
}

// classify is Classify of a normalised message.
func (c *Classifier) classify(norm, lang string) Result {
	tokens := tokens(norm)
	if len(tokens) == 0 {
		return Result{}
	}
	r, st := c.keywords(tokens, lang)
	if c.guess == nil {
		return r
	}
	if r.Intent == None {
		r.Intent, r.Score = c.guess.classify(norm, lang)
		return r
	}
	return c.guess.review(r, st, norm, lang)
}

// strength is how sure the keyword stage is of the intent it found.
type strength struct {
	score float64 // the score of the intent's family (see decide)
	exact bool    // whether a keyword of the family is in the message letter for letter
	// families are the scores of the main intents' families, the agency's
	// name aside: a message with keywords of two of them ("when is the
	// anti-racism training") may ask for either.
	families [classOut]float64
	service  string // the service whose keywords scored most, found or not
	week     bool   // whether a keyword of this week's meetings matched
}

// keywords is the first stage: the intent whose keywords the message has,
// and how sure it is.
func (c *Classifier) keywords(tokens [][][]rune, lang string) (Result, strength) {
	// Each word of the message counts once per intent, with its best match:
	// the same loan word in several languages is no stronger evidence.
	starts := startsOf(tokens)
	known := make([][]Intent, len(tokens))
	if set := c.known[lang]; set != nil {
		for i, vs := range tokens {
			known[i] = set[string(vs[0])]
		}
	}
	perWord := map[Intent][]float64{}
	exact := map[Intent]bool{}
	seen := map[string]bool{}
	look := func(l string) {
		if seen[l] {
			return
		}
		seen[l] = true
		lx := c.byLang[l]
		if lx == nil {
			return
		}
		lx.each(starts, func(kw *keyword) {
			s, at, whole := kw.match(tokens, known)
			if s == 0 {
				return
			}
			if whole {
				exact[kw.intent] = true
			}
			ws := perWord[kw.intent]
			if ws == nil {
				ws = make([]float64, len(tokens))
				perWord[kw.intent] = ws
			}
			ws[at] = max(ws[at], s)
		})
	}
	look(lang)
	for _, l := range c.common {
		look(l)
	}
	if len(perWord) == 0 {
		for _, l := range c.langs {
			look(l)
		}
	}
	scores := make(map[Intent]float64, len(perWord))
	for intent, ws := range perWord {
		for _, s := range ws {
			scores[intent] += s
		}
	}
	r := decide(scores)
	st := strength{score: r.Score}
	fam := familyOf(r.Intent)
	best := 0.0
	for intent, s := range scores {
		f := familyOf(intent)
		if exact[intent] && (f == fam || fam == Services && f == Agency) {
			st.exact = true
		}
		if k := classIndex(f); k < classOut {
			st.families[k] += s
		}
		if f == Services && intent != Services && (s > best || s == best && string(intent) < ServicePrefix+st.service) {
			st.service, best = strings.TrimPrefix(string(intent), ServicePrefix), s
		}
		st.week = st.week || intent == EncountersWeek
	}
	return r, st
}

// tokens splits normalised text into words, each with its variants.
func tokens(norm string) [][][]rune {
	fields := strings.Fields(norm)
	if len(fields) > 64 {
		fields = fields[:64]
	}
	out := make([][][]rune, len(fields))
	for i, f := range fields {
		for _, v := range variants(f) {
			out[i] = append(out[i], []rune(v))
		}
		// Persian "می" / "نمی" before a verb is written apart, with a
		// zero-width non-joiner (read as a space) or together: "می‌تونم",
		// "می تونم" and "میتونم" are one word.
		if i > 0 && (fields[i-1] == "مي" || fields[i-1] == "نمي") {
			out[i] = append(out[i], []rune(fields[i-1]+f))
		}
	}
	return out
}

// starts are the first and second letters of a message's words: a keyword
// whose first word shares neither with any of them cannot match (see
// wordMatch), and most keywords are passed over this way.
type starts struct{ first, second []rune }

func startsOf(tokens [][][]rune) starts {
	var st starts
	for _, variants := range tokens {
		for _, v := range variants {
			st.first = append(st.first, v[0])
			if len(v) > 1 {
				st.second = append(st.second, v[1])
			}
		}
	}
	return st
}

func (st starts) mayMatch(k []rune) bool {
	for _, r := range st.first {
		if r == k[0] {
			return true
		}
	}
	if len(k) > 1 {
		for _, r := range st.second {
			if r == k[1] {
				return true
			}
		}
	}
	return false
}

// match scores how well a keyword occurs in the tokens (0: not at all) and
// says where. A phrase of several words weighs more than a single word; one
// extra word may stand between its words ("how do I use" matches "how do I
// best use", "як цим користуватись" matches "як користуват"). whole says
// whether the best match has every word of the keyword letter for letter,
// one after the other.
func (kw keyword) match(tokens [][][]rune, known [][]Intent) (float64, int, bool) {
	best, at, whole := 0.0, 0, false
	for i := range tokens {
		total, next, exact := 0.0, i, true
		for j, w := range kw.words {
			q, found := 0.0, -1
			gap := 1
			if j == 0 {
				gap = 0 // the first word must stand at i
			}
			for k := next; k < len(tokens) && k <= next+gap; k++ {
				for _, v := range tokens[k] {
					if v[0] != w[0] && (len(v) < 2 || len(w) < 2 || v[1] != w[1]) {
						continue // wordMatch needs one of the first two letters alike
					}
					m := wordMatch(v, w)
					if m < 0.8 && known[k] != nil && !containsIntent(known[k], kw.family) {
						continue // a word of the language that means something else, not a typo
					}
					if k > next {
						m *= 0.8 // a word in between makes the phrase a little less sure
					}
					if m > q {
						q, found = m, k
					}
				}
				if q > 0 {
					break
				}
			}
			if q == 0 {
				total = 0
				break
			}
			total += q
			exact = exact && q == 1
			next = found + 1
		}
		if total > best || total == best && total > 0 && exact && !whole {
			best, at, whole = total, i, exact
		}
	}
	return best, at, whole
}

// wordMatch compares a word of the message with a keyword: 1 for the same
// word, less for a longer word that starts with the keyword (a stem), for a
// word cut short, and for a typo.
func wordMatch(t, k []rune) float64 {
	if equal(t, k) {
		return 1
	}
	if len(k) < 4 {
		if len(k) == 3 && swapped(t, k) {
			return 0.7
		}
		return 0 // short words only match whole: "hi" is not "hilfe"
	}
	if len(k) == 4 && swapped(t, k) {
		return 0.7 // "hlep", "wrok": the one typo a short word is allowed
	}
	if len(t) > len(k) && equal(t[:len(k)], k) {
		return 0.9
	}
	if len(t) >= 4 && len(t) >= len(k)-1 && len(t) < len(k) && equal(k[:len(t)], t) {
		return 0.8
	}
	if len(k) < 5 || (t[0] != k[0] && (len(t) < 2 || t[1] != k[1])) {
		return 0
	}
	limit := 1
	if len(k) >= 9 {
		limit = 2
	}
	// a typo in the word itself, or in the stem of a longer word
	for _, l := range []int{len(t), len(k) - 1, len(k), len(k) + 1} {
		if l < 4 || l > len(t) || abs(l-len(k)) > limit {
			continue
		}
		if near(t[:l], k, limit) {
			if l == len(t) {
				return 0.7
			}
			return 0.6
		}
	}
	return 0
}

// decide picks the intent with the highest score, families first: asking
// about one service counts for services, "this week" for encounters.
func decide(scores map[Intent]float64) Result {
	family := map[Intent]float64{}
	bestService, bestServiceScore := "", 0.0
	for intent, s := range scores {
		switch {
		case strings.HasPrefix(string(intent), ServicePrefix):
			family[Services] += s
			if s > bestServiceScore {
				bestService, bestServiceScore = strings.TrimPrefix(string(intent), ServicePrefix), s
			}
		case intent == EncountersWeek:
			family[Encounters] += s
		default:
			family[intent] += s
		}
	}
	// "Guten Tag, Telefonnummer bitte" is a question, not a greeting: a
	// greeting or a thank-you wins only when the message asks nothing else.
	for _, social := range []Intent{Greeting, Thanks} {
		if family[social] > 0 && len(family) > 1 {
			delete(family, social)
		}
	}
	if s := family[Agency]; s > 0 {
		delete(family, Agency)
		if len(family) == 0 {
			family[Services] = s
		}
	}
	var best Intent
	bestScore := 0.0
	for _, intent := range intentKeys {
		if s := family[intent]; s > bestScore {
			best, bestScore = intent, s
		}
	}
	if best == Help && bestServiceScore >= 0.7 {
		// "Ich erlebe Diskriminierung, was kann ich tun?" asks about the
		// service it names, not how the bot works; so does the same with
		// the topic mistyped ("racsim at work what can i do")
		best = Services
	}
	r := Result{Intent: best, Score: bestScore}
	switch best {
	case Services:
		if bestService != "" {
			r.Intent, r.Service = Intent(ServicePrefix+bestService), bestService
		}
	case Encounters:
		if scores[EncountersWeek] > 0 {
			r.Intent = EncountersWeek
		}
	}
	return r
}

// swapped says whether t is k with two neighbouring letters after the
// first swapped: a thumb that is quicker than the other ("yuo", "hlep").
func swapped(t, k []rune) bool {
	if len(t) != len(k) || t[0] != k[0] {
		return false
	}
	for i := 1; i+1 < len(k); i++ {
		if t[i] != k[i] {
			return t[i] == k[i+1] && t[i+1] == k[i] && equal(t[i+2:], k[i+2:])
		}
	}
	return false
}

func equal(a, b []rune) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// near says whether a and b are at most limit edits apart. For one edit,
// the most common case, it compares in one pass instead of filling the
// distance table: this is the classifier's hottest loop.
func near(a, b []rune, limit int) bool {
	if limit != 1 {
		return distance(a, b, limit) <= limit
	}
	if len(a) < len(b) {
		a, b = b, a
	}
	if len(a)-len(b) > 1 {
		return false
	}
	i := 0
	for i < len(b) && a[i] == b[i] {
		i++
	}
	if len(a) != len(b) { // one letter more in a
		return equal(a[i+1:], b[i:])
	}
	if i >= len(a)-1 { // equal, or one substitution at the end
		return true
	}
	if equal(a[i+1:], b[i+1:]) { // one substitution
		return true
	}
	return a[i] == b[i+1] && a[i+1] == b[i] && equal(a[i+2:], b[i+2:]) // swapped neighbours
}

// distance is the optimal string alignment distance (Levenshtein with
// swapped neighbours), giving up above limit.
func distance(a, b []rune, limit int) int {
	if abs(len(a)-len(b)) > limit {
		return limit + 1
	}
	var buf [3 * 32]int // keywords are short: no allocation for them
	rows := buf[:]
	if n := 3 * (len(b) + 1); n > len(rows) {
		rows = make([]int, n)
	}
	w := len(b) + 1
	prev2, prev, cur := rows[:w], rows[w:2*w], rows[2*w:3*w]
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		rowMin := cur[0]
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
			rowMin = min(rowMin, cur[j])
		}
		if rowMin > limit {
			return limit + 1
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(b)]
}

// familyOf maps an intent to the main intent it counts for: a service's to
// Services, this week's meetings to Encounters.
func familyOf(i Intent) Intent {
	switch {
	case strings.HasPrefix(string(i), ServicePrefix):
		return Services
	case i == EncountersWeek:
		return Encounters
	}
	return i
}

func containsIntent(is []Intent, i Intent) bool {
	for _, x := range is {
		if x == i {
			return true
		}
	}
	return false
}
