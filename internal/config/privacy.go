package config

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// maxPrivacyContact keeps the "who is responsible" line of the privacy
// text short enough for a phone's screen.
const maxPrivacyContact = 300

// readPrivacyContact reads PRIVACY_CONTACT: who is responsible for the
// residents' data and how to reach them, as free text the privacy text
// shows as it is (HTML-escaped). Empty: the privacy text names the agency
// from the content.
func readPrivacyContact(env func(string) string) (string, error) {
	v := strings.TrimSpace(env("PRIVACY_CONTACT"))
	if n := utf8.RuneCountInString(v); n > maxPrivacyContact {
		return "", fmt.Errorf("PRIVACY_CONTACT: %d characters, at most %d (a name and one way to reach them, like an e-mail address)", n, maxPrivacyContact)
	}
	if !utf8.ValidString(v) {
		return "", fmt.Errorf("PRIVACY_CONTACT: not valid UTF-8")
	}
	for _, r := range v {
		if unicode.IsControl(r) {
			return "", fmt.Errorf("PRIVACY_CONTACT: holds a control character (%U); write it on one line", r)
		}
	}
	return v, nil
}
