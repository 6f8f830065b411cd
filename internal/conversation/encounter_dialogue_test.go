package conversation_test

import (
	"strings"
	"testing"
	"time"

	"github.com/integrationsagentur-marl/integrabot/internal/agency"
	"github.com/integrationsagentur-marl/integrabot/internal/conversation"
)

// dialogue drives one staff member's encounter dialogue through the core.
type dialogue struct {
	t    *testing.T
	core *conversation.Core
	st   conversation.State
	msg  int
	chat int64 // 0: the staff member of staff()
}

func (d *dialogue) do(ev conversation.Event) (conversation.Decision, string) {
	d.t.Helper()
	ev = staff(ev)
	if d.chat != 0 {
		ev.UserID, ev.ChatID = d.chat, d.chat
	}
	d.msg++
	ev.MessageID = d.msg
	out := d.core.Handle(ev, d.st)
	d.st = out.State
	return out, all(out)
}

func (d *dialogue) say(msg string) string  { _, s := d.do(text("de", msg)); return s }
func (d *dialogue) tap(data string) string { _, s := d.do(press("de", data)); return s }

func (d *dialogue) step() string {
	if d.st.Dialogue == nil {
		return "<none>"
	}
	return d.st.Dialogue.Step
}

// toWhen opens a new encounter and answers the steps before the date.
func toWhen(t *testing.T, core *conversation.Core) *dialogue {
	d := &dialogue{t: t, core: core, st: conversation.State{Lang: "de"}}
	d.do(cmd("de", "encounter"))
	d.say("Nähcafé")
	d.say("Gemeinsam nähen und flicken, Maschinen sind da.")
	if d.step() != "when" {
		t.Fatalf("after title and description: step %s", d.step())
	}
	return d
}

// A staff member creates a weekly encounter: every step asks in German,
// the preview is the encounter as residents see it, and Save asks for one
// save of a new encounter.
func TestEncounterDialogueCreates(t *testing.T) {
	f := load(t)
	d := &dialogue{t: t, core: f.core, st: conversation.State{Lang: "de"}}
	got := d.tap("ed:new")
	if !strings.Contains(got, f.cat.T("de", "enc.ask_title")) || !strings.Contains(got, "|ed:back]") || !strings.Contains(got, "|ed:cancel]") {
		t.Fatalf("ed:new:\n%s", got)
	}
	if got = d.say("Nähcafé"); !strings.Contains(got, f.cat.T("de", "enc.ask_description")) {
		t.Fatalf("after the title:\n%s", got)
	}
	d.say("Gemeinsam nähen und flicken.")
	if got = d.say("jeden Dienstag 15–17 Uhr"); !strings.Contains(got, f.cat.T("de", "enc.ask_place")) {
		t.Fatalf("after the date:\n%s", got)
	}
	if got = d.say("Stadtteilbüro"); !strings.Contains(got, f.cat.T("de", "enc.ask_until")) || !strings.Contains(got, "|ed:noend]") {
		t.Fatalf("a weekly encounter is asked for its end:\n%s", got)
	}
	d.say("31.3.2027")
	if got = d.say("https://www.example.org/naehcafe"); d.step() != "preview" {
		t.Fatalf("after the link: step %s\n%s", d.step(), got)
	}
	out, got := d.do(press("de", "ed:save"))
	if len(out.Messages) != 0 || !out.Save {
		t.Errorf("the decider answers a save, not the core: %+v", out.Messages)
	}
	saves := effects[conversation.SaveEncounter](out)
	if len(saves) != 1 {
		t.Fatalf("save: %+v", out.Effects)
	}
	e := saves[0].Encounter
	loc := e.Start.Location()
	if saves[0].Base != 0 || !strings.HasPrefix(e.ID, "naehcafe-") || e.Title["de"] != "Nähcafé" || e.Place != "Stadtteilbüro" ||
		e.Repeat != agency.Weekly || !e.Start.Equal(time.Date(2026, 12, 1, 15, 0, 0, 0, loc)) || !e.End.Equal(time.Date(2026, 12, 1, 17, 0, 0, 0, loc)) ||
		e.Until.Format("2006-01-02") != "2027-03-31" || e.Link != "https://www.example.org/naehcafe" {
		t.Errorf("saved: %+v", e)
	}
	msgs, st := f.core.EncounterSaveResult(staff(press("de", "ed:save")), out.State, saves[0], conversation.EncounterSaved{Saved: true, Version: 1})
	if st.Dialogue != nil || len(msgs) != 1 || !strings.Contains(msgs[0].Text, f.cat.T("de", "enc.saved")) {
		t.Errorf("after the save: %+v %+v", st.Dialogue, msgs)
	}
}

// The preview shows the encounter exactly as a resident sees it in the
// encounter's own screen.
func TestEncounterPreviewIsWhatResidentsSee(t *testing.T) {
	f := load(t)
	d := toWhen(t, f.core)
	d.say("3.12. 16–18 Uhr")
	d.say("Stadtteilbüro")
	out, _ := d.do(press("de", "ed:nolink"))
	if len(out.Messages) != 2 {
		t.Fatalf("preview: %d messages", len(out.Messages))
	}
	saved := effects[conversation.SaveEncounter](f.core.Handle(staff(press("de", "ed:save")), d.st))[0].Encounter
	core := f.core.WithContent(func(c agency.Content) agency.Content { c.Encounters = append(c.Encounters, saved); return c })
	resident := core.Handle(press("de", "e:"+saved.ID), conversation.State{Lang: "de"})
	if resident.Messages[0].Text != out.Messages[0].Text {
		t.Errorf("preview:\n%s\nresident:\n%s", out.Messages[0].Text, resident.Messages[0].Text)
	}
}

// Every date form staff write is read; the end of a series is asked only
// when it repeats.
func TestEncounterDialogueDateForms(t *testing.T) {
	f := load(t)
	loc := monday.Location()
	at := func(d, h, m int) time.Time { return time.Date(2026, 12, d, h, m, 0, 0, loc) }
	for _, c := range []struct {
		text       string
		start, end time.Time
		repeat     agency.Repeat
		week       int
		next       string
	}{
		{"Do 3.12. 16 Uhr", at(3, 16, 0), at(3, 18, 0), agency.Once, 0, "link"},
		{"3.12. 16–18 Uhr", at(3, 16, 0), at(3, 18, 0), agency.Once, 0, "link"},
		{"03.12.2026 16:00–18:00", at(3, 16, 0), at(3, 18, 0), agency.Once, 0, "link"},
		{"jeden Dienstag 15 Uhr", at(1, 15, 0), at(1, 17, 0), agency.Weekly, 0, "until"},
		{"jeden 1. Montag im Monat 10 Uhr", at(7, 10, 0), at(7, 12, 0), agency.Monthly, 1, "until"},
	} {
		t.Run(c.text, func(t *testing.T) {
			d := toWhen(t, f.core)
			d.say(c.text)
			d.say("Stadtteilbüro")
			if d.step() != c.next {
				t.Fatalf("after the place: step %s, want %s", d.step(), c.next)
			}
			if c.next == "until" {
				d.tap("ed:noend")
			}
			d.tap("ed:nolink")
			saves := effects[conversation.SaveEncounter](f.core.Handle(staff(press("de", "ed:save")), d.st))
			if len(saves) != 1 {
				t.Fatalf("no save from the preview (step %s)", d.step())
			}
			e := saves[0].Encounter
			if !e.Start.Equal(c.start) || !e.End.Equal(c.end) || e.Repeat != c.repeat || e.Week != c.week {
				t.Errorf("got %s–%s %q week %d", e.Start, e.End, e.Repeat, e.Week)
			}
		})
	}
}

// A date the bot cannot read is answered with what is wrong and an example
// that works; the draft stays at the date step.
func TestEncounterDialogueWrongDates(t *testing.T) {
	f := load(t)
	for _, c := range []struct{ text, want string }{
		{"Di 3.12. 16 Uhr", "„Do 3.12.2026“"}, // 3.12.2026 is a Thursday
		{"jeden 1. Montag im Monat", "Die Uhrzeit fehlt."},
		{"32.12. 16 Uhr", "Bitte so:"},
		{"nächste Woche irgendwann", "Bitte so:"},
		{"3.12. 18–16 Uhr", "16–18 Uhr"},
	} {
		t.Run(c.text, func(t *testing.T) {
			d := toWhen(t, f.core)
			got := d.say(c.text)
			if !strings.Contains(got, f.cat.T("de", "enc.bad_when")) || !strings.Contains(got, c.want) || !strings.Contains(got, "|ed:cancel]") {
				t.Errorf("answer:\n%s", got)
			}
			if d.step() != "when" || d.st.Dialogue.Draft["t:de"] != "Nähcafé" {
				t.Errorf("the draft moved on or lost its title: %+v", d.st.Dialogue)
			}
			if got := d.say("3.12. 16 Uhr"); !strings.Contains(got, f.cat.T("de", "enc.ask_place")) {
				t.Errorf("a good date after a wrong one:\n%s", got)
			}
		})
	}
}

// The end of a series and the link: wrong ones get an example, and the
// draft stays.
func TestEncounterDialogueWrongEndAndLink(t *testing.T) {
	f := load(t)
	d := toWhen(t, f.core)
	d.say("jeden Dienstag 15 Uhr")
	d.say("Stadtteilbüro")
	for _, bad := range []string{"1.11.2026", "irgendwann", "31.3.2027 10 Uhr"} {
		if got := d.say(bad); !strings.Contains(got, f.cat.T("de", "enc.bad_until")) || !strings.Contains(got, "31.3.") || d.step() != "until" {
			t.Errorf("%q:\n%s", bad, got)
		}
	}
	d.say("31.3.2027")
	if got := d.say("www example"); !strings.Contains(got, f.cat.T("de", "enc.bad_link")) || d.step() != "link" {
		t.Errorf("a wrong link:\n%s", got)
	}
}

// Back goes one step back and shows what was written; Cancel anywhere
// drops the draft and saves nothing.
func TestEncounterDialogueBackAndCancel(t *testing.T) {
	f := load(t)
	d := toWhen(t, f.core)
	d.say("jeden Dienstag 15 Uhr")
	if got := d.tap("ed:back"); d.step() != "when" || !strings.Contains(got, f.cat.T("de", "enc.ask_when")) {
		t.Fatalf("back from the place: %s\n%s", d.step(), got)
	}
	if got := d.tap("ed:back"); d.step() != "desc" || !strings.Contains(got, "Gemeinsam nähen") {
		t.Errorf("back to the description shows it: %s\n%s", d.step(), got)
	}
	d.tap("ed:back")
	if d.step() != "title" {
		t.Errorf("back to the title: %s", d.step())
	}
	d.say("Nähtreff") // changed on the way
	d.say("Gemeinsam nähen.")
	d.say("jeden Dienstag 15 Uhr")
	out, got := d.do(press("de", "ed:cancel"))
	if d.st.Dialogue != nil || len(out.Effects) != 0 || !strings.Contains(got, f.cat.T("de", "enc.discarded")) {
		t.Errorf("cancel: %+v\n%s", d.st.Dialogue, got)
	}
	if got := d.tap("ed:save"); !strings.Contains(got, f.cat.T("de", "enc.nothing")) {
		t.Errorf("save after cancel:\n%s", got)
	}
}

// A staff member whose language is not German is asked in theirs, and
// the German terms of a date error come after a line in their language.
func TestEncounterDialogueInAnotherLanguage(t *testing.T) {
	f := load(t)
	d := &dialogue{t: t, core: f.core, st: conversation.State{Lang: "uk"}}
	if _, got := d.do(cmd("uk", "encounter")); !strings.Contains(got, f.cat.T("uk", "enc.ask_title")) {
		t.Fatalf("uk:\n%s", got)
	}
	d.do(text("uk", "Nähcafé"))
	d.do(text("uk", "Gemeinsam nähen."))
	if _, got := d.do(text("uk", "morgen")); !strings.Contains(got, f.cat.T("uk", "enc.bad_when")) || !strings.Contains(got, "Uhrzeit") {
		t.Errorf("uk date error:\n%s", got)
	}
}

// Anyone not staff, or staff in a group, is refused at every step and
// every button, and nothing is saved.
func TestEncounterDialogueIsStaffOnly(t *testing.T) {
	f := load(t)
	draft := conversation.State{Lang: "de", Dialogue: &conversation.Dialogue{Name: "encounter", Step: "preview",
		Draft: map[string]string{"t:de": "x", "d:de": "y", "p": "z", "s": "1796137200", "e": "1796144400"}, Expires: monday.Add(time.Hour)}}
	group := func(ev conversation.Event) conversation.Event {
		ev = staff(ev)
		ev.Group, ev.ChatID = true, -100
		return ev
	}
	for _, ev := range []conversation.Event{cmd("de", "encounter"), press("de", "ed:save"), press("de", "ed:new"), press("de", "ed:list"),
		group(press("de", "ed:save")), group(cmd("de", "encounter"))} {
		out := f.core.Handle(ev, draft)
		if len(out.Effects) != 0 || !strings.Contains(all(out), f.cat.T("de", "staff.only")) {
			t.Errorf("%+v: %+v\n%s", ev, out.Effects, all(out))
		}
	}
	draft.Dialogue.Step = "place"
	if out := f.core.Handle(text("de", "Rathaus"), draft); !strings.Contains(all(out), f.cat.T("de", "staff.only")) || out.State.Dialogue.Draft["p"] != "z" {
		t.Errorf("a resident's text at a step:\n%s", all(out))
	}
}

// An encounter from the content files is edited in the files: staff are
// told so kindly; stored ones open for editing.
func TestEncounterListAndFiles(t *testing.T) {
	f := load(t)
	d := &dialogue{t: t, core: f.core, st: conversation.State{Lang: "de"}}
	if got := d.tap("ed:list"); !strings.Contains(got, "|ed:open:sample-cafe]") || !strings.Contains(got, "|ed:new]") {
		t.Fatalf("list:\n%s", got)
	}
	if got := d.tap("ed:open:sample-cafe"); !strings.Contains(got, f.cat.T("de", "enc.from_files")) || d.st.Dialogue != nil {
		t.Errorf("a file's encounter:\n%s", got)
	}
}

// stored is a core with one encounter kept in Redis at version 3.
func stored(t *testing.T) (*conversation.Core, agency.Encounter) {
	f := load(t)
	loc := monday.Location()
	e := agency.Encounter{ID: "naehcafe-abc123", Title: agency.Text{"de": "Nähcafé"}, Description: agency.Text{"de": "Nähen."},
		Start: time.Date(2026, 12, 1, 15, 0, 0, 0, loc), End: time.Date(2026, 12, 1, 17, 0, 0, 0, loc), Repeat: agency.Weekly,
		Days: []time.Weekday{time.Tuesday}, Place: "Stadtteilbüro"}
	core := f.core.WithContent(func(c agency.Content) agency.Content { c.Encounters = append(c.Encounters, e); return c }).
		WithStored(map[string]int64{e.ID: 3})
	return core, e
}

// Staff edit one field of a stored encounter: it is saved based on the
// version they opened, the rest unchanged.
func TestEncounterEditMovesIt(t *testing.T) {
	f := load(t)
	core, e := stored(t)
	d := &dialogue{t: t, core: core, st: conversation.State{Lang: "de"}}
	if got := d.tap("ed:open:" + e.ID); !strings.Contains(got, "|ed:change]") || !strings.Contains(got, "|ed:dates]") || !strings.Contains(got, "|ed:del]") {
		t.Fatalf("open:\n%s", got)
	}
	d.tap("ed:change")
	if got := d.tap("ed:back"); d.step() != "manage" || !strings.Contains(got, "|ed:del]") {
		t.Errorf("back from an opened encounter's preview: %s\n%s", d.step(), got)
	}
	d.tap("ed:change")
	if got := d.tap("ed:fields"); !strings.Contains(got, "|ed:f:when]") || !strings.Contains(got, "|ed:f:until]") {
		t.Fatalf("fields:\n%s", got)
	}
	if got := d.tap("ed:f:when"); !strings.Contains(got, f.cat.T("de", "enc.ask_when")) {
		t.Fatalf("when:\n%s", got)
	}
	if d.say("jeden Mittwoch 15–17 Uhr"); d.step() != "preview" {
		t.Fatalf("one field changed goes back to the preview: %s", d.step())
	}
	out, _ := d.do(press("de", "ed:save"))
	saves := effects[conversation.SaveEncounter](out)
	if len(saves) != 1 || saves[0].Base != 3 || saves[0].Encounter.ID != e.ID || saves[0].Encounter.Start.Weekday() != time.Wednesday ||
		saves[0].Encounter.Title["de"] != "Nähcafé" || saves[0].Encounter.Place != "Stadtteilbüro" {
		t.Errorf("save: %+v", saves)
	}
}

// Two staff edit the same encounter: the second save is refused (the
// store says so), the draft stays, and saving anyway is based on the
// version found.
func TestEncounterTwoStaffEditing(t *testing.T) {
	f := load(t)
	core, e := stored(t)
	a := &dialogue{t: t, core: core, st: conversation.State{Lang: "de"}}
	b := &dialogue{t: t, core: core, st: conversation.State{Lang: "de"}, chat: 8}
	for _, d := range []*dialogue{a, b} {
		d.tap("ed:open:" + e.ID)
		d.tap("ed:change")
		d.tap("ed:fields")
		d.tap("ed:f:place")
	}
	a.say("Rathaus")
	b.say("Bücherei")
	outA, _ := a.do(press("de", "ed:save"))
	outB, _ := b.do(press("de", "ed:save"))
	sa, sb := effects[conversation.SaveEncounter](outA)[0], effects[conversation.SaveEncounter](outB)[0]
	if sa.Base != 3 || sb.Base != 3 || sa.SaveID == sb.SaveID {
		t.Fatalf("both based on version 3, each its own save: %+v %+v", sa, sb)
	}
	// the store took a's (version 4) and refused b's
	msgs, st := core.EncounterSaveResult(staff(press("de", "ed:save")), outB.State, sb, conversation.EncounterSaved{Version: 4})
	text := all(conversation.Decision{Messages: msgs})
	if !strings.Contains(text, f.cat.T("de", "enc.conflict")) || !strings.Contains(text, "|ed:force]") || st.Dialogue == nil || st.Dialogue.Draft["p"] != "Bücherei" {
		t.Fatalf("refused:\n%s\n%+v", text, st.Dialogue)
	}
	b.st = st
	out, _ := b.do(press("de", "ed:force"))
	forced := effects[conversation.SaveEncounter](out)
	if len(forced) != 1 || forced[0].Base != 4 || forced[0].Encounter.Place != "Bücherei" {
		t.Errorf("save anyway: %+v", forced)
	}
}

// Cancelling one date adds it to the series' exceptions; cancelling the
// series and deleting ask first.
func TestEncounterCancelDateSeriesDelete(t *testing.T) {
	f := load(t)
	core, e := stored(t)
	d := &dialogue{t: t, core: core, st: conversation.State{Lang: "de"}}
	d.tap("ed:open:" + e.ID)
	if got := d.tap("ed:dates"); !strings.Contains(got, "|ed:x:20261208]") {
		t.Fatalf("dates:\n%s", got)
	}
	out, _ := d.do(press("de", "ed:x:20261208"))
	saves := effects[conversation.SaveEncounter](out)
	if len(saves) != 1 || saves[0].Change != conversation.ChangeDateCancelled || len(saves[0].Encounter.Except) != 1 ||
		saves[0].Encounter.Except[0].Format("2006-01-02") != "2026-12-08" || saves[0].Base != 3 {
		t.Fatalf("cancel a date: %+v", saves)
	}
	if o, _ := saves[0].Encounter.Next(time.Date(2026, 12, 2, 0, 0, 0, 0, monday.Location())); o.Start.Day() != 15 {
		t.Errorf("the next date after the cancelled one: %s", o.Start)
	}
	for _, c := range []struct{ ask, yes, change string }{{"ed:series", "ed:series!", conversation.ChangeSeriesCancelled}, {"ed:del", "ed:del!", conversation.ChangeDeleted}} {
		d := &dialogue{t: t, core: core, st: conversation.State{Lang: "de"}}
		d.tap("ed:open:" + e.ID)
		out, got := d.do(press("de", c.ask))
		if len(out.Effects) != 0 || !strings.Contains(got, "|"+c.yes+"]") {
			t.Fatalf("%s asks first:\n%s", c.ask, got)
		}
		out, _ = d.do(press("de", c.yes))
		saves := effects[conversation.SaveEncounter](out)
		if len(saves) != 1 || saves[0].Change != c.change || saves[0].Delete != (c.change == conversation.ChangeDeleted) ||
			saves[0].Encounter.Cancelled != (c.change == conversation.ChangeSeriesCancelled) {
			t.Errorf("%s: %+v", c.yes, saves)
		}
		msgs, st := core.EncounterSaveResult(staff(press("de", c.yes)), out.State, saves[0], conversation.EncounterSaved{Saved: true, Version: 4})
		if st.Dialogue != nil || !strings.Contains(msgs[0].Text, f.cat.T("de", "enc."+map[string]string{"series": "series_cancelled", "deleted": "deleted"}[c.change])) {
			t.Errorf("%s done: %+v", c.yes, msgs)
		}
	}
}

// A retried update decides the same save: the store recognises it by its id.
func TestEncounterSaveIsStableForARetry(t *testing.T) {
	f := load(t)
	d := toWhen(t, f.core)
	d.say("3.12. 16 Uhr")
	d.say("Stadtteilbüro")
	d.tap("ed:nolink")
	ev := staff(press("de", "ed:save"))
	one := effects[conversation.SaveEncounter](f.core.Handle(ev, d.st))
	two := effects[conversation.SaveEncounter](f.core.Handle(ev, d.st))
	if len(one) != 1 || len(two) != 1 || one[0].SaveID != two[0].SaveID || one[0].Encounter.ID != two[0].Encounter.ID {
		t.Errorf("a retried update: %+v %+v", one, two)
	}
	ev.MessageID++
	if three := effects[conversation.SaveEncounter](f.core.Handle(ev, d.st)); three[0].SaveID == one[0].SaveID {
		t.Errorf("another press is another save")
	}
}

// Title and description in another language, from the preview: residents
// of that language read them, and the preview names the languages.
func TestEncounterDialogueAddsALanguage(t *testing.T) {
	f := load(t)
	d := toWhen(t, f.core)
	d.say("3.12. 16–18 Uhr")
	d.say("Stadtteilbüro")
	d.tap("ed:nolink")
	if got := d.tap("ed:lang"); !strings.Contains(got, "|ed:lang:uk]") || strings.Contains(got, "|ed:lang:de]") {
		t.Fatalf("languages:\n%s", got)
	}
	if got := d.tap("ed:lang:uk"); !strings.Contains(got, "Українська") || d.step() != "lt:uk" {
		t.Fatalf("ask the title in uk: %s\n%s", d.step(), got)
	}
	d.say("Кафе шиття")
	if d.step() != "ld:uk" {
		t.Fatalf("after the uk title: %s", d.step())
	}
	if got := d.tap("ed:back"); d.step() != "lt:uk" || !strings.Contains(got, "Кафе шиття") {
		t.Errorf("back to the uk title shows it: %s\n%s", d.step(), got)
	}
	d.say("Кафе шиття")
	if got := d.say("Шиємо разом."); d.step() != "preview" || !strings.Contains(got, "Українська") {
		t.Fatalf("the preview names the language: %s\n%s", d.step(), got)
	}
	e := effects[conversation.SaveEncounter](f.core.Handle(staff(press("de", "ed:save")), d.st))[0].Encounter
	if e.Title["uk"] != "Кафе шиття" || e.Description["uk"] != "Шиємо разом." || e.Title["de"] != "Nähcafé" {
		t.Errorf("saved: %+v %+v", e.Title, e.Description)
	}
	core := f.core.WithContent(func(c agency.Content) agency.Content { c.Encounters = append(c.Encounters, e); return c })
	if got := all(core.Handle(press("uk", "e:"+e.ID), conversation.State{Lang: "uk"})); !strings.Contains(got, "Кафе шиття") || strings.Contains(got, f.cat.T("uk", "encounters.german_only")) {
		t.Errorf("a Ukrainian resident:\n%s", got)
	}
}

// A title too long for a button is refused with its length; the draft stays.
func TestEncounterDialogueTooLong(t *testing.T) {
	f := load(t)
	d := &dialogue{t: t, core: f.core, st: conversation.State{Lang: "de"}}
	d.tap("ed:new")
	if got := d.say(strings.Repeat("Nähen ", 30)); d.step() != "title" || !strings.Contains(got, "179") || !strings.Contains(got, "100") {
		t.Errorf("a long title: %s\n%s", d.step(), got)
	}
	if d.say("Nähcafé"); d.step() != "desc" {
		t.Errorf("a good title after a long one: %s", d.step())
	}
}

// When the refused staff member's core knows the other's save, their own
// changes are put on top of it: both are kept, shown in the preview, and
// saved based on the version found.
func TestEncounterTwoStaffChangesKeptBoth(t *testing.T) {
	f := load(t)
	core, e := stored(t)
	b := &dialogue{t: t, core: core, st: conversation.State{Lang: "de"}, chat: 8}
	b.tap("ed:open:" + e.ID)
	b.tap("ed:change")
	b.tap("ed:fields")
	b.tap("ed:f:place")
	b.say("Bücherei")
	outB, _ := b.do(press("de", "ed:save"))
	sb := effects[conversation.SaveEncounter](outB)[0]
	// meanwhile a moved it to Wednesday (version 4); the store refused b's save
	moved := e
	moved.Start, moved.End, moved.Days = e.Start.AddDate(0, 0, 1), e.End.AddDate(0, 0, 1), []time.Weekday{time.Wednesday}
	now := f.core.WithContent(func(c agency.Content) agency.Content { c.Encounters = append(c.Encounters, moved); return c }).
		WithStored(map[string]int64{e.ID: 4})
	msgs, st := now.EncounterSaveResult(staff(press("de", "ed:save")), outB.State, sb, conversation.EncounterSaved{Version: 4})
	text := all(conversation.Decision{Messages: msgs})
	if !strings.Contains(text, f.cat.T("de", "enc.conflict_merged")) || !strings.Contains(text, "Mittwoch, 2. Dezember") || !strings.Contains(text, "Bücherei") || !strings.Contains(text, "|ed:save]") {
		t.Fatalf("refused, with both changes in the preview:\n%s", text)
	}
	b.core, b.st = now, st
	out, _ := b.do(press("de", "ed:save"))
	saves := effects[conversation.SaveEncounter](out)
	if len(saves) != 1 || saves[0].Base != 4 || saves[0].Encounter.Place != "Bücherei" || saves[0].Encounter.Start.Weekday() != time.Wednesday {
		t.Errorf("saved on top of the other's: %+v", saves)
	}
}
