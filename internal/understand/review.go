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
}

// chosenReview are the figures cross-validation chose: a keyword found
// letter for letter stands; a match with typos or cut short, short of two
// good words, is answered not-understood when the model gives the
// out-of-scope class at least one chance in two, or the intent found less
// than one in five. Of the cheapest rules (see cost), the one kept is the
// cheapest that loses at most 0.5 % of any language's phrasings: the
// keyword stage was written on them, so a veto that loses some of them
// loses more on new ones. Replacing the intent never paid off.
var chosenReview = reviewParams{exactStands: 1, fuzzyStands: 2, coverage: 0, veto: 0.5, vetoFound: 0.2, take: math.Inf(1)}

// review lets the model check a main intent the keyword stage found on
// weak evidence: when the model finds the message likely one the bot does
// not answer, nothing is found ("Wie wird das Wetter morgen?" is not a
// question for this week's meetings); when it finds another main intent
// likely enough, that intent is found. Every other intent, and a strong
// match, stands.
func (m *linear) review(r Result, st strength, norm, lang string) Result {
	if !m.q.weak(r.Intent, st) {
		return r
	}
	p, cov := m.probs(norm, lang)
	if cov == 0 || cov < m.q.coverage {
		return r
	}
	switch class, veto, take := m.q.judge(p, familyOf(r.Intent)); {
	case veto:
		return Result{}
	case take:
		return Result{Intent: modelIntents[class], Score: st.score}
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
