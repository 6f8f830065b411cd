package understand

import (
	"math"
	"math/rand/v2"
	"slices"
)

// The second stage: when no keyword matches, a multinomial logistic
// regression over the letter sequences and words of the normalised message
// guesses which of the four main intents it asks for, or that it asks for
// none of them. It learns from the tuning phrasings, the intent words, the
// services' keywords and the out-of-scope messages, all inside the binary,
// and is trained when the classifier is built, the same way every time
// (fixed order, fixed seed): it then always fits the intent words it is
// built with, and no generated file can go stale.

// linearParams are the model's choices, all made by cross-validation on
// the tuning set (see TestCrossValidation and BenchmarkLinearSelection).
type linearParams struct {
	features  featureParams
	epochs    int     // passes over the training set
	rate      float64 // step size of the stochastic gradient descent
	l2        float64 // how much every step pulls the touched weights to 0
	outWeight float64 // weight of an out-of-scope example against a main intent's
	accept    float64 // the probability the best main intent needs to be answered
	coverage  float64 // the share of the message's letter sequences the model must know
}

// chosenLinear are the figures cross-validation chose: letter sequences of
// 2 to 6, words and pairs of words; an out-of-scope example weighs eight
// phrasings; a main intent is answered from 58 chances in a hundred. Ten
// passes cost 4 % less than five but take twice as long to train at
// start-up. On the tuning set with the questions about the menu, the
// meetings that name a service and the menu requests, a lighter pull to 0
// (0.003, was 0.01) costs 0.1085 instead of 0.1093 alone and 0.2037
// instead of 0.2053 with the keyword stage and its review; letter
// sequences up to 7 cost 0.1055 alone but make a third more features.
// Learning each phrasing also mistyped once (a letter dropped or swapped,
// words run together, Cyrillic typed in Latin letters) cost 0.1056
// instead of 0.1082 alone and 0.1922 instead of 0.1945 whole, before the
// last 300 phrasings joined, but doubled the time to train and did no
// better on the held-out sets: not kept.
var chosenLinear = linearParams{features: featureParams{minN: 2, maxN: 6, words: true, bigrams: true}, epochs: 5, rate: 0.4, l2: 0.003, outWeight: 8, accept: 0.58, coverage: 0.7}

// linear is the trained model; it does not change after training.
type linear struct {
	p    linearParams
	q    reviewParams
	rows map[uint64]int32 // feature → row of w, while training
	w    []float32        // classes per row, while training
	// weights are the rows' weights as the model reads them (see
	// weights.go); rows and w are dropped once they are built.
	weights weights
	bias    [classes]float32
}

// sample is one training message as the rows of its features.
type sample struct {
	rows   []int32
	class  int
	weight float32
}

// trainLinear learns from the intent words, the services' keywords and the
// examples. A message for every language is learned once in each.
func trainLinear(p linearParams, words map[string]Words, services map[string]map[string][]string, examples []example) *linear {
	// about as many features as the tuning set has: the map need not grow
	m := &linear{p: p, q: chosenReview, rows: make(map[uint64]int32, 1<<19)}
	langs := make([]string, 0, len(words))
	for lang := range words {
		langs = append(langs, lang)
	}
	slices.Sort(langs) // a fixed order: the same model every time
	var samples []sample
	var buf []uint64
	learn := func(lang, text string, class int) {
		norm := Normalize(text)
		if norm == "" {
			return
		}
		weight := float32(1)
		if class == classOut {
			weight = float32(p.outWeight)
		}
		each := []string{lang}
		if lang == "" {
			each = langs
		}
		for _, l := range each {
			fs := p.features.extract(norm, l, buf)
			buf = fs.keys
			rows := make([]int32, len(fs.keys))
			for i, k := range fs.keys {
				r, ok := m.rows[k]
				if !ok {
					r = int32(len(m.rows))
					m.rows[k] = r
				}
				rows[i] = r
			}
			samples = append(samples, sample{rows: rows, class: class, weight: weight})
		}
	}
	for _, lang := range langs {
		ws := words[lang]
		for _, intent := range intentKeys {
			if class, ok := classOf(intent); ok {
				for _, w := range ws[intent] {
					learn(lang, w, class)
				}
			}
		}
	}
	ids := make([]string, 0, len(services))
	for id := range services {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		for _, lang := range langs {
			for _, w := range services[id][lang] {
				learn(lang, w, classIndex(Services))
			}
		}
	}
	for _, e := range examples {
		learn(e.lang, e.text, e.class)
	}
	m.fit(samples)
	m.weights = newWeights(m.rows, m.w)
	m.rows, m.w = nil, nil
	return m
}

// fit runs stochastic gradient descent on the log loss, each feature with
// its own step size (AdaGrad: a feature seen often takes smaller steps).
// The weights kept are the mean of the weights after every step of the
// last pass, steadier than the last ones.
func (m *linear) fit(samples []sample) {
	// One feature's weights, the sum of its squared gradients and its
	// steps for the mean lie together: a step touches them all.
	type row struct {
		w, u [classes]float32
		g2   float32
	}
	rows := make([]row, len(m.rows))
	var bias [classes]float64
	rng := rand.New(rand.NewPCG(1, 2))
	order := make([]int, len(samples))
	for i := range order {
		order[i] = i
	}
	rate, l2 := float32(m.p.rate), float32(m.p.l2)
	c := float32(1)
	for epoch := range m.p.epochs {
		last := epoch == m.p.epochs-1
		rng.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
		for _, i := range order {
			s := &samples[i]
			scale := float32(1 / math.Sqrt(float64(len(s.rows))))
			var z [classes]float64
			var zs [classes]float32
			for _, r := range s.rows {
				w := &rows[r].w
				for k := range classes {
					zs[k] += w[k]
				}
			}
			for k := range classes {
				z[k] = bias[k] + float64(zs[k]*scale)
			}
			softmax(&z)
			var g [classes]float32
			for k := range classes {
				y := 0.0
				if k == s.class {
					y = 1
				}
				g[k] = float32(z[k]-y) * s.weight
				bias[k] -= 0.1 * float64(g[k])
			}
			for _, r := range s.rows {
				row := &rows[r]
				var gk [classes]float32
				sq := float32(0)
				for k := range classes {
					gk[k] = g[k]*scale + l2*row.w[k]
					sq += gk[k] * gk[k]
				}
				row.g2 += sq
				step := rate / float32(math.Sqrt(float64(row.g2)+1e-8))
				for k := range classes {
					d := step * gk[k]
					row.w[k] -= d
					if last {
						row.u[k] -= c * d
					}
				}
			}
			if last {
				c++
			}
		}
	}
	m.w = make([]float32, len(rows)*classes)
	for r := range rows {
		for k := range classes {
			m.w[r*classes+k] = rows[r].w[k] - rows[r].u[k]/c
		}
	}
	for k := range classes {
		m.bias[k] = float32(bias[k])
	}
}

// softmax turns scores into probabilities, in place.
func softmax(z *[classes]float64) {
	top := z[0]
	for _, v := range z[1:] {
		top = max(top, v)
	}
	sum := 0.0
	for k, v := range z {
		z[k] = math.Exp(v - top)
		sum += z[k]
	}
	for k := range z {
		z[k] /= sum
	}
}

// probs returns the model's probability of each class for the normalised
// message, and the share of its letter sequences the model knows (0: none,
// and nothing to judge by).
func (m *linear) probs(norm, lang string) ([classes]float64, float64) {
	var buf [1024]uint64 // enough for a question of 80 letters; a longer one allocates
	fs := m.p.features.extract(norm, lang, buf[:0])
	var z [classes]float64
	if len(fs.keys) == 0 {
		return z, 0
	}
	scale := float32(1 / math.Sqrt(float64(len(fs.keys))))
	for k := range classes {
		z[k] = float64(m.bias[k])
	}
	known := 0
	for i, key := range fs.keys {
		row := m.weights.of(key)
		if row == nil {
			continue
		}
		if i < 2*fs.ngrams && i%2 == 1 {
			known++ // the shared letter sequence: seen in some language
		}
		for k := range classes {
			z[k] += float64(row[k] * scale)
		}
	}
	softmax(&z)
	return z, float64(known) / float64(max(fs.ngrams, 1))
}

// classify returns the main intent the message most likely asks for and
// its probability, or None when the message cannot be judged or no main
// intent is likely enough.
func (m *linear) classify(norm, lang string) (Intent, float64) {
	p, cov := m.probs(norm, lang)
	if cov == 0 || cov < m.p.coverage {
		return None, 0
	}
	if class := m.p.decide(p); class != classOut {
		return modelIntents[class], p[class]
	}
	return None, 0
}

// decide picks the likeliest main intent when it is likely enough.
func (p linearParams) decide(probs [classes]float64) int {
	best := 0
	for k := range classOut {
		if probs[k] > probs[best] {
			best = k
		}
	}
	if probs[best] < p.accept {
		return classOut
	}
	return best
}
