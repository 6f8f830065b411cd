package understand

import (
	"fmt"
	"math"
	"sort"
	"strings"
	"testing"
)

// answer is the main intent class the whole classifier gives a judged
// example with the model trained without its fold: the keyword stage, the
// model's review of a weak match, and the model alone when no keyword
// matches. classOut stands for every answer that is not a main intent's
// screen.
func answer(j judgedLinear, p linearParams, q reviewParams) int {
	if j.keyword == None {
		return alone(j, p)
	}
	if q.asks(j.keyword, j.strength) {
		if class := q.outcome(j.keyword, j.strength, j.probs, j.coverage); class != keep {
			return class
		}
	}
	return classIndex(familyOf(j.keyword))
}

// noReview is the classifier without the model's review of the keyword stage.
var noReview = reviewParams{exactStands: math.Inf(-1), fuzzyStands: math.Inf(-1), veto: math.Inf(1), vetoFound: math.Inf(-1), take: math.Inf(1), helpTakes: math.Inf(1), choose: math.Inf(1), overrule: math.Inf(1), overruleUpTo: math.Inf(-1)}

// TestCrossValidationWhole reports the whole classifier's 5-fold
// cross-validated figures on the tuning set, without and with the model's
// review of weak keyword matches, per language: the share of main-intent
// phrasings it gets right and of out-of-scope messages that get a main
// intent's screen, and the cost (see cost). The keyword stage's words were
// written with the tuning phrasings in view, so its part of the accuracy is
// not cross-validated: the figures say how much the review costs and gains,
// not how the bot does on new phrasings. It fails when the review loses
// what it was chosen with.
func TestCrossValidationWhole(t *testing.T) {
	js := crossValidateLinear(t, chosenLinear)
	before := tallies(js, func(j judgedLinear) int { return answer(j, chosenLinear, noReview) })
	after := tallies(js, func(j judgedLinear) int { return answer(j, chosenLinear, chosenReview) })
	line := func(lang string, b, a tally) string {
		if lang == "" {
			lang = "(every)" // the out-of-scope messages of every language
		}
		return fmt.Sprintf("%-12s accuracy %5.1f %% → %5.1f %% (%d → %d/%d)  opened %4.1f %% → %4.1f %% (%d → %d/%d)",
			lang, 100*b.accuracy(), 100*a.accuracy(), b.right, a.right, a.positives,
			100*b.openRate(), 100*a.openRate(), b.opened, a.opened, a.negatives)
	}
	var report []string
	var b, a tally
	for lang := range after {
		report = append(report, line(lang, *before[lang], *after[lang]))
		b.right, b.positives, b.opened, b.negatives = b.right+before[lang].right, b.positives+before[lang].positives, b.opened+before[lang].opened, b.negatives+before[lang].negatives
		a.right, a.positives, a.opened, a.negatives = a.right+after[lang].right, a.positives+after[lang].positives, a.opened+after[lang].opened, a.negatives+after[lang].negatives
	}
	sort.Strings(report)
	t.Logf("%d-fold cross-validation of the whole classifier on the tuning set, without → with the review %+v, cost %.4f → %.4f:\n%s\n%s",
		folds, chosenReview, cost(before), cost(after), line("all", b, a), strings.Join(report, "\n"))
	if c := cost(after); c > maxWholeCost {
		t.Errorf("cross-validated cost %.4f > %.4f", c, maxWholeCost)
	}
}

// What the chosen review reached, rounded up to a hundredth: 0.1175 on
// the tuning set it was chosen on, 0.1688 once 2,400 harder phrasings and
// 500 near misses joined it (most of the rise: near misses that share a
// keyword such as "Termin" or "номер" with the bot's topics); 0.2012
// once 488 phrasings and 311 out-of-scope messages more joined it, most
// of the rise again near misses and menu requests that share a keyword
// with a main intent (0.2091 without the choice among the intents found,
// help over the menu and the model overruling).
const maxWholeCost = 0.21

// BenchmarkReviewSelection is how the review's figures were chosen: a grid
// of when a keyword match stands and how sure the model must be to veto or
// replace it, cross-validated, the cheapest first (see cost). Run it with
// -bench ReviewSelection -benchtime 1x; it reports, it does not time.
func BenchmarkReviewSelection(b *testing.B) {
	js := crossValidateLinear(b, chosenLinear)
	type row struct {
		q       reviewParams
		cost    float64
		t       tally
		weakest float64 // the lowest accuracy of a language
	}
	inf := math.Inf(1)
	run := func(q reviewParams) row {
		ts := tallies(js, func(j judgedLinear) int { return answer(j, chosenLinear, q) })
		r := row{q: q, cost: cost(ts), weakest: 1}
		for _, t := range ts {
			if t.positives > 0 {
				r.weakest = min(r.weakest, t.accuracy())
			}
			r.t.right, r.t.positives, r.t.opened, r.t.negatives = r.t.right+t.right, r.t.positives+t.positives, r.t.opened+t.opened, r.t.negatives+t.negatives
		}
		return r
	}
	var rows []row
	for range b.N {
		rows = rows[:0]
		for _, exact := range []float64{1, 1.5, 2, 2.5, 3, inf} {
			for _, fuzzy := range []float64{1, 1.5, 2, 2.5, 3, inf} {
				for _, cov := range []float64{0, 0.7} {
					for _, veto := range []float64{0.15, 0.2, 0.25, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, inf} {
						for _, vetoFound := range []float64{math.Inf(-1), 0.05, 0.1, 0.2, 0.3, 0.4} {
							for _, take := range []float64{0.6, 0.8, 0.9, inf} {
								rows = append(rows, run(reviewParams{exactStands: exact, fuzzyStands: fuzzy, coverage: cov,
									veto: veto, vetoFound: vetoFound, take: take, helpTakes: inf, choose: inf, overrule: inf, overruleUpTo: math.Inf(-1)}))
							}
						}
					}
				}
			}
		}
	}
	before := run(noReview)
	show := func(r row) string {
		return fmt.Sprintf("cost %.4f accuracy %5.2f %% (%d, weakest language %5.2f %%) opened %5.2f %% (%d) %+v", r.cost, 100*r.t.accuracy(), r.t.right,
			100*r.weakest, 100*r.t.openRate(), r.t.opened, r.q)
	}
	sort.SliceStable(rows, func(i, j int) bool { return rows[i].cost < rows[j].cost })
	out := []string{"without review: " + show(before)}
	for _, r := range rows[:min(25, len(rows))] {
		out = append(out, show(r))
	}
	fmt.Printf("cross-validated, best first:\n%s\n", strings.Join(out, "\n")) // b.Logf keeps ten lines
	// The cheapest rule that keeps every language's accuracy above a
	// floor: the keyword stage was written on these phrasings, so a veto
	// that loses some of them here loses more on new ones.
	out = out[:0]
	for _, floor := range []float64{0.99, 0.992, 0.994, 0.995, 0.996, 0.998, 0.999, 1} {
		for _, r := range rows {
			if r.weakest >= floor {
				out = append(out, fmt.Sprintf("weakest ≥ %5.1f %%: %s", 100*floor, show(r)))
				break
			}
		}
	}
	fmt.Printf("the cheapest for each floor of the weakest language's accuracy:\n%s\n", strings.Join(out, "\n"))
	// With the veto chosen: when a keyword of the menu or the language
	// picker found beside one of help gives way to help, when the model
	// chooses among the main intents whose keywords matched, and when it
	// overrules the keyword stage.
	out = out[:0]
	var more []row
	for _, helpTakes := range []float64{0.1, 0.2, 0.3, 0.4, 0.5, 0.6, inf} {
		for _, choose := range []float64{0, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7, 0.8, inf} {
			for _, overrule := range []float64{0.6, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95, inf} {
				for _, upTo := range []float64{1, 2, inf} {
					q := chosenReview
					q.helpTakes, q.choose, q.overrule, q.overruleUpTo = helpTakes, choose, overrule, upTo
					more = append(more, run(q))
				}
			}
		}
	}
	sort.SliceStable(more, func(i, j int) bool { return more[i].cost < more[j].cost })
	for _, r := range more[:min(10, len(more))] {
		out = append(out, show(r))
	}
	fmt.Printf("with the veto chosen, help over the menu, a choice among the intents found and the model overruling, best first:\n%s\n", strings.Join(out, "\n"))
}

// A message that shares only a mistyped or cut word with a main intent's
// keywords, and reads like those the bot does not answer, gets nothing; a
// mistyped question still gets its intent, and a keyword found letter for
// letter stands.
func TestReviewVetoesWeakMatches(t *testing.T) {
	words, services := inputs(t)
	c := New(words, services, "de", "en")
	for _, tc := range []struct {
		text, lang string
		want       Intent
	}{
		{"almanca", "en", None},
		{"Bayern ist Meister, langweilig", "de", None},
		{"Спартак опять проиграл", "ru", None},
		{"telefonnumer bitte", "de", Contacts},
		{"wie kan ich euch erreichen", "de", Contacts},
		{"Telefonnummer?", "de", Contacts},
		{"guten tag, telefonnummer bitte", "de", Contacts},
		{"danke, und die telefonnummer?", "de", Contacts},
		{"nuumaranız", "tr", Contacts},
	} {
		if got := c.Classify(tc.text, tc.lang); familyOf(got.Intent) != tc.want {
			t.Errorf("%q in %s: %q, want %q", tc.text, tc.lang, got.Intent, tc.want)
		}
	}
}

// The review's answer from the model's probabilities: a main intent found
// beside another's keywords gives way to the likelier of them, any main
// intent to one the model is sure of, a menu keyword found beside one of
// help to help, and nothing else changes.
func TestReviewOutcome(t *testing.T) {
	q := reviewParams{exactStands: 1, fuzzyStands: 2, veto: 0.5, vetoFound: 0.2, take: math.Inf(1), helpTakes: 0.3, choose: 0.6, overrule: 0.8, overruleUpTo: 1}
	strong := func(families ...float64) strength {
		st := strength{score: 2, exact: true}
		copy(st.families[:], families)
		return st
	}
	one := strength{score: 1, exact: true, families: [classOut]float64{1}}
	weak := strength{score: 0.7, families: [classOut]float64{0.7}}
	for _, tc := range []struct {
		name  string
		found Intent
		st    strength
		p     [classes]float64
		want  int
	}{
		{"one intent found stands", Services, strong(0, 2), [classes]float64{0, 0.1, 0.7, 0, 0.2}, keep},
		{"the likelier of two found", Services, strong(0, 2, 1), [classes]float64{0, 0.2, 0.7, 0, 0.1}, classIndex(Encounters)},
		{"not likely enough", Services, strong(0, 2, 1), [classes]float64{0, 0.3, 0.5, 0, 0.2}, keep},
		{"an intent not found is not chosen", Services, strong(0, 2, 1), [classes]float64{0.7, 0.1, 0.05, 0, 0.15}, keep},
		{"a keyword found once gives way to what the model is sure of", Contacts, one, [classes]float64{0.05, 0, 0, 0.85, 0.1}, classIndex(Help)},
		{"two keywords stand", Contacts, strong(2), [classes]float64{0.05, 0, 0, 0.85, 0.1}, keep},
		{"out of scope does not overrule", Contacts, one, [classes]float64{0.05, 0, 0, 0.05, 0.9}, keep},
		{"a weak match the model finds another intent", Contacts, weak, [classes]float64{0.05, 0, 0, 0.85, 0.1}, classIndex(Help)},
		{"a weak match the model finds out of scope", Contacts, weak, [classes]float64{0.2, 0, 0, 0.2, 0.6}, classOut},
		{"the menu beside help", Menu, strong(0, 0, 0, 0.7), [classes]float64{0, 0, 0, 0.4, 0.6}, classIndex(Help)},
		{"the menu alone", Menu, strong(), [classes]float64{0, 0, 0, 0.9, 0.1}, keep},
		{"the menu beside help, help unlikely", Menu, strong(0, 0, 0, 0.7), [classes]float64{0, 0, 0, 0.2, 0.8}, keep},
		{"a greeting stands", Greeting, strong(0, 0, 0, 1), [classes]float64{0, 0, 0, 0.9, 0.1}, keep},
	} {
		if got := q.outcome(tc.found, tc.st, tc.p, 1); got != tc.want {
			t.Errorf("%s: %d, want %d", tc.name, got, tc.want)
		}
	}
}
