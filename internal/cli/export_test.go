package cli

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/integrationsagentur-marl/integrabot/content"
	"github.com/integrationsagentur-marl/integrabot/internal/agency"
	"github.com/integrationsagentur-marl/integrabot/internal/app"
	"github.com/integrationsagentur-marl/integrabot/internal/config"
	"github.com/integrationsagentur-marl/integrabot/internal/store"
	"github.com/integrationsagentur-marl/integrabot/internal/store/storetest"
)

// export writes the content files' encounters and those made in Telegram
// in the format of encounters.yaml: a content folder with the output loads
// as the same encounters (a deleted one is left out).
func TestExportRoundTrip(t *testing.T) {
	rdb, url, prefix := storetest.Redis(t, "")
	ctx := context.Background()
	k, err := app.LoadKnowledge("", true)
	if err != nil {
		t.Fatal(err)
	}
	loc := k.Content.Location
	s := store.New(rdb, prefix, config.DefaultTiming)
	made := []agency.Encounter{
		{ID: "naehcafe-a1", Title: agency.Text{"de": "Nähcafé", "tr": "Dikiş kafesi"}, Description: agency.Text{"de": "Nähen: mit Maschinen."},
			Start: time.Date(2026, 12, 1, 15, 0, 0, 0, loc), End: time.Date(2026, 12, 1, 17, 0, 0, 0, loc), Repeat: agency.Weekly,
			Days: []time.Weekday{time.Tuesday}, Until: time.Date(2027, 3, 31, 0, 0, 0, 0, loc).AddDate(0, 0, 1).Add(-time.Nanosecond),
			Except: []time.Time{time.Date(2026, 12, 22, 0, 0, 0, 0, loc)}, Place: "Stadtteilbüro", Link: "https://www.example.org/"},
		{ID: "sprechstunde-b2", Title: agency.Text{"de": "Sprechstunde"}, Description: agency.Text{"de": "Fragen?"},
			Start: time.Date(2026, 12, 7, 10, 0, 0, 0, loc), End: time.Date(2026, 12, 7, 12, 0, 0, 0, loc), Repeat: agency.Monthly, Week: 1, Place: "Büro"},
	}
	save := func(id string, base int64, e *agency.Encounter) {
		t.Helper()
		data := []byte{} // nil: deleted
		if e != nil {
			var err error
			if data, err = agency.MarshalEncounters([]agency.Encounter{*e}, loc); err != nil {
				t.Fatal(err)
			}
		}
		if r, err := s.SaveEncounter(ctx, id, base, fmt.Sprint(id, base), string(data)); err != nil || !r.Saved {
			t.Fatalf("save %s: %+v %v", id, r, err)
		}
	}
	for i := range made {
		save(made[i].ID, 0, &made[i])
	}
	gone := made[1]
	gone.ID = "gone-c3"
	save(gone.ID, 0, &gone) // made, then deleted
	save(gone.ID, 1, nil)
	file := filepath.Join(t.TempDir(), "encounters.yaml")
	code, _, errOut := run(t, "", map[string]string{"REDIS_URL": url, "REDIS_KEY_PREFIX": prefix}, "export", "--example", "-o", file)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if !strings.Contains(errOut, fmt.Sprintf("%d encounters written", len(k.Content.Encounters)+len(made))) {
		t.Errorf("stderr: %s", errOut)
	}
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var langs []string
	for _, l := range k.Catalog.Languages() {
		langs = append(langs, l.Code)
	}
	folder, err := agency.Load(langs, content.Default(), fstest.MapFS{agency.FileEncounters: {Data: data}})
	if err != nil {
		t.Fatalf("the export does not load as a content folder's encounters.yaml: %v\n%s", err, data)
	}
	want, _ := agency.MarshalEncounters(append(append([]agency.Encounter(nil), k.Content.Encounters...), made...), loc)
	got, _ := agency.MarshalEncounters(folder.Encounters, loc)
	if string(got) != string(want) {
		t.Errorf("loaded from the export:\n%s\nwant:\n%s", got, want)
	}
	if strings.Contains(string(data), "gone-c3") {
		t.Errorf("a deleted encounter was exported")
	}
}
