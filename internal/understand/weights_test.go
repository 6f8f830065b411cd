package understand

import (
	"math/rand/v2"
	"testing"
)

// The table gives every trained feature its own weights and none to a
// feature never seen, whatever the number of features (a table filled to
// its limit, one with a single feature, keys that share a home slot).
func TestWeightsFindEveryFeature(t *testing.T) {
	for _, n := range []int{1, 2, 11, 12, 1000, 50000} {
		rng := rand.New(rand.NewPCG(uint64(n), 7))
		rows := map[uint64]int32{}
		for len(rows) < n {
			rows[rng.Uint64()] = int32(len(rows))
		}
		w := make([]float32, n*classes)
		for i := range w {
			w[i] = float32(i)
		}
		tab := newWeights(rows, w)
		if 10*n > 7*len(tab.slots) {
			t.Errorf("%d features: %d slots, more than seven tenths used", n, len(tab.slots))
		}
		for key, r := range rows {
			got := tab.of(key)
			if got == nil {
				t.Fatalf("%d features: feature %x not found", n, key)
			}
			for k := range classes {
				if want := w[int(r)*classes+k]; got[k] != want {
					t.Fatalf("%d features: feature %x class %d has weight %v, want %v", n, key, k, got[k], want)
				}
			}
		}
		for range 1000 {
			key := rng.Uint64()
			if _, trained := rows[key]; !trained && tab.of(key) != nil {
				t.Fatalf("%d features: feature %x never trained has weights", n, key)
			}
		}
	}
}
