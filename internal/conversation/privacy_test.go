package conversation_test

import (
	"strings"
	"testing"

	"github.com/integrationsagentur-marl/integrabot/internal/conversation"
)

// The full privacy notice says, in every language, who is responsible
// (the operator's PRIVACY_CONTACT when set, the agency from the content
// when not) and how to delete the data (/forget and the button), on both
// ways in: /privacy and the 🔒 button.
func TestPrivacyNoticeNamesWhoIsResponsible(t *testing.T) {
	f := load(t)
	const contact = "Beispiel-Stelle <Datenschutz> & Co, datenschutz@example.org"
	withContact := f.core.WithPrivacyContact(contact)
	for _, l := range f.cat.Languages() {
		st := conversation.State{Lang: l.Code}
		for _, ev := range []conversation.Event{cmd(l.Code, "privacy"), press(l.Code, "m:privacy")} {
			plain := f.core.Handle(ev, st)
			got := all(plain)
			if len(plain.Messages) != 1 {
				t.Errorf("%s %s%s: %d messages, want the notice in one", l.Code, ev.Command, ev.Data, len(plain.Messages))
			}
			agency := "Integrationsagentur NRW in Marl" // content/default/agency.yaml, as the about text names it
			if !strings.Contains(got, agency) {
				t.Errorf("%s %s%s: no PRIVACY_CONTACT, but the agency %q is not named:\n%s", l.Code, ev.Command, ev.Data, agency, got)
			}
			if !strings.Contains(got, "/forget") || !strings.Contains(got, "|del]") {
				t.Errorf("%s %s%s: no /forget hint or delete button:\n%s", l.Code, ev.Command, ev.Data, got)
			}
			if strings.Count(visible(plain.Messages[0].Text), "\n\n") < 4 {
				t.Errorf("%s %s%s: want paragraphs (what, why, how long, who, delete):\n%s", l.Code, ev.Command, ev.Data, got)
			}
			if strings.Contains(got, "{{") || strings.Contains(got, "<no value>") {
				t.Errorf("%s %s%s: a template field left unfilled:\n%s", l.Code, ev.Command, ev.Data, got)
			}
			set := all(withContact.Handle(ev, st))
			if !strings.Contains(set, "Beispiel-Stelle &lt;Datenschutz&gt; &amp; Co, datenschutz@example.org") {
				t.Errorf("%s %s%s: PRIVACY_CONTACT not shown (escaped):\n%s", l.Code, ev.Command, ev.Data, set)
			}
			if strings.Contains(set, "<Datenschutz>") {
				t.Errorf("%s: PRIVACY_CONTACT not escaped:\n%s", l.Code, set)
			}
		}
	}
}

// The German and English notices name what is followed and the questions
// passed to the team, with how long each is kept.
func TestPrivacyNoticeNamesSubscriptionsAndQuestions(t *testing.T) {
	f := load(t)
	for lang, words := range map[string][]string{
		"de":          {"Telegram-ID", "Sprache", "was Sie verfolgen", "Frage an das Team", "365 Tage", "30 Tage", "Wozu"},
		"de-x-simple": {"Telegram-ID", "Sprache", "Erinnerungen", "Frage an", "365 Tage", "30 Tage lang", "Warum"},
		"en":          {"Telegram ID", "language", "what you follow", "question on to the team", "365 days", "30 days", "Why"},
	} {
		got := all(f.core.Handle(cmd(lang, "privacy"), conversation.State{Lang: lang}))
		for _, w := range words {
			if !strings.Contains(got, w) {
				t.Errorf("%s: the privacy notice does not say %q:\n%s", lang, w, got)
			}
		}
	}
}

// A first contact's welcome says in one line that little is stored and
// where more is said; the 🔒 button is in its menu. It comes once: the
// next /start, with the state the first stored, has no such line.
func TestFirstContactGetsTheShortPrivacyLineOnce(t *testing.T) {
	f := load(t)
	for _, l := range f.cat.Languages() {
		if code, _ := f.cat.Match(l.Code); code != l.Code {
			continue // not a Telegram app's language (plain German): the picker's test
		}
		short := f.cat.Format(l.Code, "start.privacy_short", map[string]any{"Button": f.cat.T(l.Code, "menu.privacy")})
		line := strings.TrimSuffix(strings.SplitN(short, "🔒", 2)[0], " ")
		out := f.core.Handle(cmd(l.Code, "start"), conversation.State{})
		got := all(out)
		if !strings.Contains(got, line) || !strings.Contains(got, "|m:privacy]") {
			t.Errorf("%s first /start: no short privacy line %q or no 🔒 button:\n%s", l.Code, line, got)
		}
		if !out.Save {
			t.Errorf("%s first /start: state not saved, so the line would come again", l.Code)
		}
		for _, ev := range []conversation.Event{cmd(l.Code, "start"), text(l.Code, "hallo"), press(l.Code, "m:main")} {
			if again := all(f.core.Handle(ev, out.State)); strings.Contains(again, line) {
				t.Errorf("%s %s%s%s after the first /start: the short line again:\n%s", l.Code, ev.Command, ev.Data, ev.Text, again)
			}
		}
	}
}

// A resident whose app language the bot does not know first gets the
// picker; the short line comes with the language they choose, once.
func TestShortPrivacyLineAfterThePicker(t *testing.T) {
	f := load(t)
	ev := cmd("", "start")
	ev.LanguageCode = "ja"
	picker := f.core.Handle(ev, conversation.State{})
	for _, l := range f.cat.Languages() {
		choose := conversation.Event{UserID: 7, LanguageCode: "ja", Kind: conversation.KindButton, Data: "l:" + l.Code, Now: monday}
		line := strings.SplitN(f.cat.Format(l.Code, "start.privacy_short", map[string]any{"Button": "x"}), "🔒", 2)[0]
		line = strings.TrimSpace(line)
		chosen := f.core.Handle(choose, picker.State)
		if got := all(chosen); !strings.Contains(got, line) {
			t.Errorf("%s chosen in the picker: no short privacy line %q:\n%s", l.Code, line, got)
		}
		if got := all(f.core.Handle(choose, chosen.State)); strings.Contains(got, line) {
			t.Errorf("%s chosen again: the short line again:\n%s", l.Code, got)
		}
		if got := all(f.core.Handle(ev, chosen.State)); strings.Contains(got, line) {
			t.Errorf("%s: /start after choosing: the short line again:\n%s", l.Code, got)
		}
	}
}
