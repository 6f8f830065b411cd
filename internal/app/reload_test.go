package app_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/integrationsagentur-marl/integrabot/internal/app"
	"github.com/integrationsagentur-marl/integrabot/internal/config"
	"github.com/integrationsagentur-marl/integrabot/internal/telegramtest"
)

// brokenEncounter is an encounter file with two mistakes: a date that does
// not exist (line 7, field start) and a field the loader does not know
// (line 9).
const brokenEncounter = `- id: cafe
  title:
    de: "Sprachcafé"
  description:
    de: "Deutsch sprechen bei Tee"
  place: "Büro"
  start: 2026-13-45T15:00
  end: 2026-12-01T17:00
  colour: blue
`

// The reload button checks the content folder first: a broken one keeps
// the content in use and tells the staff member who pressed, in their
// language, every problem with file, line and field; once fixed, the button
// loads it and says what was loaded.
func TestStaffReloadButton(t *testing.T) {
	dir := contentFolder(t, nil)
	load := func() (*app.Knowledge, error) { return app.LoadKnowledge(dir, false) }
	api := telegramtest.New(token, telegramtest.WithBotUser(999, "integrabot"))
	defer api.Close()
	h := startWithOptions(t, api, "", "", app.Options{Limits: fastLimits, Reload: load}, func(c *config.Config) { c.AdminIDs = []int64{5000} })
	staffer := telegramtest.User{ID: 5000, FirstName: "Team", LanguageCode: "en"}
	resident := telegramtest.User{ID: 5002, FirstName: "R", LanguageCode: "de"}

	if err := os.WriteFile(filepath.Join(dir, "encounters.yaml"), []byte(brokenEncounter), 0o644); err != nil {
		t.Fatal(err)
	}
	api.SendText(staffer, "/staff")
	menu := h.waitSent(5000, 1)[0]
	pressStaff(t, api, staffer, menu.MessageID, "sf:reload")
	report := h.waitSent(5000, 2)[1]
	mustContain(t, report.Text, "The content was not reloaded", "File encounters.yaml · Line 7 · Field encounters[0].start: ", "File encounters.yaml · Line 9 · Field encounters[0].colour: unknown field")
	if strings.Contains(report.Text, "Content reloaded") {
		t.Errorf("a broken folder reported as loaded:\n%s", report.Text)
	}
	if n := strings.Count(report.Text, "• "); n != 2 {
		t.Errorf("%d problems listed, want 2:\n%s", n, report.Text)
	}
	api.SendText(resident, "/events") // the content in use stayed: the sample encounters
	mustContain(t, h.waitSent(5002, 1)[0].Text, "Beispiel: Sprachcafé")

	fixed := strings.NewReplacer("2026-13-45T15:00", "2026-12-01T15:00", "  colour: blue\n", "  repeat: weekly\n").Replace(brokenEncounter)
	if err := os.WriteFile(filepath.Join(dir, "encounters.yaml"), []byte(fixed), 0o644); err != nil {
		t.Fatal(err)
	}
	pressStaff(t, api, staffer, menu.MessageID, "sf:reload")
	report = h.waitSent(5000, 3)[2]
	mustContain(t, report.Text, "Content reloaded. Services: ", "Meet-ups: 1")
	api.SendText(resident, "/events")
	got := texts(h.waitSent(5002, 2)[1:])
	mustContain(t, got, "Sprachcafé")
	if strings.Contains(got, "Beispiel") {
		t.Errorf("the old content after the reload:\n%s", got)
	}
}

// A reload by SIGHUP of a broken folder tells the staff group, in German,
// every problem with file, line and field.
func TestReloadBySignalTellsTheStaffGroup(t *testing.T) {
	dir := contentFolder(t, nil)
	h := startWithStaff(t, 5000)
	h.api.SendGroupText(staffGroup, telegramtest.User{ID: 5000, FirstName: "Petra", LanguageCode: "de"}, "Guten Morgen") // the bot is in the group
	if err := os.WriteFile(filepath.Join(dir, "encounters.yaml"), []byte(brokenEncounter), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := h.app.Reload(func() (*app.Knowledge, error) { return app.LoadKnowledge(dir, false) }); err == nil {
		t.Fatal("a broken folder reloaded")
	}
	got := h.waitSent(staffGroup, 1)[0]
	mustContain(t, got.Text, "Die Inhalte sind nicht neu geladen", "Datei encounters.yaml · Zeile 7 · Feld encounters[0].start: ", "Datei encounters.yaml · Zeile 9 · Feld encounters[0].colour: unknown field")
}

// The reload button reloads the content on every replica, not only on the
// one that took the press: with two replicas behind the load balancer, a
// resident asking either of them afterwards gets the new content.
func TestReloadButtonReloadsEveryReplica(t *testing.T) {
	dir := contentFolder(t, nil)
	load := func() (*app.Knowledge, error) { return app.LoadKnowledge(dir, false) }
	api := telegramtest.New(token, telegramtest.WithBotUser(999, "integrabot"))
	defer api.Close()
	prefix := fmt.Sprintf("ibtest:%d:", time.Now().UnixNano())
	t.Cleanup(func() { cleanRedis(redisURL(t), prefix) })
	b := &balancer{served: make([]atomic.Int64, 2)}
	front := httptest.NewServer(b)
	t.Cleanup(front.Close)
	staff := func(c *config.Config) { c.AdminIDs, c.FloodLimit = []int64{5000}, 1000 } // the resident asks often
	var replicas []*app.App
	for range 2 {
		r := startReplicaWithOptions(t, api, front.URL+"/telegram", prefix, "127.0.0.1:0", app.Options{Limits: fastLimits, Reload: load}, staff)
		replicas = append(replicas, r.app)
	}
	b.backends = replicas
	for _, a := range replicas {
		waitAddr(t, a)
	}
	h := &harness{t: t, api: api}
	staffer := telegramtest.User{ID: 5000, FirstName: "Team", LanguageCode: "en"}

	fixed := strings.NewReplacer("2026-13-45T15:00", "2026-12-01T15:00", "  colour: blue\n", "  repeat: weekly\n").Replace(brokenEncounter)
	if err := os.WriteFile(filepath.Join(dir, "encounters.yaml"), []byte(fixed), 0o644); err != nil {
		t.Fatal(err)
	}
	api.SendText(staffer, "/staff")
	menu := h.waitSent(5000, 1)[0]
	pressStaff(t, api, staffer, menu.MessageID, "sf:reload")
	mustContain(t, h.waitSent(5000, 2)[1].Text, "Content reloaded")

	// a resident asks each replica directly, until both show the new
	// encounter (a replica that did not reload would show the sample ones)
	const resident = 5002
	api.SendText(telegramtest.User{ID: resident, FirstName: "R", LanguageCode: "de"}, "/start") // the fake knows the chat
	h.waitSent(resident, 1)
	id, answers := int64(7_000_000), 1
	for i, a := range replicas {
		deadline := time.Now().Add(30 * time.Second) // a poll (2 s) and a reload (slow under -race)
		for {
			id++
			if code := post(t, "http://"+a.Addr()+"/telegram", secret, update(id, resident, "/events")); code != http.StatusOK {
				t.Fatalf("replica %d answered %d", i+1, code)
			}
			answers++
			got := h.waitSent(resident, answers)[answers-1].Text
			if strings.Contains(got, "Sprachcafé") && !strings.Contains(got, "Beispiel") {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("replica %d still shows the old content 30 s after the reload:\n%s", i+1, got)
			}
		}
	}
}
