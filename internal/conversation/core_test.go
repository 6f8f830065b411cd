package conversation_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/integrationsagentur-marl/integrabot/internal/app"
	"github.com/integrationsagentur-marl/integrabot/internal/conversation"
	"github.com/integrationsagentur-marl/integrabot/internal/i18n"
)

// Monday 30 November 2026, 10:00 in Marl: the sample café is on Tuesday 1 December.
var monday = time.Date(2026, 11, 30, 10, 0, 0, 0, mustBerlin())

func mustBerlin() *time.Location {
	l, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		panic(err)
	}
	return l
}

type fixture struct {
	core *conversation.Core
	cat  *i18n.Catalog
}

var (
	fixOnce sync.Once
	fix     fixture
	fixErr  error
)

func load(t testing.TB) fixture {
	t.Helper()
	fixOnce.Do(func() {
		k, err := app.LoadKnowledge("", true) // the agency's content and the sample encounters
		if err != nil {
			fixErr = err
			return
		}
		fix = fixture{core: k.Core(), cat: k.Catalog}
	})
	if fixErr != nil {
		t.Fatal(fixErr)
	}
	return fix
}

func text(lang, msg string) conversation.Event {
	return conversation.Event{UserID: 7, LanguageCode: lang, Kind: conversation.KindText, Text: msg, Now: monday}
}

func cmd(lang, name string) conversation.Event {
	return conversation.Event{UserID: 7, LanguageCode: lang, Kind: conversation.KindCommand, Command: name, Now: monday}
}

func press(lang, data string) conversation.Event {
	return conversation.Event{UserID: 7, LanguageCode: lang, Kind: conversation.KindButton, Data: data, Now: monday}
}

func all(out conversation.Decision) string {
	var b strings.Builder
	for _, r := range out.Messages {
		b.WriteString(r.Text)
		if r.Contact != nil {
			b.WriteString("\n[contact " + r.Contact.Name + " " + r.Contact.Phone + "]")
		}
		for _, row := range r.Buttons {
			for _, btn := range row {
				b.WriteString("\n[" + btn.Label + "|" + btn.Data + btn.URL + "]")
			}
		}
		b.WriteString("\n")
	}
	return b.String()
}

func TestResidentsGetAnswersTheyNeed(t *testing.T) {
	f := load(t)
	tests := []struct {
		name    string
		ev      conversation.Event
		st      conversation.State
		want    []string
		notWant []string
	}{
		{"start in German shows welcome and menu", cmd("de", "start"), conversation.State{},
			[]string{"Integrationsagentur Marl", "Angebote|m:services", "Ansprechpersonen|m:contacts", "Begegnungen|m:encounters", "Erinnerungen|m:reminders", "Sprache|m:language", "Datenschutz|m:privacy", "Hilfe|m:help"}, nil},
		{"Austrian German is German", cmd("de-AT", "start"), conversation.State{}, []string{"Angebote|m:services"}, nil},
		{"unknown language gets the picker, not a guess", cmd("zh", "start"), conversation.State{},
			[]string{"Deutsch|l:de", "Українська|l:uk", "العربية|l:ar", "Kurdî (Kurmancî)|l:ku", "Einfache Sprache|l:de-x-simple"}, []string{"m:services"}},
		{"no language code gets the picker", text("", "hallo"), conversation.State{}, []string{"Türkçe|l:tr"}, nil},
		{"phone number question lists contacts with numbers Telegram makes tappable", text("de", "Wie ist die Telefonnummer?"), conversation.State{},
			[]string{"Jens Flachmeier", "+49 151 17466885", "Martin Heermann", "+49 2361 30295140", "|cards]"}, []string{"[contact"}},
		{"contact cards only when asked for", press("de", "cards"), conversation.State{},
			[]string{"[contact Jens Flachmeier +4915117466885]", "[contact Martin Heermann +49236130295140]"}, nil},
		{"typo still finds contacts", text("de", "telfonnumer bitte"), conversation.State{}, []string{"+49 151 17466885"}, nil},
		{"Ukrainian asks for a phone in Ukrainian", text("uk", "Який у вас номер телефону?"), conversation.State{}, []string{"Martin Heermann", "|cards]"}, nil},
		{"services question lists the four services", text("en", "What do you offer?"), conversation.State{},
			[]string{"Supporting volunteers", "Intercultural opening", "Neighbourhood work", "Anti-racism work", "s:volunteering"}, nil},
		{"a service by its topic", text("de", "Ich möchte mich ehrenamtlich engagieren"), conversation.State{},
			[]string{"Ehrenamt stärken", "bilden Engagierte weiter"}, nil},
		{"next encounters with date in the language", text("de", "Wann ist das nächste Treffen?"), conversation.State{},
			[]string{"Beispiel: Sprachcafé", "Dienstag, 1. Dezember, 15:00–17:00 Uhr", "jede Woche", "Ort: Beispielort", "e:sample-cafe"}, nil},
		{"this week", text("de", "Was ist diese Woche los? Gibt es Treffen?"), conversation.State{},
			[]string{"Diese Woche gibt es 2 Begegnungen", "Sprachcafé", "Nachbarschaftsfrühstück"}, []string{"Training gegen Rassismus"}},
		{"dates in Ukrainian use Ukrainian month names", cmd("uk", "events"), conversation.State{}, []string{"грудня"}, nil},
		{"encounter details with link", press("en", "e:sample-training"), conversation.State{},
			[]string{"Example: anti-racism training", "Thursday, 10 December", "https://example.org/"}, nil},
		{"a removed encounter is no dead end", press("de", "e:gone-long-ago"), conversation.State{}, []string{"finde ich nicht mehr", "Sprachcafé"}, nil},
		{"not understood: kind answer and the menu", text("de", "xqzv blorp"), conversation.State{}, []string{"nicht verstanden", "m:services"}, nil},
		{"sticker: kind answer in the user's language", conversation.Event{UserID: 7, LanguageCode: "tr", Kind: conversation.KindUnsupported, Now: monday}, conversation.State{},
			[]string{"m:services"}, nil},
		{"unknown command", cmd("de", "foo"), conversation.State{}, []string{"Befehl kenne ich nicht", "m:help"}, nil},
		{"typed number picks a button of the last screen", text("de", "2"), conversation.State{Screen: "main", Choices: []string{"m:services", "m:contacts"}},
			[]string{"+49 151 17466885"}, nil},
		{"Arabic digits too", text("ar", "١"), conversation.State{Screen: "main", Choices: []string{"m:services"}}, []string{"s:antiracism"}, nil},
		{"number out of range", text("de", "9"), conversation.State{Screen: "main", Choices: []string{"m:services"}}, []string{"nicht verstanden"}, nil},
		{"privacy offers deletion", cmd("de", "privacy"), conversation.State{}, []string{"365 Tage", "del"}, nil},
		{"chosen language wins over the app's", cmd("de", "help"), conversation.State{Lang: "tr"}, []string{"/language"}, []string{"Tippen Sie"}},
		{"deep link opens a screen", conversation.Event{UserID: 7, LanguageCode: "de", Kind: conversation.KindCommand, Command: "start", Text: "contacts", Now: monday}, conversation.State{},
			[]string{"+49 151 17466885"}, nil},
		{"phone stays readable in Arabic", cmd("ar", "contacts"), conversation.State{}, []string{"\u2066+49 151 17466885\u2069"}, nil},
		{"group chatter is ignored", conversation.Event{UserID: 7, LanguageCode: "de", Group: true, Kind: conversation.KindText, Text: "Telefon?", Now: monday}, conversation.State{}, nil, []string{"Flachmeier"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := all(f.core.Handle(tt.ev, tt.st))
			for _, w := range tt.want {
				if !strings.Contains(got, w) {
					t.Errorf("reply lacks %q:\n%s", w, got)
				}
			}
			for _, w := range tt.notWant {
				if strings.Contains(got, w) {
					t.Errorf("reply should not contain %q:\n%s", w, got)
				}
			}
		})
	}
}

func TestChoosingALanguageIsRemembered(t *testing.T) {
	f := load(t)
	out := f.core.Handle(press("", "l:uk"), conversation.State{})
	if out.State.Lang != "uk" || !out.Save {
		t.Fatalf("state = %+v, save = %v; want uk remembered", out.State, out.Save)
	}
	if !strings.Contains(all(out), f.cat.T("uk", "language.changed")) {
		t.Errorf("no confirmation in Ukrainian:\n%s", all(out))
	}
	next := f.core.Handle(text("ru", "помощь"), out.State)
	if next.Lang != "uk" {
		t.Errorf("answered in %q after choosing uk", next.Lang)
	}
}

// Every reply is valid Telegram HTML: content and translations are escaped.
func TestRepliesAreEscaped(t *testing.T) {
	f := load(t)
	for _, l := range f.cat.Languages() {
		for _, ev := range []conversation.Event{cmd(l.Code, "start"), cmd(l.Code, "services"), cmd(l.Code, "contacts"), cmd(l.Code, "events"), cmd(l.Code, "privacy"), cmd(l.Code, "help"), press(l.Code, "e:sample-cafe"), press(l.Code, "s:neighbourhood"), press(l.Code, "m:about")} {
			for _, r := range f.core.Handle(ev, conversation.State{Lang: l.Code}).Messages {
				stripped := strings.NewReplacer("<b>", "", "</b>", "", "&amp;", "", "&lt;", "", "&gt;", "").Replace(r.Text)
				if strings.ContainsAny(stripped, "<>&") {
					t.Errorf("%s %s/%s: unescaped HTML in %q", l.Code, ev.Command, ev.Data, r.Text)
				}
				for _, row := range r.Buttons {
					for _, b := range row {
						if len(b.Data) > 64 {
							t.Errorf("button data %q longer than 64 bytes", b.Data)
						}
					}
				}
			}
		}
	}
}

type failingStore struct{ err error }

func (s failingStore) LoadState(context.Context, int64) (conversation.State, error) {
	return conversation.State{}, s.err
}
func (s failingStore) SaveState(context.Context, int64, conversation.State) error { return s.err }
func (s failingStore) DeleteState(context.Context, int64) error                   { return s.err }

// With Redis away the resident still gets content answers, and is told
// kindly when a choice could not be saved; a deletion is never claimed.
func TestRunnerWithoutStore(t *testing.T) {
	f := load(t)
	r := conversation.NewRunner(f.core, f.cat, failingStore{errors.New("redis: connection refused")}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	ctx := context.Background()
	if got := joined(r.Handle(ctx, text("de", "Telefonnummer"))); !strings.Contains(got, "Flachmeier") {
		t.Errorf("no contacts without Redis:\n%s", got)
	}
	if got := joined(r.Handle(ctx, press("de", "l:tr"))); !strings.Contains(got, f.cat.T("tr", "error.not_saved")) {
		t.Errorf("no word that the choice was not saved:\n%s", got)
	}
	got := joined(r.HandleLoaded(ctx, press("de", "del:yes"), conversation.State{Lang: "de", Screen: "forget"}))
	if strings.Contains(got, f.cat.T("de", "privacy.deleted")) || !strings.Contains(got, f.cat.T("de", "error.generic")) {
		t.Errorf("deletion claimed although it failed:\n%s", got)
	}
}

func joined(rs []conversation.Reply) string { return all(conversation.Decision{Messages: rs}) }
