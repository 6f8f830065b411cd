package agency_test

import (
	"errors"
	"io/fs"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/integrationsagentur-marl/integrabot/content"
	"github.com/integrationsagentur-marl/integrabot/internal/agency"
	"github.com/integrationsagentur-marl/integrabot/internal/i18n"
	"github.com/integrationsagentur-marl/integrabot/internal/problem"
	"github.com/integrationsagentur-marl/integrabot/locales"
)

// Whatever staff write into encounters.yaml, loading it does not crash or
// hang: it either names the problems, each with its file, or gives
// encounters that start before they end and whose dates can be listed.
func FuzzLoadEncounters(f *testing.F) {
	cat, err := i18n.Load(locales.FS())
	if err != nil {
		f.Fatal(err)
	}
	var codes []string
	for _, l := range cat.Languages() {
		codes = append(codes, l.Code)
	}
	for _, layer := range []fs.FS{content.Default(), content.Example()} {
		if b, err := fs.ReadFile(layer, agency.FileEncounters); err == nil {
			f.Add(b)
		}
	}
	one := "- id: cafe\n  title: {de: Café, en: Café}\n  description: {de: D, en: D}\n  place: Hier\n  "
	for _, s := range []string{"", "[]", "# nothing\n", "{}", "- 1\n- [2]\n", "- id: x\n", "- &a {id: *a}\n", "\t- id:\n", "---\n---\n[]",
		one + "start: 2026-12-01T15:00\n  end: 2026-12-01T17:00\n",
		one + "start: 2026-12-01T15:00\n  end: 2026-12-01T14:00\n",
		one + "start: 2026-12-01T15:00\n  end: 2026-12-01T17:00\n  repeat: weekly\n  days: [tue, thu]\n  every: 3\n  until: 2027-03-31\n  except: [2026-12-24]\n",
		one + "start: 2026-12-01T15:00\n  end: 2026-12-01T17:00\n  repeat: monthly\n  week: last\n",
		one + "start: 2026-12-30T15:00\n  end: 2026-12-30T17:00\n  repeat: monthly\n",
		one + "start: 2026-12-01T15:00\n  end: 2026-12-01T17:00\n  repeat: biweekly\n  cancelled: true\n",
		one + "start: 2026-03-29T02:30\n  end: 2026-03-29T03:30\n  repeat: weekly\n  every: 1000000\n",
		one + "start: 0001-01-01T00:00\n  end: 9999-12-31T23:59\n  repeat: weekly\n  link: https://example.org\n",
	} {
		f.Add([]byte(s))
	}
	now := time.Date(2026, 11, 30, 10, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 64<<10 {
			return // a content file is a few kilobytes
		}
		c, err := agency.Load(codes, content.Default(), fstest.MapFS{agency.FileEncounters: {Data: data}})
		if err != nil {
			var ps problem.List
			if !errors.As(err, &ps) || len(ps) == 0 {
				t.Fatalf("%q: %v is not a list of problems", data, err)
			}
			for _, p := range ps {
				if p.File != agency.FileEncounters || p.Msg == "" {
					t.Fatalf("%q: problem %+v does not name encounters.yaml and what is wrong", data, p)
				}
			}
			if _, again := agency.Load(codes, content.Default(), fstest.MapFS{agency.FileEncounters: {Data: data}}); again == nil || again.Error() != err.Error() {
				t.Fatalf("%q: loaded twice, problems %v, then %v", data, err, again)
			}
			return
		}
		ids := map[string]bool{}
		for i := range c.Encounters {
			e := &c.Encounters[i]
			if e.ID == "" || ids[e.ID] || strings.ContainsAny(e.ID, ":| \n") {
				t.Fatalf("%q: encounter id %q is empty, twice or unusable in button data", data, e.ID)
			}
			ids[e.ID] = true
			if !e.End.After(e.Start) {
				t.Fatalf("%q: %s ends %v, not after it starts %v", data, e.ID, e.End, e.Start)
			}
			if o, ok := e.Next(now); ok && !o.End.After(now) {
				t.Fatalf("%q: %s next %+v has ended at %v", data, e.ID, o, now)
			}
			last := now
			for _, o := range e.Between(now, now.AddDate(0, 3, 0)) {
				if o.Start.Before(last) || !o.End.After(o.Start) {
					t.Fatalf("%q: %s occurrences out of order at %v", data, e.ID, o.Start)
				}
				last = o.Start
			}
		}
	})
}
