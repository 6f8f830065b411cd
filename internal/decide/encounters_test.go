package decide_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/integrationsagentur-marl/integrabot/internal/agency"
	"github.com/integrationsagentur-marl/integrabot/internal/app"
	"github.com/integrationsagentur-marl/integrabot/internal/config"
	"github.com/integrationsagentur-marl/integrabot/internal/conversation"
	"github.com/integrationsagentur-marl/integrabot/internal/decide"
	"github.com/integrationsagentur-marl/integrabot/internal/encounters"
	"github.com/integrationsagentur-marl/integrabot/internal/store"
	"github.com/integrationsagentur-marl/integrabot/internal/store/storetest"
)

// A staff member's Save whose commit fails is decided again when the
// update is retried: the encounter is stored once, and the answer is
// "saved", not "someone else changed it".
func TestEncounterSaveRetriedIsAppliedOnce(t *testing.T) {
	rdb, _, prefix := storetest.Redis(t, "")
	ctx := context.Background()
	k, err := app.LoadKnowledge("", false)
	if err != nil {
		t.Fatal(err)
	}
	rs := store.New(rdb, prefix, config.DefaultTiming)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	s, out := &fakeStore{}, &fakeOut{}
	var d *decide.Decider
	book := encounters.New(rs, k.Content, []string{"de"}, time.Hour, func(c *agency.Content, v map[string]int64, _ int64) {
		d.SetCore(conversation.New(c, k.Catalog, k.NLU).WithStored(v))
	}, log)
	d = decide.New(k.Core(), k.Catalog, s, out, render, 0, decide.Staff{Encounters: book}, log, nil)

	// the staff member's draft, up to the preview
	now := time.Now()
	var st conversation.State
	for _, ev := range []conversation.Event{
		{Kind: conversation.KindCommand, Command: "encounter"}, {Kind: conversation.KindText, Text: "Nähcafé"},
		{Kind: conversation.KindText, Text: "Gemeinsam nähen."}, {Kind: conversation.KindText, Text: "jeden Dienstag 15 Uhr"},
		{Kind: conversation.KindText, Text: "Stadtteilbüro"}, {Kind: conversation.KindButton, Data: "ed:noend"}, {Kind: conversation.KindButton, Data: "ed:nolink"},
	} {
		ev.UserID, ev.ChatID, ev.LanguageCode, ev.Role, ev.Now = 7, 7, "de", conversation.RoleStaff, now
		st = k.Core().Handle(ev, st).State
	}
	if st.Dialogue == nil || st.Dialogue.Step != "preview" {
		t.Fatalf("draft: %+v", st.Dialogue)
	}
	save := press(41, "ed:save")
	save.Event.Role, save.Event.MessageID = conversation.RoleStaff, 12

	s.state, s.commitErr = st, errors.New("redis went away")
	if _, err := d.Handle(ctx, save, false); err == nil {
		t.Fatal("a failed commit was not an error")
	}
	s.commitErr = nil // the retry: the claim finds the state from before
	if res, err := d.Handle(ctx, save, false); err != nil || res != decide.Committed {
		t.Fatalf("retry: %v %v", res, err)
	}
	list, gen, err := rs.Encounters(ctx)
	if err != nil || len(list) != 1 || list[0].Version != 1 || gen != 1 {
		t.Fatalf("stored after a retried save: %+v, %d changes, %v", list, gen, err)
	}
	c := s.commits[len(s.commits)-1]
	var answer string
	for _, m := range c.Messages {
		answer += string(m.Payload)
	}
	if !strings.Contains(answer, k.Catalog.T("de", "enc.saved")) || strings.Contains(answer, k.Catalog.T("de", "enc.conflict")) {
		t.Errorf("the retried save's answer: %s", answer)
	}
	if c.State == nil || c.State.Dialogue != nil {
		t.Errorf("the draft is not done after the save: %+v", c.State)
	}
	// the next resident asking sees it
	events := press(43, "m:encounters")
	if _, err := d.Handle(ctx, events, false); err != nil {
		t.Fatal(err)
	}
	var shown string
	for _, m := range s.commits[len(s.commits)-1].Messages {
		shown += string(m.Payload)
	}
	if !strings.Contains(shown, "Nähcafé") {
		t.Errorf("/events after the save:\n%s", shown)
	}
}
