package understand

import "strings"

// featureParams say which features of a normalised message the linear
// model reads.
type featureParams struct {
	minN, maxN int  // letter sequences (n-grams) of these lengths, spaces included
	words      bool // whole words
	bigrams    bool // two words that follow each other
}

// feature kinds, mixed into the hash so that a word and the letters of the
// same word are different features.
const (
	kindNgram uint64 = iota + 1
	kindWord
	kindBigram
)

// featureSet is the features of one message: every feature once in the
// message's language and once for all languages together (the loan words
// and names residents mix in), and how many of them are letter sequences.
type featureSet struct {
	keys   []uint64 // own language's feature, then the shared one, in pairs
	ngrams int      // the letter sequences among the pairs (they come first)
}

// extract returns the features of the normalised text in language lang
// (every language: ""), reusing buf.
func (p featureParams) extract(norm, lang string, buf []uint64) featureSet {
	keys := buf[:0]
	salt := langSalt(lang)
	add := func(h uint64) {
		keys = append(keys, mix(h, salt), h)
	}
	ngrams(norm, p.minN, p.maxN, func(h uint64) { add(h ^ kindNgram<<56) })
	fs := featureSet{ngrams: len(keys) / 2}
	if p.words || p.bigrams {
		var prev uint64
		n := 0
		for w := range strings.FieldsSeq(norm) {
			if n++; n > maxWords {
				break
			}
			h := hashString(w)
			if p.words {
				add(h ^ kindWord<<56)
			}
			if p.bigrams && prev != 0 {
				add(mix(prev, h) ^ kindBigram<<56)
			}
			prev = h
		}
	}
	fs.keys = keys
	return fs
}

// maxWords is how many words of a message the model reads, as maxRunes is
// how many letters.
const maxWords = 64

// langSalt makes a language's own features differ from the shared ones
// and from every other language's.
func langSalt(lang string) uint64 {
	if lang == "" {
		return 0
	}
	return hashString("lang:" + lang)
}

// hashString is FNV-1a of s.
func hashString(s string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		h = (h ^ uint64(s[i])) * 1099511628211
	}
	return h
}

// mix combines two hashes into one (a step of SplitMix64).
func mix(a, b uint64) uint64 {
	z := a ^ (b + 0x9e3779b97f4a7c15 + a<<6 + a>>2)
	z = (z ^ z>>30) * 0xbf58476d1ce4e5b9
	z = (z ^ z>>27) * 0x94d049bb133111eb
	return z ^ z>>31
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
