// Package encounters keeps the encounters staff create in Telegram (in
// Redis) beside the content files' encounters, and gives the rest of the
// bot one content with both: shown in /events, followed, reminded, and
// planned for change notices like any other. Every replica sees a change
// within a poll interval; the replica that saved it at once.
package encounters

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/integrationsagentur-marl/integrabot/internal/agency"
	"github.com/integrationsagentur-marl/integrabot/internal/conversation"
	"github.com/integrationsagentur-marl/integrabot/internal/store"
)

// Store is where the encounters are kept (store.Store).
type Store interface {
	Encounters(ctx context.Context) ([]store.StoredEncounter, int64, error)
	EncountersChanged(ctx context.Context) (int64, error)
	SaveEncounter(ctx context.Context, id string, base int64, saveID, data string) (store.EncounterSave, error)
}

// Changed is told the content with both kinds of encounters, the versions
// of those kept in Redis, and the count of changes to them it reflects,
// whenever either changes.
type Changed func(content *agency.Content, stored map[string]int64, changes int64)

// Book merges the stored encounters into the content files'.
type Book struct {
	store   Store
	langs   []string
	changed Changed
	poll    time.Duration
	log     *slog.Logger

	mu       sync.Mutex
	files    *agency.Content
	gen      int64 // the change count last loaded (-1: never)
	stored   []agency.Encounter
	versions map[string]int64
}

// New returns a book on the content files' content; langs are the languages
// a text may be in; poll is how often other replicas' changes are looked
// for (default 2 s).
func New(s Store, files *agency.Content, langs []string, poll time.Duration, changed Changed, log *slog.Logger) *Book {
	if poll <= 0 {
		poll = 2 * time.Second
	}
	return &Book{store: s, langs: langs, changed: changed, poll: poll, log: log, files: files, gen: -1, versions: map[string]int64{}}
}

// SetFiles replaces the content files' content (a reload) and tells the
// merged content on.
func (b *Book) SetFiles(files *agency.Content) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.files = files
	b.tell()
}

// Refresh loads the stored encounters if they changed since the last load.
func (b *Book) Refresh(ctx context.Context) error {
	n, err := b.store.EncountersChanged(ctx)
	if err != nil {
		return err
	}
	b.mu.Lock()
	same := n == b.gen
	b.mu.Unlock()
	if same {
		return nil
	}
	return b.load(ctx)
}

func (b *Book) load(ctx context.Context) error {
	list, gen, err := b.store.Encounters(ctx)
	if err != nil {
		return err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if gen < b.gen {
		return nil // a slower load of older data
	}
	stored, versions, unreadable := Parse(list, b.files.Location, b.langs)
	for id, err := range unreadable {
		b.log.Error("a stored encounter is unreadable; left out", "encounter", id, "err", err)
	}
	b.gen, b.stored, b.versions = gen, stored, versions
	b.tell()
	return nil
}

// Parse reads the encounters stored in Redis (deleted ones left out), with
// their versions, and names those it cannot read, by id.
func Parse(list []store.StoredEncounter, loc *time.Location, langs []string) ([]agency.Encounter, map[string]int64, map[string]error) {
	var out []agency.Encounter
	versions := map[string]int64{}
	var unreadable map[string]error
	for _, s := range list {
		if s.Data == "" {
			continue // deleted
		}
		es, err := agency.ParseEncounters([]byte(s.Data), loc, langs)
		if err == nil && (len(es) != 1 || es[0].ID != s.ID) {
			err = fmt.Errorf("not one encounter with the id %s", s.ID)
		}
		if err != nil {
			if unreadable == nil {
				unreadable = map[string]error{}
			}
			unreadable[s.ID] = err
			continue
		}
		out = append(out, es[0])
		versions[s.ID] = s.Version
	}
	return out, versions, unreadable
}

// tell passes the merged content on; b.mu is held.
func (b *Book) tell() {
	c, versions := Merge(b.files, b.stored, b.versions, b.log)
	b.changed(c, versions, max(b.gen, 0))
}

// Merge is the content files' content with the stored encounters added; a
// stored one whose id a file uses is left out (the file wins).
func Merge(files *agency.Content, stored []agency.Encounter, versions map[string]int64, log *slog.Logger) (*agency.Content, map[string]int64) {
	c := *files
	c.Encounters = append([]agency.Encounter(nil), files.Encounters...)
	kept := map[string]int64{}
	for _, e := range stored {
		if _, ok := files.Encounter(e.ID); ok {
			if log != nil {
				log.Warn("a stored encounter has the id of one in the content files; the file's is used", "encounter", e.ID)
			}
			continue
		}
		c.Encounters = append(c.Encounters, e)
		kept[e.ID] = versions[e.ID]
	}
	return &c, kept
}

// All is every encounter: the content files' and the stored ones.
func (b *Book) All() []agency.Encounter {
	b.mu.Lock()
	defer b.mu.Unlock()
	c, _ := Merge(b.files, b.stored, b.versions, nil)
	return c.Encounters
}

// Location is the agency's time zone.
func (b *Book) Location() *time.Location {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.files.Location
}

// Save stores a change staff made and loads the encounters again, so that
// the next answer shows what is stored.
func (b *Book) Save(ctx context.Context, e conversation.SaveEncounter) (conversation.EncounterSaved, error) {
	if _, ok := b.fileEncounter(e.Encounter.ID); ok {
		return conversation.EncounterSaved{}, fmt.Errorf("save encounter %s: it is in the content files", e.Encounter.ID)
	}
	data := ""
	if !e.Delete {
		out, err := agency.MarshalEncounters([]agency.Encounter{e.Encounter}, b.Location())
		if err != nil {
			return conversation.EncounterSaved{}, err
		}
		data = string(out)
	}
	r, err := b.store.SaveEncounter(ctx, e.Encounter.ID, e.Base, e.SaveID, data)
	if err != nil {
		return conversation.EncounterSaved{}, err
	}
	// saved or refused, what is stored now is what the next answer shows
	// (a refused staff member who opens it again sees the other's change)
	if err := b.load(ctx); err != nil {
		return conversation.EncounterSaved{}, err
	}
	return conversation.EncounterSaved{Saved: r.Saved, Version: r.Version, Deleted: r.Deleted}, nil
}

func (b *Book) fileEncounter(id string) (agency.Encounter, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.files.Encounter(id)
}

// Run looks for changes other replicas made until ctx ends.
func (b *Book) Run(ctx context.Context) error {
	t := time.NewTicker(b.poll)
	defer t.Stop()
	for {
		if err := b.Refresh(ctx); err != nil && !errors.Is(err, context.Canceled) && ctx.Err() == nil {
			b.log.Warn("encounters: redis unavailable, retrying", "err", err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}
