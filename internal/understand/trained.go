package understand

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"hash"
	"slices"
	"sync"
)

// trained remembers the last model trained and what it was trained on. A
// reload of the content that leaves the intent words and the services'
// keywords as they were (the encounters changed, say) takes it as it is,
// instead of training again for half a second on every replica (several
// seconds under the race detector). The model does not change after
// training, so every classifier built on the same words may share it.
var trained struct {
	sync.Mutex
	key   [sha256.Size]byte
	model *linear
}

// trainedLinear is trainLinear, remembered for the last inputs.
func trainedLinear(p linearParams, words map[string]Words, services map[string]map[string][]string, examples []example) *linear {
	key := inputsKey(p, words, services, examples)
	trained.Lock()
	defer trained.Unlock()
	if trained.model != nil && trained.key == key {
		return trained.model
	}
	m := trainLinear(p, words, services, examples)
	trained.key, trained.model = key, m
	return m
}

// inputsKey is a digest of everything a model is trained on, in an order
// that does not depend on the maps'.
func inputsKey(p linearParams, words map[string]Words, services map[string]map[string][]string, examples []example) [sha256.Size]byte {
	h := sha256.New()
	fmt.Fprintf(h, "%+v\n", p)
	for _, lang := range sortedKeys(words) {
		for _, intent := range sortedKeys(words[lang]) {
			writeList(h, lang+" "+string(intent), words[lang][intent])
		}
	}
	for _, id := range sortedKeys(services) {
		for _, lang := range sortedKeys(services[id]) {
			writeList(h, "service "+id+" "+lang, services[id][lang])
		}
	}
	for _, e := range examples {
		writeList(h, e.lang, []string{e.text, fmt.Sprint(e.class)})
	}
	var key [sha256.Size]byte
	h.Sum(key[:0])
	return key
}

// writeList writes a name and its list so that no two lists write the
// same bytes: every string is preceded by its length.
func writeList(h hash.Hash, name string, list []string) {
	var n [8]byte
	for _, s := range append([]string{name}, list...) {
		binary.LittleEndian.PutUint64(n[:], uint64(len(s)))
		h.Write(n[:])
		h.Write([]byte(s))
	}
	binary.LittleEndian.PutUint64(n[:], uint64(len(list)))
	h.Write(n[:])
}

func sortedKeys[K ~string, V any](m map[K]V) []K {
	keys := make([]K, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
