package agency_test

import (
	"reflect"
	"testing"
	"testing/fstest"
	"time"

	"github.com/integrationsagentur-marl/integrabot/content"
	"github.com/integrationsagentur-marl/integrabot/internal/agency"
)

var langs = []string{"de", "de-x-simple", "en", "tr", "ar", "fa", "ku", "uk", "ru", "pl", "ro", "bg"}

// Encounters written by MarshalEncounters load as the same encounters,
// every kind of recurrence among them: export loses nothing.
func TestMarshalEncountersRoundTrip(t *testing.T) {
	c, err := agency.Load(langs, content.Default(), content.Example())
	if err != nil {
		t.Fatal(err)
	}
	loc := c.Location
	at := func(m time.Month, d, h int) time.Time { return time.Date(2026, m, d, h, 0, 0, 0, loc) }
	list := append([]agency.Encounter(nil), c.Encounters...)
	list = append(list,
		agency.Encounter{ID: "naehcafe-a1", Title: agency.Text{"de": "Nähcafé „Faden“", "uk": "Кафе шиття"}, Description: agency.Text{"de": "Nähen: mit Maschinen\nund Tee."},
			Start: at(12, 1, 15), End: at(12, 1, 17), Repeat: agency.Weekly, Days: []time.Weekday{time.Tuesday, time.Thursday}, Every: 3,
			Until: time.Date(2027, 3, 31, 0, 0, 0, 0, loc).AddDate(0, 0, 1).Add(-time.Nanosecond), Except: []time.Time{time.Date(2026, 12, 22, 0, 0, 0, 0, loc)},
			Place: "Stadtteilbüro", Link: "https://www.example.org/a?b=1&c=2"},
		agency.Encounter{ID: "fruehstueck-b2", Title: agency.Text{"de": "Frühstück"}, Description: agency.Text{"de": "Zusammen."},
			Start: at(12, 25, 9), End: at(12, 25, 11), Repeat: agency.Monthly, Week: agency.Last, Cancelled: true, Place: "Café"},
		agency.Encounter{ID: "einmal-c3", Title: agency.Text{"de": "Einmal"}, Description: agency.Text{"de": "Nur einmal."},
			Start: at(12, 3, 16), End: at(12, 3, 18), Place: "Rathaus"},
	)
	data, err := agency.MarshalEncounters(list, loc)
	if err != nil {
		t.Fatal(err)
	}
	back, err := agency.ParseEncounters(data, loc, langs)
	if err != nil {
		t.Fatalf("%v\n%s", err, data)
	}
	// and loaded as a content folder's encounters.yaml
	layer := fstest.MapFS{agency.FileEncounters: {Data: data}}
	folder, err := agency.Load(langs, content.Default(), layer)
	if err != nil {
		t.Fatal(err)
	}
	for name, got := range map[string][]agency.Encounter{"parsed": back, "loaded": folder.Encounters} {
		if len(got) != len(list) {
			t.Fatalf("%s: %d encounters, want %d", name, len(got), len(list))
		}
		for i := range list {
			if !sameEncounter(got[i], list[i]) {
				t.Errorf("%s %s:\n got %+v\nwant %+v", name, list[i].ID, got[i], list[i])
			}
		}
	}
}

func sameEncounter(a, b agency.Encounter) bool {
	times := func(e agency.Encounter) []int64 {
		out := []int64{e.Start.UnixNano(), e.End.UnixNano(), e.Until.UnixNano()}
		for _, x := range e.Except {
			out = append(out, x.UnixNano())
		}
		return out
	}
	if !reflect.DeepEqual(times(a), times(b)) {
		return false
	}
	a.Start, a.End, a.Until, a.Except = time.Time{}, time.Time{}, time.Time{}, nil
	b.Start, b.End, b.Until, b.Except = time.Time{}, time.Time{}, time.Time{}, nil
	return reflect.DeepEqual(a, b)
}
