package understand

// weights are the trained model's weights by feature, in one table open
// to linear probing: a feature's key and its weights lie side by side, so
// reading a feature takes one trip to memory instead of the two or three
// of a map to a row and the row in a separate array. The model reads a
// few hundred features for a message, most of them outside the
// processor's cache, and is asked about most messages.
type weights struct {
	slots []slot // a power of two of them, at most seven tenths used
	shift uint   // 64 minus the bits of the number of slots
	n     int    // the features
}

// slot is one feature: its key (0 for none) and its weight for each class.
type slot struct {
	key uint64
	w   [classes]float32
}

// newWeights builds the table from the rows of training: feature → row,
// and every row's weights one after the other.
func newWeights(rows map[uint64]int32, w []float32) weights {
	bits := uint(4)
	for 7<<bits < 10*len(rows) {
		bits++
	}
	t := weights{slots: make([]slot, 1<<bits), shift: 64 - bits, n: len(rows)}
	mask := len(t.slots) - 1
	for key, r := range rows {
		k := slotKey(key)
		i := t.home(k)
		for t.slots[i].key != 0 {
			i = (i + 1) & mask
		}
		t.slots[i].key = k
		copy(t.slots[i].w[:], w[int(r)*classes:int(r+1)*classes])
	}
	return t
}

// slotKey is the key a feature is kept under: 0 marks an empty slot, so
// the feature whose hash is 0 is kept as 1 (two features that would then
// share a slot are one chance in 2⁶⁴).
func slotKey(key uint64) uint64 {
	if key == 0 {
		return 1
	}
	return key
}

// home is where a key's search starts (Fibonacci hashing: the top bits
// of the key times 2⁶⁴ divided by the golden ratio).
func (t *weights) home(k uint64) int {
	return int((k * 0x9e3779b97f4a7c15) >> t.shift)
}

// of returns the weights of a feature, or nil for a feature never seen in
// training.
func (t *weights) of(key uint64) *[classes]float32 {
	k := slotKey(key)
	mask := len(t.slots) - 1
	for i := t.home(k); ; i = (i + 1) & mask {
		switch s := &t.slots[i]; s.key {
		case k:
			return &s.w
		case 0:
			return nil
		}
	}
}
