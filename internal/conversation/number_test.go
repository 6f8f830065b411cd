package conversation

import "testing"

// TestNumber reads a typed choice in any script residents type digits in,
// and nothing else as one.
func TestNumber(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int
		ok   bool
	}{
		{"2", 2, true},
		{" 12 ", 12, true},
		{"٢", 2, true},  // Arabic-Indic
		{"۳", 3, true},  // Persian
		{"２", 2, true},  // full width, from some keyboards
		{"①", 1, true},  // a circled digit reads as the digit
		{"2.", 2, true}, // punctuation around it is no word
		{"hallo", 0, false},
		{"2a", 0, false},
		{"zwei", 0, false},
		{"", 0, false},
		{"Wann ist das nächste Treffen?", 0, false},
	} {
		got, ok := number(tc.in)
		if got != tc.want || ok != tc.ok {
			t.Errorf("number(%q) = %d, %v; want %d, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}
