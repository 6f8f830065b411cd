package understand

import "math"

// reviewParams say when the model has a say over what the keyword stage
// found, all chosen by cross-validation on the tuning set (see
// TestCrossValidationWhole and BenchmarkReviewSelection).
type reviewParams struct {
	exactStands float64 // a keyword match letter for letter with at least this score stands
	fuzzyStands float64 // a match with typos or cut short with at least this score stands
	coverage    float64 // the share of the message's letter sequences the model must know to have a say
	veto        float64 // the probability of out-of-scope at which the message is answered not-understood
	vetoFound   float64 // or the probability of the intent found under which it is
	take        float64 // the probability another main intent needs to replace the keyword stage's
	// helpTakes is the probability of help at which a keyword of the menu
	// or the language picker found beside one of help is taken for a
	// question about the bot ("what do the numbers in the menu mean",
	// "I typed menu and nothing came").
	helpTakes float64
	// choose is the probability at which, when keywords of several main
	// intents match, the likeliest of them by the model replaces the one
	// the keyword stage found.
	choose float64
	// overrule is the probability at which the model's likeliest main
	// intent replaces the one the keyword stage found, up to a score of
	// overruleUpTo ("is a person reading this" names a person but asks
	// about the bot).
	overrule     float64
	overruleUpTo float64
}

// chosenReview are the figures cross-validation chose: a keyword found
// letter for letter stands; a match with typos or cut short, short of two
// good words, is answered not-understood when the model gives the
// out-of-scope class at least one chance in two, or the intent found less
// than one in five. Of the cheapest rules (see cost), the one kept is the
// cheapest that loses at most 0.5 % of any language's phrasings: the
// keyword stage was written on them, so a veto that loses some of them
// loses more on new ones. Replacing the intent never paid off. With that
// veto, when keywords of several main intents match, the likeliest of
// them by the model is found from six chances in ten (cost 0.2091 →
// 0.2043, 29 more phrasings right); a menu or language keyword found
// beside one of help gives way to help from three chances in ten (→
// 0.2037, 7 more). Letting the menu give way to help without a help
// keyword cost more: menu requests such as "show me the menu" read like
// help to the model. A main intent found on up to two keywords gives way
// to another the model gives eight chances in ten (→ 0.2023, 8 more),
// though the keyword stage was written on these phrasings and so is
// harder to overrule here than on new ones. Overruling stronger matches
// too gains nothing more and asks the model about nearly every message
// instead of 70 %; up to one keyword asks it about half, for 0.2025.
// Overruling before the veto, so that a weak match the model is sure is
// another main intent gets that intent and not the not-understood
// answer: → 0.2012, 13 more (the veto had kept "take" from ever paying).
var chosenReview = reviewParams{exactStands: 1, fuzzyStands: 2, coverage: 0, veto: 0.5, vetoFound: 0.2, take: math.Inf(1), helpTakes: 0.3, choose: 0.6, overrule: 0.8, overruleUpTo: 2}

// review lets the model check what the keyword stage found. A main
// intent found on weak evidence: when the model finds the message likely
// one the bot does not answer, nothing is found ("Wie wird das Wetter
// morgen?" is not a question for this week's meetings); when it finds
// another main intent likely enough, that intent is found. A main intent
// found beside keywords of another: the likelier of them by the model
// ("when is the anti-racism training" asks for a meeting). Any main
// intent: the one the model is sure of. The menu or the language picker:
// help, when a help keyword matched too and the model finds the message a
// question about the bot. Every other intent stands.
func (m *linear) review(r Result, st strength, norm, lang string) Result {
	if !m.q.asks(r.Intent, st) {
		return r
	}
	p, cov := m.probs(norm, lang)
	switch class := m.q.outcome(r.Intent, st, p, cov); class {
	case keep:
		return r
	case classOut:
		return Result{}
	default:
		return st.result(class)
	}
}

// keep is the outcome of a review that leaves the keyword stage's intent.
const keep = -1

// asks says whether the model has a say over the intent found.
func (q reviewParams) asks(i Intent, st strength) bool {
	switch familyOf(i) {
	case Menu, Language:
		return !math.IsInf(q.helpTakes, 1)
	}
	return q.weak(i, st) || q.mixed(i, st) || q.overrules(i, st)
}

// overrules says whether the model may replace the main intent found
// however it was found.
func (q reviewParams) overrules(i Intent, st strength) bool {
	return classIndex(familyOf(i)) != classOut && !math.IsInf(q.overrule, 1) && st.score <= q.overruleUpTo
}

// outcome is the review's answer from the model's probabilities and its
// coverage: keep, classOut (not understood) or the main intent's class
// that replaces the one found.
func (q reviewParams) outcome(found Intent, st strength, p [classes]float64, cov float64) int {
	if cov == 0 {
		return keep
	}
	fam := familyOf(found)
	switch fam {
	case Menu, Language:
		if help := classIndex(Help); st.families[help] > 0 && p[help] >= q.helpTakes {
			return help
		}
		return keep
	}
	// Before the veto: a weak match the model finds to be another main
	// intent is that intent, not a message the bot does not answer.
	if q.overrules(found, st) {
		k := classIndex(fam)
		best := k
		for j := range classOut {
			if p[j] > p[best] {
				best = j
			}
		}
		if best != k && p[best] >= q.overrule {
			return best
		}
	}
	if q.weak(found, st) && cov >= q.coverage {
		switch class, veto, take := q.judge(p, fam); {
		case veto:
			return classOut
		case take:
			return class
		}
	}
	if q.mixed(found, st) {
		best := classIndex(fam)
		for k, s := range st.families {
			if s > 0 && p[k] > p[best] {
				best = k
			}
		}
		if best != classIndex(fam) && p[best] >= q.choose {
			return best
		}
	}
	return keep
}

// mixed says whether keywords of another main intent matched beside the
// main intent found.
func (q reviewParams) mixed(i Intent, st strength) bool {
	k := classIndex(familyOf(i))
	if k == classOut || math.IsInf(q.choose, 1) {
		return false
	}
	for j, s := range st.families {
		if j != k && s > 0 {
			return true
		}
	}
	return false
}

// result is the answer for a main intent's class the review chose: the
// service or this week's meetings when their keywords matched.
func (st strength) result(class int) Result {
	r := Result{Intent: modelIntents[class], Score: st.score}
	switch {
	case r.Intent == Services && st.service != "":
		r.Intent, r.Service = Intent(ServicePrefix+st.service), st.service
	case r.Intent == Encounters && st.week:
		r.Intent = EncountersWeek
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

// judge says, from the model's probabilities, whether a weak match of the
// family found is vetoed, or replaced by the model's likeliest main intent.
func (q reviewParams) judge(p [classes]float64, found Intent) (class int, veto, take bool) {
	best := 0
	for k := 1; k < classOut; k++ {
		if p[k] > p[best] {
			best = k
		}
	}
	if p[classOut] >= q.veto || p[classIndex(found)] < q.vetoFound {
		return classOut, true, false
	}
	if modelIntents[best] != found && p[best] >= q.take {
		return best, false, true
	}
	return best, false, false
}

// classIndex is the model's class of a main intent.
func classIndex(i Intent) int {
	for k, in := range modelIntents {
		if in == i {
			return k
		}
	}
	return classOut
}
