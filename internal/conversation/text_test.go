package conversation_test

import (
	"strings"
	"sync"
	"testing"

	"github.com/integrationsagentur-marl/integrabot/internal/app"
	"github.com/integrationsagentur-marl/integrabot/internal/conversation"
)

var (
	emptyOnce sync.Once
	emptyCore *conversation.Core
)

// coreWithoutEncounters is the core for the agency's own content, which lists no encounters yet.
func coreWithoutEncounters(t *testing.T) *conversation.Core {
	t.Helper()
	emptyOnce.Do(func() {
		k, err := app.LoadKnowledge("", false)
		if err != nil {
			t.Fatal(err)
		}
		emptyCore = k.Core()
	})
	return emptyCore
}

func first(out conversation.Decision) string {
	if len(out.Messages) == 0 {
		return ""
	}
	return out.Messages[0].Text
}

// Only the terminal numbers its choices: Telegram residents are not told to
// type "the number in front of a choice".
func TestHelpFitsTheSurface(t *testing.T) {
	f := load(t)
	terminal := f.core.WithSurface(conversation.SurfaceTerminal)
	for _, l := range f.cat.Languages() {
		numbers := f.cat.T(l.Code, "help.numbers")
		st := conversation.State{Lang: l.Code}
		if got := first(f.core.Handle(cmd(l.Code, "help"), st)); strings.Contains(got, numbers) {
			t.Errorf("%s: Telegram help speaks of numbers:\n%s", l.Code, got)
		}
		if got := first(terminal.Handle(cmd(l.Code, "help"), st)); !strings.Contains(got, numbers) {
			t.Errorf("%s: terminal help does not say a number picks a choice:\n%s", l.Code, got)
		}
	}
}

// With nothing planned, the week's list says so once, not "none this week"
// and then "none planned".
func TestNoEncountersSaidOnce(t *testing.T) {
	core := coreWithoutEncounters(t)
	f := load(t)
	for _, l := range f.cat.Languages() {
		st := conversation.State{Lang: l.Code}
		for _, msg := range []string{"m:week", "m:encounters"} {
			got := all(core.Handle(press(l.Code, msg), st))
			if !strings.Contains(got, f.cat.T(l.Code, "encounters.none")) {
				t.Errorf("%s %s: does not say nothing is planned:\n%s", l.Code, msg, got)
			}
			if strings.Contains(got, f.cat.T(l.Code, "encounters.none_this_week")) {
				t.Errorf("%s %s: says twice that nothing is planned:\n%s", l.Code, msg, got)
			}
		}
	}
}

// The privacy text says what the stored id is: a number Telegram gives the
// account, not the phone number, which it then says is not stored. Calling
// it a "Telegram number" read as a contradiction.
func TestPrivacyExplainsTheTelegramID(t *testing.T) {
	f := load(t)
	tests := []struct {
		lang    string
		notWant string // the old wording residents tripped over
		want    string // "not your phone number", said of the id
	}{
		{"de", "Telegram-Nummer", "nicht Ihre Telefonnummer"},
		{"de-x-simple", "Telegram-Nummer", "nicht Ihre Telefonnummer"},
		{"en", "Telegram number", "not your phone number"},
		{"tr", "Telegram numaranız", "telefon numaranız değil"},
		{"ar", "رقمك في تيليغرام", "وليس رقم هاتفك"},
		{"fa", "شماره تلگرام شما", "شماره تلفن شما نیست"},
		{"ku", "hejmara we ya Telegramê", "ne hejmara telefona we"},
		{"uk", "ваш номер (ID)", "а не ваш номер телефону"},
		{"ru", "ваш номер (ID)", "а не номер телефона"},
		{"pl", "numer (ID)", "a nie numer telefonu"},
		{"ro", "numărul dumneavoastră de Telegram", "nu numărul dumneavoastră de telefon"},
		{"bg", "вашия номер в Telegram", "а не телефонният ви номер"},
	}
	for _, tt := range tests {
		got := first(f.core.Handle(cmd(tt.lang, "privacy"), conversation.State{Lang: tt.lang}))
		if strings.Contains(got, tt.notWant) {
			t.Errorf("%s: privacy text still says %q:\n%s", tt.lang, tt.notWant, got)
		}
		if !strings.Contains(got, tt.want) {
			t.Errorf("%s: privacy text does not say the id is %q:\n%s", tt.lang, tt.want, got)
		}
	}
}

// Telegram clients that set the direction per line lay a line out left to
// right when it starts with a Latin name, or with an emoji and a number: in
// Arabic and Persian every line starts with a right-to-left mark.
func TestRightToLeftLinesStartWithRLM(t *testing.T) {
	f := load(t)
	for _, lang := range []string{"ar", "fa"} {
		st := conversation.State{Lang: lang}
		for _, ev := range []conversation.Event{cmd(lang, "start"), cmd(lang, "services"), cmd(lang, "contacts"), cmd(lang, "events"),
			cmd(lang, "privacy"), cmd(lang, "help"), press(lang, "m:about"), press(lang, "m:week"), press(lang, "e:sample-cafe"),
			press(lang, "e:gone"), press(lang, "s:volunteering"), text(lang, "xqzv")} {
			for _, r := range f.core.Handle(ev, st).Messages {
				for _, line := range strings.Split(r.Text, "\n") {
					if line != "" && !strings.HasPrefix(line, "\u200f") {
						t.Errorf("%s %s%s: line without right-to-left mark: %q", lang, ev.Command, ev.Data, line)
					}
				}
			}
		}
	}
	for _, lang := range []string{"de", "en", "tr"} {
		if got := all(f.core.Handle(cmd(lang, "events"), conversation.State{Lang: lang})); strings.Contains(got, "\u200f") {
			t.Errorf("%s: right-to-left mark in left-to-right text", lang)
		}
	}
}

// Persian screens write dates, times and counts in Persian digits, but phone
// numbers stay in Latin digits so that they can be dialled.
func TestPersianDigitsButDialablePhones(t *testing.T) {
	f := load(t)
	st := conversation.State{Lang: "fa"}
	events := first(f.core.Handle(cmd("fa", "events"), st))
	if !strings.Contains(events, "۱۵:۰۰") {
		t.Errorf("Persian times not in Persian digits:\n%s", events)
	}
	if strings.Contains(events, "15:00") {
		t.Errorf("Latin digits in Persian times:\n%s", events)
	}
	if contacts := first(f.core.Handle(cmd("fa", "contacts"), st)); !strings.Contains(contacts, "+49 151 17466885") {
		t.Errorf("phone number not in Latin digits:\n%s", contacts)
	}
}

// Plain German (Einfache Sprache) keeps its own rules on every screen:
// short sentences, no abbreviations, no idioms, no hard word unexplained.
func TestPlainGermanFollowsItsRules(t *testing.T) {
	f := load(t)
	const lang, maxWords = "de-x-simple", 14
	banned := []string{"z. B.", "z.B.", "d. h.", "bzw.", "ca.", "usw.", "an einen Tisch", "Migrationsgeschichte", "Migrationshintergrund",
		"Vorurteil", "Akzeptanz", "Träger", "sensibilis", "Zielgruppe", "Trainings"}
	// a hard word may stand where the same screen explains it
	explained := map[string]string{"Ehrenamt": "Ehrenamt heißt", "Rassismus": "Rassismus heißt", "Dienststelle": "Eine Dienststelle ist",
		"Diakonisch": "Das ist eine Hilfs-Organisation"}
	st := conversation.State{Lang: lang}
	events := []conversation.Event{press(lang, "m:about"), cmd(lang, "privacy"), cmd(lang, "contacts"), cmd(lang, "help"), cmd(lang, "start"), cmd(lang, "services")}
	for _, s := range []string{"volunteering", "intercultural", "neighbourhood", "antiracism"} {
		events = append(events, press(lang, "s:"+s))
	}
	for _, ev := range events {
		text := visible(strings.Join(sentences(all(f.core.Handle(ev, st))), ".\n"))
		for _, b := range banned {
			if strings.Contains(text, b) {
				t.Errorf("%s%s: %q is not plain German:\n%s", ev.Command, ev.Data, b, text)
			}
		}
		for word, explanation := range explained {
			if strings.Contains(text, word) && !strings.Contains(text, explanation) {
				t.Errorf("%s%s: %q is not explained:\n%s", ev.Command, ev.Data, word, text)
			}
		}
		for _, s := range sentences(text) {
			if n := len(strings.Fields(s)); n > maxWords {
				t.Errorf("%s%s: sentence of %d words, want at most %d: %q", ev.Command, ev.Data, n, maxWords, s)
			}
		}
	}
}

// sentences splits text at sentence ends and line breaks; button lines
// ("[label|data]") are left out.
func sentences(text string) []string {
	var out []string
	for _, line := range strings.Split(text, "\n") {
		if strings.HasPrefix(line, "[") {
			continue
		}
		for _, s := range strings.FieldsFunc(line, func(r rune) bool { return r == '.' || r == '?' || r == '!' || r == ':' }) {
			if strings.TrimSpace(s) != "" {
				out = append(out, strings.TrimSpace(s))
			}
		}
	}
	return out
}
