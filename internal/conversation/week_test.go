package conversation_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/integrationsagentur-marl/integrabot/internal/agency"
	"github.com/integrationsagentur-marl/integrabot/internal/conversation"
	"github.com/integrationsagentur-marl/integrabot/internal/understand"
)

// "This week" counts every encounter of the week, also when the list shows
// only the first five: seven must not become "five".
func TestThisWeekCountsAllEncounters(t *testing.T) {
	f := load(t)
	berlin, _ := time.LoadLocation("Europe/Berlin")
	c := &agency.Content{Location: berlin}
	for i := 0; i < 7; i++ {
		start := time.Date(2026, 12, 1+i/2, 10+i, 0, 0, 0, berlin) // Tuesday 1 December to Friday 4 December
		c.Encounters = append(c.Encounters, agency.Encounter{
			ID: fmt.Sprintf("e%d", i), Title: agency.Text{"de": fmt.Sprintf("Treffen %d", i)},
			Start: start, End: start.Add(time.Hour), Place: "Marl",
		})
	}
	core := conversation.New(c, f.cat, understand.Build(nil, c, "de", "en"))
	now := time.Date(2026, 11, 30, 9, 0, 0, 0, berlin) // Monday
	out := core.Handle(conversation.Event{UserID: 7, LanguageCode: "de", Kind: conversation.KindButton, Data: "m:week", Now: now}, conversation.State{Lang: "de"})
	got := all(out)
	if want := f.cat.Plural("de", "encounters.this_week", 7, nil); !strings.Contains(got, want) {
		t.Errorf("want %q in:\n%s", want, got)
	}
	if strings.Count(got, "|e:e") > 5 {
		t.Errorf("more than five encounters listed:\n%s", got)
	}
}

// An encounter without a text in the resident's language is shown in
// German with a note in their language, never as an empty line.
func TestEncounterOnlyInGerman(t *testing.T) {
	f := load(t)
	berlin, _ := time.LoadLocation("Europe/Berlin")
	start := time.Date(2026, 12, 2, 15, 0, 0, 0, berlin)
	c := &agency.Content{Location: berlin, Encounters: []agency.Encounter{{
		ID: "nur-de", Title: agency.Text{"de": "Spieleabend"}, Description: agency.Text{"de": "Wir spielen zusammen."},
		Start: start, End: start.Add(2 * time.Hour), Place: "Marl",
	}}}
	core := conversation.New(c, f.cat, understand.Build(nil, c, "de", "en"))
	now := time.Date(2026, 11, 30, 9, 0, 0, 0, berlin)
	for _, l := range f.cat.Languages() {
		for _, data := range []string{"m:encounters", "e:nur-de"} {
			got := all(core.Handle(conversation.Event{UserID: 7, LanguageCode: l.Code, Kind: conversation.KindButton, Data: data, Now: now}, conversation.State{Lang: l.Code}))
			if !strings.Contains(got, "Spieleabend") {
				t.Errorf("%s %s: no title:\n%s", l.Code, data, got)
			}
			note := f.cat.T(l.Code, "encounters.german_only")
			if l.Code != "de" && !strings.Contains(got, note) {
				t.Errorf("%s %s: no note that it is in German only:\n%s", l.Code, data, got)
			}
			if l.Code == "de" && strings.Contains(got, note) {
				t.Errorf("de %s: the note shown to a German reader:\n%s", data, got)
			}
		}
	}
}
