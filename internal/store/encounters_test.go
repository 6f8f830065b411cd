package store

import (
	"context"
	"strings"
	"testing"
)

// A save names the version it was based on: a second staff member's save
// based on the same version is refused, a retried save is recognised, and
// a delete leaves a mark so that a stale edit cannot bring it back unseen.
func TestSaveEncounterComparesAndSets(t *testing.T) {
	ctx := context.Background()
	for name, rdb := range bothRedis(t) {
		t.Run(name, func(t *testing.T) {
			s := newStore(t, rdb)
			steps := []struct {
				name         string
				base         int64
				save, data   string
				want         EncounterSave
				wantVersions int64 // stored version afterwards
			}{
				{"created", 0, "a1", "v1", EncounterSave{Saved: true, Version: 1}, 1},
				{"the same save again (a retry)", 0, "a1", "v1", EncounterSave{Saved: true, Version: 1}, 1},
				{"a new one with the id taken", 0, "x1", "vx", EncounterSave{Version: 1}, 1},
				{"staff A edits version 1", 1, "a2", "v2", EncounterSave{Saved: true, Version: 2}, 2},
				{"staff B edits version 1 too: refused", 1, "b1", "v2b", EncounterSave{Version: 2}, 2},
				{"staff B saves anyway on version 2", 2, "b2", "v3", EncounterSave{Saved: true, Version: 3}, 3},
				{"deleted", 3, "d1", "", EncounterSave{Saved: true, Version: 4}, 4},
				{"the delete retried", 3, "d1", "", EncounterSave{Saved: true, Version: 4}, 4},
				{"a stale edit of the deleted one", 3, "a3", "v5", EncounterSave{Version: 4, Deleted: true}, 4},
			}
			var gen int64
			for _, st := range steps {
				got, err := s.SaveEncounter(ctx, "naehcafe", st.base, st.save, st.data)
				if err != nil {
					t.Fatal(err)
				}
				if got != st.want {
					t.Errorf("%s: %+v, want %+v", st.name, got, st.want)
				}
				list, n, err := s.Encounters(ctx)
				if err != nil || len(list) != 1 || list[0].Version != st.wantVersions {
					t.Fatalf("%s: stored %+v %v", st.name, list, err)
				}
				if n < gen {
					t.Errorf("%s: the change count went back", st.name)
				}
				gen = n
			}
			list, n, _ := s.Encounters(ctx)
			if list[0].Data != "" || n != 4 {
				t.Errorf("after the delete: %+v, %d changes (want 4)", list, n)
			}
			if c, err := s.EncountersChanged(ctx); err != nil || c != 4 {
				t.Errorf("changed: %d %v", c, err)
			}
		})
	}
}

// Stored encounters come back in the order of their ids, whatever order
// Redis keeps them in: /events and the export are the same every time.
func TestStoredEncountersInIDOrder(t *testing.T) {
	ctx := context.Background()
	s := newStore(t, realRedis(t))
	ids := []string{"m", "c", "x", "a", "q", "e", "k", "b"}
	for _, id := range ids {
		if r, err := s.SaveEncounter(ctx, id, 0, "s"+id, "data "+id); err != nil || !r.Saved {
			t.Fatalf("save %s: %+v %v", id, r, err)
		}
	}
	got, _, err := s.Encounters(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var order []string
	for _, e := range got {
		order = append(order, e.ID)
	}
	if want := "a b c e k m q x"; strings.Join(order, " ") != want {
		t.Errorf("order %v, want %s", order, want)
	}
}
