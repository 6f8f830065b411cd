package conversation_test

import (
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/integrationsagentur-marl/integrabot/internal/conversation"
)

// maxFirstAnswer is what a resident reads on a cheap phone without
// scrolling: one short message plus buttons, the details one tap away.
const maxFirstAnswer = 400

// maxPrivacyNotice is the full privacy notice's allowance: what is stored,
// why, how long, who is responsible and how to delete it, which the law
// asks to be said completely and cannot be said in 400 characters in every
// language. It is the detail one tap away from the short line a first
// contact gets (which stays within maxFirstAnswer), one message well within
// Telegram's 4096, and holds a PRIVACY_CONTACT of the 300 characters the
// configuration allows.
const maxPrivacyNotice = 1200

var tags = regexp.MustCompile(`<[^>]*>`)

// visible is the text a resident sees: no HTML tags, entities as one
// character, no invisible direction marks.
func visible(html string) string {
	s := tags.ReplaceAllString(html, "")
	s = strings.NewReplacer("&amp;", "&", "&lt;", "<", "&gt;", ">", "\u200f", "", "\u2066", "", "\u2069", "").Replace(s)
	return s
}

// Every first answer (what the menu, a command or "About us" opens) fits
// a small screen in every language.
func TestFirstAnswersAreShort(t *testing.T) {
	f := load(t)
	for _, l := range f.cat.Languages() {
		st := conversation.State{Lang: l.Code}
		firsts := map[string]conversation.Event{}
		for _, c := range conversation.Commands {
			firsts["/"+c] = cmd(l.Code, c)
		}
		for _, s := range []string{"services", "about", "contacts", "encounters", "week", "reminders", "language", "privacy", "help", "main"} {
			firsts[s] = press(l.Code, "m:"+s)
		}
		for name, ev := range firsts {
			max := maxFirstAnswer
			if name == "/privacy" || name == "privacy" {
				max = maxPrivacyNotice
			}
			for i, r := range f.core.Handle(ev, st).Messages {
				if n := utf8.RuneCountInString(visible(r.Text)); n > max {
					t.Errorf("%s %s (message %d): %d characters, want at most %d:\n%s", l.Code, name, i+1, n, max, visible(r.Text))
				}
			}
		}
		// a first contact: the welcome with its privacy line
		for i, r := range f.core.Handle(cmd(l.Code, "start"), conversation.State{}).Messages {
			if n := utf8.RuneCountInString(visible(r.Text)); n > maxFirstAnswer {
				t.Errorf("%s first /start (message %d): %d characters, want at most %d:\n%s", l.Code, i+1, n, maxFirstAnswer, visible(r.Text))
			}
		}
		// the longest contact the configuration allows
		long := f.core.WithPrivacyContact(strings.Repeat("Ü", 300))
		for i, r := range long.Handle(cmd(l.Code, "privacy"), st).Messages {
			if n := utf8.RuneCountInString(visible(r.Text)); n > maxPrivacyNotice {
				t.Errorf("%s /privacy with a 300-character PRIVACY_CONTACT (message %d): %d characters, want at most %d", l.Code, i+1, n, maxPrivacyNotice)
			}
		}
	}
}
