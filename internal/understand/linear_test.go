package understand

import (
	"fmt"
	"io/fs"
	"math"
	"runtime"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/integrationsagentur-marl/integrabot/content"
	"github.com/integrationsagentur-marl/integrabot/internal/agency"
	"github.com/integrationsagentur-marl/integrabot/internal/i18n"
	"github.com/integrationsagentur-marl/integrabot/locales"
)

// folds is the k of the k-fold cross-validation.
const folds = 5

// inputs returns what Build gives New for the agency's default content.
func inputs(t testing.TB) (map[string]Words, map[string]map[string][]string) {
	t.Helper()
	cat, err := i18n.Load(locales.FS())
	if err != nil {
		t.Fatal(err)
	}
	var codes []string
	for _, l := range cat.Languages() {
		codes = append(codes, l.Code)
	}
	words, err := LoadWords(locales.FS(), codes)
	if err != nil {
		t.Fatal(err)
	}
	c, err := agency.Load(codes, content.Default())
	if err != nil {
		t.Fatal(err)
	}
	return buildInputs(words, c)
}

// foldOf spreads each language's list of each class evenly over the folds.
func foldOf(examples []example) []int {
	at := map[string]int{}
	out := make([]int, len(examples))
	for i, e := range examples {
		key := fmt.Sprint(e.lang, e.class)
		out[i] = at[key] % folds
		at[key]++
	}
	return out
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// judgedLinear is one tuning example as the linear model trained without
// its fold saw it.
type judgedLinear struct {
	example
	probs    [classes]float64 // the model's probabilities
	coverage float64          // the share of the message's letter sequences the model knew (0: none)
	keyword  Intent           // what the keyword stage found
	strength strength         // and how sure it was
}

// crossValidateLinear trains the model k times, each time without one fold,
// and judges that fold. The thresholds are applied afterwards: one training
// serves every threshold.
func crossValidateLinear(t testing.TB, p linearParams) []judgedLinear {
	words, services := inputs(t)
	kw := New(words, services, "de", "en")
	examples := tuningSet()
	fold := foldOf(examples)
	perFold := make([][]judgedLinear, folds)
	var wg sync.WaitGroup
	for f := range folds {
		wg.Go(func() {
			var train []example
			for i, e := range examples {
				if fold[i] != f {
					train = append(train, e)
				}
			}
			m := trainLinear(p, words, services, train)
			for i, e := range examples {
				if fold[i] != f {
					continue
				}
				norm := Normalize(e.text)
				probs, cov := m.probs(norm, e.lang)
				r, st := kw.keywords(tokens(norm), e.lang)
				perFold[f] = append(perFold[f], judgedLinear{example: e, probs: probs, coverage: cov, keyword: r.Intent, strength: st})
			}
		})
	}
	wg.Wait()
	var out []judgedLinear
	for _, js := range perFold {
		out = append(out, js...)
	}
	return out
}

// TestCrossValidation reports the chosen model's 5-fold cross-validated
// figures on the tuning set, per language: the share of main-intent
// phrasings it gets right on its own (the keyword stage aside) and gives
// another main intent, and the share of out-of-scope messages it gives a
// main intent's screen, alone and with the keyword stage before it. It
// fails when the cost (see cost) rises above what the model was chosen
// with, or a language's accuracy falls below its floor.
func TestCrossValidation(t *testing.T) {
	js := crossValidateLinear(t, chosenLinear)
	byLang := tallies(js, func(j judgedLinear) int { return alone(j, chosenLinear) })
	withKeywords := tallies(js, func(j judgedLinear) int {
		if j.keyword == None {
			return alone(j, chosenLinear)
		}
		return classIndex(familyOf(j.keyword))
	})
	var all tally
	var report []string
	for lang, f := range byLang {
		all.right, all.notUnderstood, all.wrong, all.positives = all.right+f.right, all.notUnderstood+f.notUnderstood, all.wrong+f.wrong, all.positives+f.positives
		all.opened, all.negatives = all.opened+f.opened, all.negatives+f.negatives
		name := lang
		if lang == "" {
			name = "(every)" // the out-of-scope messages of every language
		}
		report = append(report, fmt.Sprintf("%-12s accuracy %5.1f %% (%d/%d) wrong intent %4.1f %%  opened %4.1f %% (%d/%d), with keywords %4.1f %%",
			name, 100*f.accuracy(), f.right, f.positives, 100*float64(f.wrong)/float64(max(f.positives, 1)), 100*f.openRate(), f.opened, f.negatives, 100*withKeywords[lang].openRate()))
		if f.positives > 0 && f.accuracy() < minCVAccuracy {
			t.Errorf("%s: cross-validated accuracy %.1f %% < %.0f %%", lang, 100*f.accuracy(), 100*minCVAccuracy)
		}
	}
	sort.Strings(report)
	c := cost(byLang)
	t.Logf("%d-fold cross-validation on the tuning set, %+v:\nall          accuracy %5.1f %% (%d/%d) wrong intent %4.1f %%  opened %4.1f %% (%d/%d), cost %.4f\n%s",
		folds, chosenLinear, 100*all.accuracy(), all.right, all.positives, 100*float64(all.wrong)/float64(all.positives), 100*all.openRate(), all.opened, all.negatives, c, strings.Join(report, "\n"))
	if c > maxCVCost {
		t.Errorf("cross-validated cost %.4f > %.4f", c, maxCVCost)
	}
}

// What the chosen model reached, with a little room: cost 0.0784, ar the
// weakest at 91.0 %, on the tuning set it was chosen on; cost 0.0866, ar
// 85.8 % and fa 89.8 % once 2,400 harder phrasings (dialects, Arabizi,
// Finglish, transliteration, German words mixed in, near misses) joined
// the set. The model is the same: the set it is judged on is harder.
// Cost 0.1085, ar 84.0 % and fa 87.4 % once 488 more phrasings (questions
// about the bot and its menu, meetings that name a service, everyday
// questions for the four screens) and 311 more out-of-scope messages
// (menu and language requests, near misses) joined it, with the pull to 0
// chosen again on it.
const (
	maxCVCost     = 0.11
	minCVAccuracy = 0.83
)

// The objective every choice of the second stage and its review is made
// by: what its errors cost, per message. A phrasing of a main intent
// answered not-understood costs costNotUnderstood (the resident asks again
// or taps the menu); one given another main intent's screen costs
// costWrongScreen, and so does an out-of-scope message given a screen
// (costOpened): an unrelated screen misleads, not-understood only asks
// again. Out-of-scope messages are taken for outOfScopeShare of what
// residents write.
const (
	costNotUnderstood = 1
	costWrongScreen   = 2
	costOpened        = 2
	outOfScopeShare   = 0.25
)

// tally counts what an answering rule did with judged examples.
type tally struct {
	right, notUnderstood, wrong, positives int // main-intent phrasings
	opened, negatives                      int // out-of-scope messages
}

func (t *tally) add(class, got int) {
	if class == classOut {
		t.negatives++
		t.opened += boolInt(got != classOut)
		return
	}
	t.positives++
	switch got {
	case class:
		t.right++
	case classOut:
		t.notUnderstood++
	default:
		t.wrong++
	}
}

func (t tally) accuracy() float64 { return float64(t.right) / float64(max(t.positives, 1)) }
func (t tally) openRate() float64 { return float64(t.opened) / float64(max(t.negatives, 1)) }

// inScopeCost is the cost per main-intent phrasing.
func (t tally) inScopeCost() float64 {
	return float64(costNotUnderstood*t.notUnderstood+costWrongScreen*t.wrong) / float64(max(t.positives, 1))
}

// cost is the objective: the expected cost of a message, with the cost
// per main-intent phrasing the mean over the languages (every language
// weighs the same, however many phrasings it has) and the share of
// out-of-scope messages given a screen counted over all languages (about
// 50 a language: too few to count apart).
func cost(byLang map[string]*tally) float64 {
	in, langs := 0.0, 0
	var out tally
	for _, t := range byLang {
		if t.positives > 0 {
			in += t.inScopeCost()
			langs++
		}
		out.opened, out.negatives = out.opened+t.opened, out.negatives+t.negatives
	}
	return (1-outOfScopeShare)*in/float64(max(langs, 1)) + outOfScopeShare*costOpened*out.openRate()
}

// tallies counts got(j) for every judged example, per language.
func tallies(js []judgedLinear, got func(judgedLinear) int) map[string]*tally {
	out := map[string]*tally{}
	for _, j := range js {
		t := out[j.lang]
		if t == nil {
			t = &tally{}
			out[j.lang] = t
		}
		t.add(j.class, got(j))
	}
	return out
}

// alone is what the second stage answers on its own.
func alone(j judgedLinear, p linearParams) int {
	if j.coverage == 0 || j.coverage < p.coverage {
		return classOut
	}
	return p.decide(j.probs)
}

// bestThresholds returns the coverage and acceptance at which the second
// stage alone costs least, and that cost.
func bestThresholds(js []judgedLinear, p linearParams) (linearParams, float64) {
	best, bestCost := p, math.Inf(1)
	for _, cov := range []float64{0, 0.5, 0.7, 0.8, 0.85, 0.9} {
		for acc := 0.30; acc < 0.995; acc += 0.02 {
			q := p
			q.coverage, q.accept = cov, math.Round(acc*100)/100
			if c := cost(tallies(js, func(j judgedLinear) int { return alone(j, q) })); c < bestCost {
				best, bestCost = q, c
			}
		}
	}
	return best, bestCost
}

// BenchmarkLinearSelection is how the model's figures were chosen: a grid
// of features, passes, step size, pull to 0 and weight of the out-of-scope
// examples, cross-validated, each with the coverage and acceptance at which
// it costs least (see cost). Run it with -bench LinearSelection -benchtime
// 1x; it reports, it does not time.
func BenchmarkLinearSelection(b *testing.B) {
	type row struct {
		p    linearParams
		cost float64
		t    tally
	}
	var rows []row
	base := chosenLinear
	var grid []linearParams
	for _, f := range []featureParams{{2, 6, true, true}, {2, 7, true, true}, {2, 6, false, true}} {
		for _, l2 := range []float64{3e-3, 1e-2, 3e-2} {
			for _, ow := range []float64{4, 8} {
				p := base
				p.features, p.l2, p.outWeight = f, l2, ow
				grid = append(grid, p)
			}
		}
	}
	for _, rate := range []float64{0.1, 0.4} {
		p := base
		p.rate = rate
		grid = append(grid, p)
	}
	for _, epochs := range []int{3, 10} {
		p := base
		p.epochs = epochs
		grid = append(grid, p)
	}
	for range b.N {
		rows = rows[:0]
		for _, p := range grid {
			js := crossValidateLinear(b, p)
			q, c := bestThresholds(js, p)
			var all tally
			for _, t := range tallies(js, func(j judgedLinear) int { return alone(j, q) }) {
				all.right, all.notUnderstood, all.wrong, all.positives = all.right+t.right, all.notUnderstood+t.notUnderstood, all.wrong+t.wrong, all.positives+t.positives
				all.opened, all.negatives = all.opened+t.opened, all.negatives+t.negatives
			}
			rows = append(rows, row{q, c, all})
			fmt.Printf("cost %.4f accuracy %5.1f %% wrong %4.1f %% opened %4.1f %% %+v\n", c, 100*all.accuracy(), 100*float64(all.wrong)/float64(all.positives), 100*all.openRate(), q)
		}
	}
	sort.Slice(rows, func(i, j int) bool { return rows[i].cost < rows[j].cost })
	var out []string
	for _, r := range rows {
		out = append(out, fmt.Sprintf("cost %.4f accuracy %5.1f %% opened %4.1f %% %+v", r.cost, 100*r.t.accuracy(), 100*r.t.openRate(), r.p))
	}
	fmt.Printf("cross-validated, best first:\n%s\n", strings.Join(out, "\n"))
}

// BenchmarkTrainLinear measures building the model at start-up: time per
// build, the memory the built model keeps and the count of its features.
func BenchmarkTrainLinear(b *testing.B) {
	words, services := inputs(b)
	examples := tuningSet()
	var before, after runtime.MemStats
	var m *linear
	runtime.GC()
	runtime.ReadMemStats(&before)
	start := time.Now()
	for range b.N {
		m = trainLinear(chosenLinear, words, services, examples)
	}
	b.ReportMetric(float64(time.Since(start).Milliseconds())/float64(b.N), "ms/build")
	runtime.GC()
	runtime.ReadMemStats(&after)
	b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/(1<<20), "MB-kept")
	b.ReportMetric(float64(m.weights.n), "features")
	runtime.KeepAlive(m)
}

// A language's name asks for that language, which the bot then offers: the
// second stage must not read it as a question for one of the main intents.
func TestSecondStageLeavesLanguageNames(t *testing.T) {
	words, services := inputs(t)
	c := New(words, services, "de", "en")
	data, err := fs.ReadFile(locales.FS(), "languages.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var langs []struct {
		Code  string   `yaml:"code"`
		Name  string   `yaml:"name"`
		Names []string `yaml:"names"`
	}
	if err := yaml.Unmarshal(data, &langs); err != nil {
		t.Fatal(err)
	}
	for _, l := range langs {
		for _, name := range append([]string{l.Name}, l.Names...) {
			for _, resident := range langs {
				if got, _ := c.guess.classify(Normalize(name), resident.Code); got != None {
					t.Errorf("%q in %s: %s, want none", name, resident.Code, got)
				}
			}
		}
	}
}

// BenchmarkProbs measures the model's part of an answer: the features of a
// typical message and their weights.
func BenchmarkProbs(b *testing.B) {
	words, services := inputs(b)
	m := trainLinear(chosenLinear, words, services, tuningSet())
	norm := Normalize("kann ich mich bei euch ehrenamtlich engagieren")
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		m.probs(norm, "de")
	}
}
