package agency

import (
	"strings"
	"testing"
	"time"
)

// An encounters file with nothing but comments means no encounters, a
// valid state; YAML anchors, aliases and merge keys, which staff copy from
// examples to repeat a place or a text, are read like written-out values.
func TestEncountersFileForms(t *testing.T) {
	tests := []struct {
		name       string
		encounters string
		want       int
	}{
		{"only a comment", "# no encounters yet\n", 0},
		{"empty", "\n", 0},
		{"anchors and aliases", `- id: a
  title: &title {de: "Café", en: "Café"}
  description: &text {de: "D", en: "D"}
  start: 2026-12-01T15:00
  end: 2026-12-01T17:00
  place: &place "Marl, Rathaus"
- id: b
  title: *title
  description: *text
  start: 2026-12-08T15:00
  end: 2026-12-08T17:00
  place: *place
`, 2},
		{"a merge key", `- &cafe
  id: a
  title: {de: "Café", en: "Café"}
  description: {de: "D", en: "D"}
  start: 2026-12-01T15:00
  end: 2026-12-01T17:00
  place: "Marl"
- <<: *cafe
  id: b
  start: 2026-12-08T15:00
  end: 2026-12-08T17:00
`, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Load(langs, folder(map[string]string{FileEncounters: tt.encounters}))
			if err != nil {
				t.Fatalf("load: %v", err)
			}
			if len(c.Encounters) != tt.want {
				t.Fatalf("%d encounters, want %d", len(c.Encounters), tt.want)
			}
			if tt.want == 2 && (c.Encounters[1].Place != c.Encounters[0].Place || c.Encounters[1].Title.In("de") != "Café" || c.Encounters[1].ID != "b") {
				t.Errorf("second encounter %+v", c.Encounters[1])
			}
		})
	}
	// the agency's own texts stay required
	if _, err := Load(langs, folder(map[string]string{FileServices: "# nothing\n"})); err == nil {
		t.Error("a services file with only a comment was accepted")
	}
}

// A time inside the spring gap (clocks go from 02:00 to 03:00 on the last
// Sunday of March in Europe/Berlin) does not exist: staff are told so in
// their own terms, not shown a shifted time or an end "before" it.
func TestTimeInTheSpringGap(t *testing.T) {
	_, err := Load(langs, folder(map[string]string{FileEncounters: `- id: night
  title: {de: "Nacht", en: "Night"}
  description: {de: "D", en: "D"}
  start: 2026-03-29T02:30
  end: 2026-03-29T03:15
  place: "Marl"
`}))
	if err == nil {
		t.Fatal("a start at 02:30 on 29 March 2026 was accepted")
	}
	msg := err.Error()
	for _, want := range []string{"encounters.yaml:4: encounters[0].start", "does not exist", "02:00", "03:00"} {
		if !strings.Contains(msg, want) {
			t.Errorf("%q missing in: %s", want, msg)
		}
	}
	if strings.Contains(msg, "ends before it starts") || strings.Contains(msg, "03:30") {
		t.Errorf("a time nobody wrote in: %s", msg)
	}
}

// "Every fifth Tuesday" skips the months that have none: it never slides
// into the first Tuesday of the next month.
func TestFifthWeekdaySkipsMonthsWithout(t *testing.T) {
	berlin, _ := time.LoadLocation("Europe/Berlin")
	start := time.Date(2026, 12, 29, 15, 0, 0, 0, berlin) // the fifth Tuesday of December 2026
	e := &Encounter{ID: "x", Start: start, End: start.Add(2 * time.Hour), Repeat: Monthly}
	o, ok := e.Next(time.Date(2026, 12, 30, 0, 0, 0, 0, berlin))
	want := time.Date(2027, 3, 30, 15, 0, 0, 0, berlin) // January and February 2027 have four Tuesdays
	if !ok || !o.Start.Equal(want) {
		t.Errorf("next = %v (%v), want %v", o.Start, ok, want)
	}
}

// An encounter needs its texts in German; another missing language is a
// warning with file, line and field, not an error that stops the bot.
func TestEncounterTranslationsAreWarnings(t *testing.T) {
	c, err := Load(langs, folder(map[string]string{FileEncounters: `- id: a
  title: {de: "Café"}
  description: {de: "D", en: "D"}
  start: 2026-12-01T15:00
  end: 2026-12-01T17:00
  place: "Marl"
`}))
	if err != nil {
		t.Fatalf("an encounter without its English title stopped loading: %v", err)
	}
	if len(c.Warnings) != 1 || c.Warnings[0].String() != "encounters.yaml:2: encounters[0].title.en: missing translation; residents read the German text with a note" {
		t.Errorf("warnings = %v", c.Warnings)
	}
	if _, err := Load(langs, folder(map[string]string{FileEncounters: `- id: a
  title: {en: "Café"}
  description: {de: "D", en: "D"}
  start: 2026-12-01T15:00
  end: 2026-12-01T17:00
  place: "Marl"
`})); err == nil || !strings.Contains(err.Error(), "title.de: missing translation") {
		t.Errorf("an encounter without its German title: %v", err)
	}
}
