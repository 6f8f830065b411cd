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

// A payload no poster's link can carry (longer than Telegram's 64
// characters, or with others than A-Z, a-z, 0-9, _ and -; typed by hand
// after /start) is not a link: the resident gets the welcome and its menu,
// nothing is followed, and nothing of what they typed is kept, also when
// the language question comes first.
func TestOddDeepLinkPayloads(t *testing.T) {
	f := load(t)
	welcome := f.cat.T("de", "menu.prompt")
	for _, payload := range []string{
		"e_sample-cafe" + strings.Repeat("x", 64-len("e_sample-cafe")+1),
		"e_sample-cafe_" + strings.Repeat("a", 100),
		"e_sample-cafe Hallo, ich möchte kommen",
		"e_sample-cafe\n" + strings.Repeat("x", 3000),
		"e_<b>sample-cafe</b>",
		"e_sample.cafe",
		"e_ü",
	} {
		out := f.core.Handle(start("de", payload), conversation.State{})
		got := all(out)
		if len(out.State.Subs) != 0 || !strings.Contains(got, welcome) || strings.Contains(got, f.cat.T("de", "encounters.gone")) {
			t.Errorf("%.40q: subs %v\n%s", payload, out.State.Subs, got)
		}
		picker := f.core.Handle(start("zh", payload), conversation.State{})
		if picker.State.Dialogue != nil {
			t.Errorf("%.40q: kept while the language is asked: %+v", payload, picker.State.Dialogue)
		}
	}
	// the longest a poster carries still works: 64 characters
	long := "e_sample-cafe_de-x-simple"
	if out := f.core.Handle(start("de", long), conversation.State{}); !slices.Equal(out.State.Subs, []string{"e:sample-cafe"}) || out.State.Lang != "de-x-simple" {
		t.Errorf("%q: %+v", long, out.State)
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

// A resident whose first contact is a poster's link is subscribed and,
// like any first contact, told in one line where to read what is stored
// about them; a resident the bot knows is not told again.
func TestDeepLinkFirstContactHearsOfPrivacy(t *testing.T) {
	f := load(t)
	for _, lang := range []string{"de", "tr", "ar"} {
		short := f.cat.Format(lang, "start.privacy_short", map[string]any{"Button": f.cat.T(lang, "menu.privacy")})
		out := f.core.Handle(start(lang, "e_sample-cafe"), conversation.State{})
		if got := all(out); !slices.Equal(out.State.Subs, []string{"e:sample-cafe"}) || !strings.Contains(got, short) || len(out.Messages) != 1 {
			t.Errorf("%s: a first contact by a poster's link: %d messages, subs %v\n%s", lang, len(out.Messages), out.State.Subs, got)
		}
		known := f.core.Handle(start(lang, "e_sample-cafe"), conversation.State{Lang: lang, Subs: []string{"news"}})
		if got := all(known); strings.Contains(got, short) {
			t.Errorf("%s: a resident the bot knows is told again:\n%s", lang, got)
		}
	}
}
