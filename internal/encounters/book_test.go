package encounters_test

import (
	"context"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/integrationsagentur-marl/integrabot/internal/agency"
	"github.com/integrationsagentur-marl/integrabot/internal/config"
	"github.com/integrationsagentur-marl/integrabot/internal/conversation"
	"github.com/integrationsagentur-marl/integrabot/internal/encounters"
	"github.com/integrationsagentur-marl/integrabot/internal/store"
	"github.com/integrationsagentur-marl/integrabot/internal/store/storetest"
)

func testStore(t *testing.T) *store.Store {
	t.Helper()
	rdb, _, prefix := storetest.Redis(t, "")
	return store.New(rdb, prefix, config.DefaultTiming)
}

// seen records what a book last told.
type seen struct {
	mu       sync.Mutex
	content  *agency.Content
	versions map[string]int64
}

func (s *seen) tell(c *agency.Content, v map[string]int64, _ int64) {
	s.mu.Lock()
	s.content, s.versions = c, v
	s.mu.Unlock()
}

func (s *seen) ids() map[string]int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[string]int64{}
	for _, e := range s.content.Encounters {
		out[e.ID] = s.versions[e.ID] // 0: from the files
	}
	return out
}

// What one replica saves the other shows once it looks; the files' own
// encounters stay, and one with a file's id is the file's.
func TestBookAcrossReplicas(t *testing.T) {
	st := testStore(t)
	ctx := context.Background()
	loc, _ := time.LoadLocation("Europe/Berlin")
	file := agency.Encounter{ID: "sample", Title: agency.Text{"de": "Aus der Datei"}, Description: agency.Text{"de": "x"},
		Start: time.Date(2026, 12, 1, 15, 0, 0, 0, loc), End: time.Date(2026, 12, 1, 17, 0, 0, 0, loc), Place: "P"}
	files := &agency.Content{Location: loc, Encounters: []agency.Encounter{file}}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	var a, b seen
	ba := encounters.New(st, files, []string{"de"}, time.Hour, a.tell, log)
	bb := encounters.New(st, files, []string{"de"}, time.Hour, b.tell, log)
	for _, bk := range []*encounters.Book{ba, bb} {
		if err := bk.Refresh(ctx); err != nil {
			t.Fatal(err)
		}
	}
	made := file
	made.ID, made.Title = "naehcafe-a1", agency.Text{"de": "Nähcafé"}
	r, err := ba.Save(ctx, conversation.SaveEncounter{SaveID: "s1", Encounter: made})
	if err != nil || !r.Saved || r.Version != 1 {
		t.Fatalf("save: %+v %v", r, err)
	}
	if got := a.ids(); len(got) != 2 || got["naehcafe-a1"] != 1 || got["sample"] != 0 {
		t.Errorf("the saving replica at once: %v", got)
	}
	if got := b.ids(); len(got) != 1 {
		t.Errorf("the other replica before it looked: %v", got)
	}
	if err := bb.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	if got := b.ids(); len(got) != 2 || got["naehcafe-a1"] != 1 {
		t.Errorf("the other replica after it looked: %v", got)
	}
	// the other replica, still at version 1, deletes; the first one's stale edit is refused
	if r, err := bb.Save(ctx, conversation.SaveEncounter{SaveID: "s2", Base: 1, Encounter: made, Delete: true}); err != nil || !r.Saved {
		t.Fatalf("delete: %+v %v", r, err)
	}
	made.Place = "Q"
	if r, err := ba.Save(ctx, conversation.SaveEncounter{SaveID: "s3", Base: 1, Encounter: made}); err != nil || r.Saved || !r.Deleted {
		t.Errorf("a stale edit of a deleted one: %+v %v", r, err)
	}
	if got := a.ids(); len(got) != 1 {
		t.Errorf("the refused replica shows what is stored at once: %v", got)
	}
	// a file's encounter is edited in the file
	if _, err := ba.Save(ctx, conversation.SaveEncounter{SaveID: "s4", Encounter: file}); err == nil {
		t.Errorf("a file's encounter was saved to Redis")
	}
	// a reload of the files keeps the stored ones
	r, _ = ba.Save(ctx, conversation.SaveEncounter{SaveID: "s5", Encounter: func() agency.Encounter { e := made; e.ID = "zweites-b2"; return e }()})
	ba.SetFiles(&agency.Content{Location: loc})
	if got := a.ids(); len(got) != 1 || got["zweites-b2"] != r.Version {
		t.Errorf("after a reload without the file's encounter: %v", got)
	}
}
