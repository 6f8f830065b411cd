package conversation

import "strings"

// Deep links: a poster or flyer carries t.me/<bot>?start=e_<encounter>,
// optionally with _<language> for a poster in that language; Telegram
// sends it as "/start e_<encounter>[_<language>]". Telegram allows up to 64
// characters of A-Z, a-z, 0-9, _ and -; encounter ids and language codes
// use neither "_" nor more than 32 characters.
const (
	linkEncounter = "e_"
	dialogueLink  = "link" // a deep link waiting for the language question
)

// EncounterLink is the deep link payload of an encounter, for a poster in
// lang (empty: the resident's own language).
func EncounterLink(id, lang string) string {
	if lang == "" {
		return linkEncounter + id
	}
	return linkEncounter + id + "_" + lang
}

// deepLink reads the encounter and language of a /start deep link.
func deepLink(ev Event) (id, lang string) {
	if ev.Kind != KindCommand || ev.Command != "start" {
		return "", ""
	}
	return parseLink(ev.Text)
}

func parseLink(payload string) (id, lang string) {
	payload = strings.TrimSpace(payload)
	if !linkPayload(payload) {
		return "", "" // typed by hand: no poster carries it, and none of it is kept
	}
	rest, ok := strings.CutPrefix(payload, linkEncounter)
	if !ok || rest == "" {
		return "", ""
	}
	id, lang, _ = strings.Cut(rest, "_")
	return id, lang
}

// maxLinkPayload is the longest deep link payload Telegram passes on.
const maxLinkPayload = 64

// linkPayload tells whether s is a payload a t.me link can carry: 1 to 64
// characters of A-Z, a-z, 0-9, _ and -.
func linkPayload(s string) bool {
	if s == "" || len(s) > maxLinkPayload {
		return false
	}
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '_', c == '-':
		default:
			return false
		}
	}
	return true
}
