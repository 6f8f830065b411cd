package agency

import (
	"fmt"
	"strings"
)

// dialable turns a phone number as people write it in Germany ("0151-17466885",
// "+49 2361 30295140", "0049 …") into E.164 ("+4915117466885"), or says why it
// cannot be dialled.
func dialable(written string) (string, error) {
	var digits strings.Builder
	for i, r := range strings.TrimSpace(written) {
		switch {
		case r >= '0' && r <= '9':
			digits.WriteRune(r)
		case r == '+' && i == 0:
			digits.WriteRune(r)
		case r == ' ' || r == '-' || r == '/' || r == '(' || r == ')' || r == '.':
		default:
			return "", fmt.Errorf("%q is not a phone number: unexpected %q", written, r)
		}
	}
	n := digits.String()
	switch {
	case strings.HasPrefix(n, "+"):
	case strings.HasPrefix(n, "00"):
		n = "+" + n[2:]
	case strings.HasPrefix(n, "0"):
		n = "+49" + n[1:]
	default:
		return "", fmt.Errorf("%q has no area code: write it with a leading 0 or +49", written)
	}
	if l := len(n) - 1; l < 8 || l > 15 {
		return "", fmt.Errorf("%q has %d digits with the country code; a dialable number has 8 to 15", written, l)
	}
	if n[1] == '0' {
		return "", fmt.Errorf("%q: a country code cannot start with 0", written)
	}
	return n, nil
}
