package conversation_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/integrationsagentur-marl/integrabot/internal/conversation"
)

func start(lang, payload string) conversation.Event {
	return conversation.Event{UserID: 7, ChatID: 7, LanguageCode: lang, Kind: conversation.KindCommand, Command: "start", Text: payload, Now: monday}
}

// A poster's deep link t.me/<bot>?start=e_<id>[_<lang>] opens the
// encounter: in the poster's language for a resident the bot does not know
// yet, after the language question for one whose app speaks none of ours.
func TestDeepLinkToAnEncounter(t *testing.T) {
	f := load(t)
	got := all(f.core.Handle(start("de", "e_sample-cafe"), conversation.State{}))
	if !strings.Contains(got, "Beispiel: Sprachcafé") || !strings.Contains(got, "Beispielort") {
		t.Errorf("German deep link:\n%s", got)
	}
	out := f.core.Handle(start("de", "e_sample-cafe_tr"), conversation.State{})
	if got := all(out); !strings.Contains(got, "Örnek: Dil kafesi") || out.State.Lang != "tr" {
		t.Errorf("Turkish poster for a new resident: lang %q\n%s", out.State.Lang, got)
	}
	out = f.core.Handle(start("de", "e_sample-cafe_tr"), conversation.State{Lang: "uk"})
	if got := all(out); !strings.Contains(got, "Приклад: мовне кафе") || out.State.Lang != "uk" {
		t.Errorf("a Turkish poster must not override a resident's chosen Ukrainian:\n%s", got)
	}
	// an app language the bot does not speak: the picker first, then the encounter
	first := f.core.Handle(start("zh", "e_sample-cafe"), conversation.State{})
	if got := all(first); !strings.Contains(got, "l:uk") {
		t.Fatalf("no picker:\n%s", got)
	}
	then := f.core.Handle(conversation.Event{UserID: 7, ChatID: 7, LanguageCode: "zh", Kind: conversation.KindButton, Data: "l:en", Now: monday}, first.State)
	if got := all(then); !strings.Contains(got, "Example: language café") {
		t.Errorf("after choosing English the deep link's encounter is lost:\n%s", got)
	}
	if !slices.Equal(then.State.Subs, []string{"e:sample-cafe"}) || then.State.Lang != "en" {
		t.Errorf("a poster's link must subscribe to its encounter once the language is chosen: %+v", then.State)
	}
	if then.State.Dialogue != nil {
		t.Errorf("the pending deep link stays in the state: %+v", then.State.Dialogue)
	}
	if got := all(f.core.Handle(start("de", "e_no-such-thing"), conversation.State{})); !strings.Contains(got, "Sprachcafé") {
		t.Errorf("a deep link to a removed encounter is a dead end:\n%s", got)
	}
}

// An encounter's page offers "add to calendar": the next date as an .ics
// file in the resident's language.
func TestAddToCalendar(t *testing.T) {
	f := load(t)
	page := all(f.core.Handle(press("tr", "e:sample-cafe"), conversation.State{Lang: "tr"}))
	if !strings.Contains(page, "|ics:sample-cafe]") || !strings.Contains(page, f.cat.T("tr", "button.add_to_calendar")) {
		t.Fatalf("no calendar button on the page:\n%s", page)
	}
	out := f.core.Handle(press("tr", "ics:sample-cafe"), conversation.State{Lang: "tr"})
	if len(out.Messages) != 1 || out.Messages[0].Document == nil {
		t.Fatalf("want one message with a file: %+v", out.Messages)
	}
	doc := out.Messages[0].Document
	if !strings.HasSuffix(doc.Name, ".ics") || !strings.Contains(string(doc.Data), "SUMMARY:Örnek: Dil kafesi") || !strings.Contains(string(doc.Data), "TZID=Europe/Berlin") {
		t.Errorf("file %q:\n%s", doc.Name, doc.Data)
	}
	if got := all(f.core.Handle(press("de", "ics:gone-long-ago"), conversation.State{})); !strings.Contains(got, "finde ich nicht mehr") {
		t.Errorf("a calendar file for a removed encounter:\n%s", got)
	}
}
