package agency

import (
	"testing"
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
