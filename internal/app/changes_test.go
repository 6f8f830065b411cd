package app_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/integrationsagentur-marl/integrabot/internal/app"
	"github.com/integrationsagentur-marl/integrabot/internal/telegramtest"
)

// soonFolder is a content folder whose only encounter, "soon", is the
// encounters.yaml text body (after id, title, description and place).
func soonFolder(t *testing.T, body string) string {
	t.Helper()
	return contentFolder(t, func(name string, data []byte) []byte {
		if name != "encounters.yaml" {
			return data
		}
		return []byte(`- id: soon
  title:
    de: "Sprachtreff"
    tr: "Dil buluşması"
  description:
    de: "Deutsch sprechen bei Tee."
  place: "Rathaus"
` + body)
	})
}

// loadFolder loads a content folder as the bot does (for Reload, or to start with).
func loadFolder(t *testing.T, dir string) *app.Knowledge {
	t.Helper()
	k, err := app.LoadKnowledge(dir, false)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// metricsText is the /metrics page.
func metricsText(h *harness) string {
	resp, err := http.Get("http://" + h.app.Addr() + "/metrics")
	if err != nil {
		return ""
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return string(data)
}

// A reminder committed to the outbox but not sent yet (Telegram asked the
// bot to wait) when its date moves, or is called off: it is dropped unsent
// and counted as changed; the follower reads the notice of the change, never
// a reminder of the old time.
func TestReminderOfAChangedDateIsNotSent(t *testing.T) {
	for _, tt := range []struct {
		name, change, notice string
	}{
		{"moved", "  start: 2026-12-08T16:00\n  end: 2026-12-08T18:00\n", "hat einen neuen Termin"},
		{"cancelled", "  start: 2026-12-08T15:00\n  end: 2026-12-08T17:00\n  repeat: weekly\n  except: [2026-12-08]\n", "fällt aus"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			berlin, _ := time.LoadLocation("Europe/Berlin")
			clk := &clock{t: time.Date(2026, 12, 7, 12, 0, 0, 0, berlin)}
			before := loadFolder(t, soonFolder(t, "  start: 2026-12-08T15:00\n  end: 2026-12-08T17:00\n  repeat: weekly\n"))
			after := loadFolder(t, soonFolder(t, tt.change))
			api := telegramtest.New(token, telegramtest.WithBotUser(999, "integrabot"))
			defer api.Close()
			h := startKnowing(t, api, "", "", before, app.Options{Limits: fastLimits, Now: clk.now})
			const follower = 4301
			api.SendText(telegramtest.User{ID: follower, FirstName: "F", LanguageCode: "de"}, "/start e_soon")
			mustContain(t, texts(h.waitSent(follower, 1)), "|uns:e:soon]")

			// Telegram makes the bot wait 4 s: the reminder is committed and waits
			api.FailNext("sendMessage", 1, 429, "Too Many Requests: retry after 4", 4)
			clk.set(time.Date(2026, 12, 7, 15, 0, 0, 0, berlin)) // 24 h before
			waitFor(t, "the reminder meets the 429", func() bool { return len(api.Rejected()) > 0 })
			if err := h.app.Reload(func() (*app.Knowledge, error) { return after, nil }); err != nil {
				t.Fatal(err)
			}
			// the notice comes after the reminder in the chat's queue
			waitFor(t, "the notice", func() bool { return strings.Contains(texts(api.SentTo(follower)), tt.notice) })
			if all := texts(api.SentTo(follower)); strings.Contains(all, "🔔 Erinnerung:") {
				t.Fatalf("a reminder of the old time went out:\n%s", all)
			}
			waitFor(t, "the dropped reminder counted", func() bool {
				return strings.Contains(metricsText(h), `integrabot_messages_total{outcome="changed"} 1`)
			})
		})
	}
}

// touch sets the times of every file in dir to at (as a copy that keeps
// them, or a checkout at that moment, would).
func touch(t *testing.T, dir string, at time.Time) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if err := os.Chtimes(filepath.Join(dir, e.Name()), at, at); err != nil {
			t.Fatal(err)
		}
	}
}

// Two replicas on one Redis; one takes up new content (the date moved from
// 15:00 to 16:00), the other reloads its folder, which still holds the old
// content (a rolling deploy, or a SIGHUP sent to one replica only). The
// older content changes nothing: no notice moves the date back, and once
// the replica with the newer content is gone, the older one reminds of
// 16:00, never of 15:00.
func TestOlderContentDoesNotUndoNewer(t *testing.T) {
	berlin, _ := time.LoadLocation("Europe/Berlin")
	clk := &clock{t: time.Date(2026, 12, 7, 12, 0, 0, 0, berlin)}
	oldDir := soonFolder(t, "  start: 2026-12-08T15:00\n  end: 2026-12-08T17:00\n")
	newDir := soonFolder(t, "  start: 2026-12-08T16:00\n  end: 2026-12-08T18:00\n")
	touch(t, oldDir, time.Now().Add(-2*time.Hour))
	touch(t, newDir, time.Now().Add(-time.Hour))
	api := telegramtest.New(token, telegramtest.WithBotUser(999, "integrabot"))
	defer api.Close()
	prefix := fmt.Sprintf("ibtest:%d:", time.Now().UnixNano())
	t.Cleanup(func() { cleanRedis(redisURL(t), prefix) })
	b := &balancer{served: make([]atomic.Int64, 2)}
	front := httptest.NewServer(b)
	t.Cleanup(front.Close)
	var replicas []*replica
	for range 2 {
		r := startReplicaKnowing(t, api, front.URL+"/telegram", prefix, "127.0.0.1:0", loadFolder(t, oldDir), app.Options{Limits: fastLimits, Now: clk.now})
		replicas = append(replicas, r)
		b.backends = append(b.backends, r.app)
	}
	for _, r := range replicas {
		waitAddr(t, r.app)
	}
	older, newer := replicas[0], replicas[1]
	h := &harness{t: t, api: api}
	const follower = 4401
	api.SendText(telegramtest.User{ID: follower, FirstName: "F", LanguageCode: "de"}, "/start e_soon")
	mustContain(t, texts(h.waitSent(follower, 1)), "|uns:e:soon]")

	if err := newer.app.Reload(func() (*app.Knowledge, error) { return loadFolder(t, newDir), nil }); err != nil {
		t.Fatal(err)
	}
	mustContain(t, texts(h.waitSent(follower, 2)[1:]), "hat einen neuen Termin", "15:00", "16:00")
	if err := older.app.Reload(func() (*app.Knowledge, error) { return loadFolder(t, oldDir), nil }); err != nil {
		t.Fatal(err)
	}
	// the older replica has planned: it says it leaves the newer plan alone,
	// or (what must not happen) its notice arrived
	waitFor(t, "the older replica plans", func() bool {
		return strings.Contains(older.logs.String(), "planned from newer content") || len(api.SentTo(follower)) > 2
	})
	if got := api.SentTo(follower); len(got) != 2 {
		t.Fatalf("the older content sent %d more messages:\n%s", len(got)-2, texts(got[2:]))
	}
	newer.cancel() // only the older replica is left to remind
	err := <-newer.done
	newer.done <- err
	clk.set(time.Date(2026, 12, 7, 16, 0, 0, 0, berlin)) // 24 h before 16:00, a day and an hour after 15:00's
	waitFor(t, "the reminder of 16:00", func() bool { return strings.Contains(texts(api.SentTo(follower)), "🔔 Erinnerung:") })
	got := api.SentTo(follower)
	if len(got) != 3 || !strings.Contains(got[2].Text, "16:00") || strings.Contains(got[2].Text, "15:00") {
		t.Fatalf("want one reminder, of 16:00, after the move notice:\n%s", texts(got))
	}
}

// A date is called off, on again, and off again within the hour (staff
// edit the folder's encounters.yaml and reload each time): its followers
// are told each change once, in their language: it does not take place, it
// takes place after all, it does not take place.
func TestCancelRestoreCancel(t *testing.T) {
	berlin, _ := time.LoadLocation("Europe/Berlin")
	clk := &clock{t: time.Date(2026, 12, 7, 12, 0, 0, 0, berlin)}
	weekly := "  start: 2026-12-08T15:00\n  end: 2026-12-08T17:00\n  repeat: weekly\n"
	dir := soonFolder(t, weekly)
	on := loadFolder(t, dir)
	offFile, err := os.ReadFile(filepath.Join(soonFolder(t, weekly+"  except: [2026-12-08]\n"), "encounters.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	onFile, err := os.ReadFile(filepath.Join(dir, "encounters.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	api := telegramtest.New(token, telegramtest.WithBotUser(999, "integrabot"))
	defer api.Close()
	h := startKnowing(t, api, "", "", on, app.Options{Limits: fastLimits, Now: clk.now})
	followers := map[int64]string{4501: "de", 4502: "tr"}
	for id, lang := range followers {
		api.SendText(telegramtest.User{ID: id, FirstName: "F", LanguageCode: lang}, "/start e_soon")
		mustContain(t, texts(h.waitSent(id, 1)), "|uns:e:soon]")
	}
	date := time.Date(2026, 12, 8, 15, 0, 0, 0, berlin)
	for i, step := range []struct {
		file []byte
		key  string
	}{{offFile, "notice.cancelled"}, {onFile, "notice.restored"}, {offFile, "notice.cancelled"}} {
		clk.set(clk.now().Add(10 * time.Minute))
		if err := os.WriteFile(filepath.Join(dir, "encounters.yaml"), step.file, 0o644); err != nil {
			t.Fatal(err)
		}
		if err := h.app.Reload(func() (*app.Knowledge, error) { return app.LoadKnowledge(dir, false) }); err != nil {
			t.Fatal(err)
		}
		for id, lang := range followers {
			got := h.waitSent(id, 2+i)[1+i]
			want := on.Catalog.Format(lang, step.key, map[string]any{"Title": on.Content.Encounters[0].Title.Or(lang), "When": "X"})
			head, _, _ := strings.Cut(want, "X") // the text up to the date
			mustContain(t, got.Text, head, on.Catalog.Clock(lang, date))
		}
	}
	// a barrier: the answer to a later message; nothing more came before it
	for id, lang := range followers {
		api.SendText(telegramtest.User{ID: id, FirstName: "F", LanguageCode: lang}, "/subscriptions")
		if got := h.waitSent(id, 5); len(got) != 5 {
			t.Errorf("follower %d got %d messages, want the three notices between:\n%s", id, len(got), texts(got))
		}
	}
}
