package app_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/integrationsagentur-marl/integrabot/internal/app"
	"github.com/integrationsagentur-marl/integrabot/internal/config"
	"github.com/integrationsagentur-marl/integrabot/internal/store"
	"github.com/integrationsagentur-marl/integrabot/internal/telegramtest"
)

// pressLatest presses the newest button whose data starts with data in the
// chat of u (a staff button carries a signature after "~").
func pressLatest(t *testing.T, api *telegramtest.Server, u telegramtest.User, data string) {
	t.Helper()
	sent := api.SentTo(u.ID)
	for i := len(sent) - 1; i >= 0; i-- {
		for _, row := range sent[i].Buttons {
			for _, b := range row {
				if b.CallbackData == data || strings.HasPrefix(b.CallbackData, data+"~") {
					api.PressButton(u, sent[i].MessageID, b.CallbackData)
					return
				}
			}
		}
	}
	t.Fatalf("no button %q in:\n%s", data, texts(sent))
}

// On Telegram with a real Redis: a staff member creates a weekly encounter
// in the dialogue; a resident sees it in /events and follows it; staff
// move it to another weekday, and the resident is told it has a new time.
func TestStaffEncounterEndToEnd(t *testing.T) {
	berlin, _ := time.LoadLocation("Europe/Berlin")
	clk := &clock{t: time.Date(2026, 11, 30, 10, 0, 0, 0, berlin)} // a Monday
	api := telegramtest.New(token, telegramtest.WithBotUser(999, "integrabot"))
	defer api.Close()
	h := startWithOptions(t, api, "", "", app.Options{Limits: fastLimits, Now: clk.now}, func(c *config.Config) { c.AdminIDs = []int64{5000, 5001} })
	defer h.stop()
	cat := knowledge(t).Catalog
	staffer := telegramtest.User{ID: 5000, FirstName: "Team", LanguageCode: "de"}
	n := 0
	next := func(u telegramtest.User) string { // the answer to the step just taken
		t.Helper()
		n++
		return texts(h.waitSent(u.ID, n)[n-1:])
	}
	say := func(msg string) string { api.SendText(staffer, msg); return next(staffer) }
	tap := func(data string) string { pressLatest(t, api, staffer, data); return next(staffer) }

	mustContain(t, say("/encounter"), cat.T("de", "enc.ask_title"))
	mustContain(t, say("Nähcafé"), cat.T("de", "enc.ask_description"))
	mustContain(t, say("Gemeinsam nähen und flicken."), cat.T("de", "enc.ask_when"))
	mustContain(t, say("jeden Dienstag 15–17 Uhr"), cat.T("de", "enc.ask_place"))
	mustContain(t, say("Stadtteilbüro"), cat.T("de", "enc.ask_until"))
	mustContain(t, tap("ed:noend"), cat.T("de", "enc.ask_link"))
	pressLatest(t, api, staffer, "ed:nolink")
	n += 2 // the preview: the encounter as residents see it, then Save
	preview := texts(h.waitSent(staffer.ID, n)[n-2:])
	mustContain(t, preview, "Nähcafé", "Dienstag, 1. Dezember", "Stadtteilbüro", cat.T("de", "enc.preview"), "|ed:save~")
	mustContain(t, tap("ed:save"), cat.T("de", "enc.saved"))

	o, _ := redis.ParseURL(redisURL(t))
	rdb := redis.NewClient(o)
	defer rdb.Close()
	s := store.New(rdb, h.prefix, config.DefaultTiming)
	ctx := context.Background()
	list, _, err := s.Encounters(ctx)
	if err != nil || len(list) != 1 || list[0].Version != 1 {
		t.Fatalf("stored: %+v %v", list, err)
	}
	id := list[0].ID

	resident := telegramtest.User{ID: 6300, FirstName: "R", LanguageCode: "de"}
	api.SendText(resident, "/events")
	events := texts(h.waitSent(resident.ID, 1))
	mustContain(t, events, "Nähcafé", "Stadtteilbüro", "|sub:e:"+id+"]")
	pressLatest(t, api, resident, "sub:e:"+id)
	h.waitSent(resident.ID, 2)
	waitFor(t, "the new encounter's dates planned", func() bool {
		plans, _ := s.Plans(ctx)
		return plans[id] != ""
	})

	// a second staff member opens it to change the place, meanwhile the first moves it
	other := telegramtest.User{ID: 5001, FirstName: "Team", LanguageCode: "de"}
	m := 0
	otherTap := func(data string, msgs int) string {
		pressLatest(t, api, other, data)
		m += msgs
		return texts(h.waitSent(other.ID, m)[m-msgs:])
	}
	api.SendText(other, "/encounter")
	m++
	h.waitSent(other.ID, m)
	mustContain(t, otherTap("ed:back", 1), "|ed:open:"+id+"~") // back from the first step: the list
	otherTap("ed:open:"+id, 1)
	otherTap("ed:change", 2)
	otherTap("ed:fields", 1)
	otherTap("ed:f:place", 1)
	api.SendText(other, "Bücherei")
	m += 2
	h.waitSent(other.ID, m)

	mustContain(t, tap("ed:list"), "|ed:open:"+id+"~")
	mustContain(t, tap("ed:open:"+id), "|ed:change~")
	n++ // the encounter, then Save
	tap("ed:change")
	tap("ed:fields")
	mustContain(t, tap("ed:f:when"), cat.T("de", "enc.ask_when"), "Dienstag, 1. Dezember")
	say("jeden Mittwoch 15–17 Uhr")
	n++
	mustContain(t, texts(h.waitSent(staffer.ID, n)[n-2:]), "Mittwoch, 2. Dezember")
	mustContain(t, tap("ed:save"), cat.T("de", "enc.saved"))

	// the second save, based on the version before the move, is refused; the draft stays,
	// put on top of the move: both changes shown in the preview
	refused := otherTap("ed:save", 3)
	mustContain(t, refused, cat.T("de", "enc.conflict_merged"), "Mittwoch, 2. Dezember", "Bücherei", "|ed:save~")
	if list, _, _ := s.Encounters(ctx); len(list) != 1 || list[0].Version != 2 || strings.Contains(list[0].Data, "Bücherei") {
		t.Fatalf("a stale save was applied: %+v", list)
	}
	moved := func() string {
		for _, m := range api.SentTo(resident.ID) {
			if strings.Contains(m.Text, "hat einen neuen Termin") {
				return m.Text
			}
		}
		return ""
	}
	waitFor(t, "the resident told of the move", func() bool { return moved() != "" })
	mustContain(t, moved(), "Nähcafé", "Dienstag, 1. Dezember", "Mittwoch, 2. Dezember")
	mustContain(t, otherTap("ed:save", 1), cat.T("de", "enc.saved"))
	if list, _, _ := s.Encounters(ctx); len(list) != 1 || list[0].Version != 3 || !strings.Contains(list[0].Data, "Bücherei") || !strings.Contains(list[0].Data, "wed") {
		t.Errorf("both changes kept: %+v", list)
	}

	// staff call off the next date, then delete the encounter: the resident is told each
	notice := func(what string) func() bool {
		return func() bool { return strings.Contains(texts(api.SentTo(resident.ID)), what) }
	}
	tap("ed:list")
	tap("ed:open:" + id)
	mustContain(t, tap("ed:dates"), "|ed:x:20261202~")
	mustContain(t, tap("ed:x:20261202"), "Mittwoch, 2. Dezember")
	waitFor(t, "the resident told the date is off", notice("fällt aus"))
	mustContain(t, texts(api.SentTo(resident.ID)), "„Nähcafé“ am Mittwoch, 2. Dezember")
	// the next date (9 December) comes within what is planned ahead a day later
	clk.set(time.Date(2026, 12, 1, 16, 0, 0, 0, berlin))
	next9 := strconv.FormatInt(time.Date(2026, 12, 9, 15, 0, 0, 0, berlin).Unix(), 10)
	waitFor(t, "9 December planned", func() bool {
		plans, _ := s.Plans(ctx)
		return strings.Contains(plans[id], next9)
	})
	tap("ed:list")
	tap("ed:open:" + id)
	mustContain(t, tap("ed:del"), "|ed:del!~")
	mustContain(t, tap("ed:del!"), cat.T("de", "enc.deleted"))
	waitFor(t, "the resident told it no longer takes place", notice("findet nicht mehr statt"))
	api.SendText(resident, "/events")
	if got := texts(h.waitSent(resident.ID, len(api.SentTo(resident.ID))+1)); strings.Contains(got[strings.LastIndex(got, "sendMessage"):], "Nähcafé") {
		t.Errorf("a deleted encounter in /events:\n%s", got)
	}
}
