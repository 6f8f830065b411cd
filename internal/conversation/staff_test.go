package conversation_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/integrationsagentur-marl/integrabot/internal/conversation"
	"github.com/integrationsagentur-marl/integrabot/internal/problem"
)

// /staff opens the staff menu in German with every tool; each button leads
// somewhere: the broadcast dialogue, the list, the encounter dialogues' data,
// the QR codes, the reload and the figures.
func TestStaffMenu(t *testing.T) {
	f := load(t)
	out := f.core.Handle(staff(cmd("de", "staff")), conversation.State{})
	got := all(out)
	if !strings.Contains(got, f.cat.T("de", "staff.menu")) {
		t.Fatalf("/staff:\n%s", got)
	}
	for _, want := range []string{
		"📢 Rundschreiben|sf:bc]", "📋 Rundschreiben-Liste|sf:bcs]", "📅 Begegnungen|ed:list]", "➕ Neue Begegnung|ed:new]",
		"🔳 QR-Code|sf:qr]", "🔄 Inhalte neu laden|sf:reload]", "📊 Zahlen|sf:stats]",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("the menu lacks %q:\n%s", want, got)
		}
	}
	tests := []struct {
		data   string
		want   string // in the answer
		effect func(conversation.Decision) bool
	}{
		{"sf:bc", f.cat.T("de", "broadcast.ask_text"), func(d conversation.Decision) bool {
			return d.State.Dialogue != nil && d.State.Dialogue.Name == "broadcast"
		}},
		{"sf:bcs", "", func(d conversation.Decision) bool { return len(effects[conversation.ListBroadcasts](d)) == 1 }},
		{"sf:qr", f.cat.T("de", "staff.qr_choose"), func(d conversation.Decision) bool { return strings.Contains(all(d), "|sf:qr:sample-cafe]") }},
		{"sf:reload", "", func(d conversation.Decision) bool { return len(effects[conversation.ReloadContent](d)) == 1 }},
		{"sf:stats", "", func(d conversation.Decision) bool { return len(effects[conversation.ShowStats](d)) == 1 }},
		{"sf:menu", f.cat.T("de", "staff.menu"), func(d conversation.Decision) bool { return len(d.Effects) == 0 }},
		{"sf:whatever", f.cat.T("de", "staff.menu"), func(d conversation.Decision) bool { return len(d.Effects) == 0 }}, // an old button
		// the encounter dialogues answer their buttons with a way on
		{"ed:list", "", func(d conversation.Decision) bool {
			return len(d.Messages) > 0 && len(d.Messages[len(d.Messages)-1].Buttons) > 0
		}},
		{"ed:new", "", func(d conversation.Decision) bool {
			return len(d.Messages) > 0 && len(d.Messages[len(d.Messages)-1].Buttons) > 0
		}},
	}
	for _, tt := range tests {
		d := f.core.Handle(staff(press("de", tt.data)), out.State)
		if !strings.Contains(all(d), tt.want) || !tt.effect(d) {
			t.Errorf("%s: %+v\n%s", tt.data, d.Effects, all(d))
		}
	}
	for name, effect := range map[string]func(conversation.Decision) bool{
		"qr":    func(d conversation.Decision) bool { return strings.Contains(all(d), "|sf:qr:sample-cafe]") },
		"stats": func(d conversation.Decision) bool { return len(effects[conversation.ShowStats](d)) == 1 },
	} {
		if d := f.core.Handle(staff(cmd("de", name)), conversation.State{}); !effect(d) {
			t.Errorf("/%s: %+v\n%s", name, d.Effects, all(d))
		}
	}
}

// A resident, or staff in a group, gets the refusal for every staff command
// and button, in their language, and nothing happens.
func TestStaffMenuIsStaffOnly(t *testing.T) {
	f := load(t)
	inGroup := func(ev conversation.Event) conversation.Event {
		ev = staff(ev)
		ev.ChatID, ev.Group = -100, true
		return ev
	}
	for _, ev := range []conversation.Event{
		cmd("tr", "staff"), cmd("tr", "qr"), cmd("tr", "stats"),
		press("tr", "sf:menu"), press("tr", "sf:bc"), press("tr", "sf:bcs"), press("tr", "sf:qr"), press("tr", "sf:qr:sample-cafe"),
		press("tr", "sf:reload"), press("tr", "sf:stats"),
		inGroup(cmd("tr", "staff")), inGroup(cmd("tr", "stats")), inGroup(press("tr", "sf:stats")), inGroup(press("tr", "sf:reload")),
	} {
		out := f.core.Handle(ev, conversation.State{Lang: "tr"})
		if len(out.Effects) != 0 || out.State.Dialogue != nil || !strings.Contains(all(out), f.cat.T("tr", "staff.only")) {
			t.Errorf("%s %s%s: %+v\n%s", map[bool]string{true: "staff in a group", false: "a resident"}[ev.Group], ev.Command, ev.Data, out.Effects, all(out))
		}
	}
}

// Choosing an encounter asks for its QR code; one that is gone since the
// list was shown gets a kind word and the list again.
func TestStaffQRChoice(t *testing.T) {
	f := load(t)
	out := f.core.Handle(staff(press("de", "sf:qr:sample-cafe")), conversation.State{})
	if qr := effects[conversation.SendQR](out); len(qr) != 1 || qr[0].Encounter != "sample-cafe" {
		t.Fatalf("the QR code of an encounter: %+v", out.Effects)
	}
	out = f.core.Handle(staff(press("de", "sf:qr:no-such")), conversation.State{})
	if got := all(out); len(out.Effects) != 0 || !strings.Contains(got, f.cat.T("de", "staff.qr_gone")) || !strings.Contains(got, "|sf:qr:sample-cafe]") {
		t.Errorf("an encounter that is gone: %+v\n%s", out.Effects, got)
	}
	m := f.core.QRCode(7, conversation.State{}, "sample-cafe", "https://t.me/bot?start=e_sample-cafe", []byte("png"))
	if m.Document == nil || !m.Document.Photo || m.Document.Name != "sample-cafe.png" || !strings.Contains(m.Text, "https://t.me/bot?start=e_sample-cafe") || m.Chat != 7 {
		t.Errorf("the QR code message: %+v", m)
	}
}

// What staff are told after a reload: every problem with its place in their
// language, or what was loaded (with warnings), or that it cannot be done.
func TestReloadReport(t *testing.T) {
	f := load(t)
	bad := problem.Problem{File: "encounters.yaml", Line: 7, Field: "encounters[0].start", Msg: "not a date"}
	for _, tt := range []struct {
		name string
		chat int64
		lang string
		r    conversation.Reloaded
		want []string
	}{
		{"broken", 7, "de", conversation.Reloaded{Problems: []problem.Problem{bad, {File: "services.yaml", Msg: "file is missing"}}},
			[]string{f.cat.T("de", "staff.reload_broken"), "• Datei encounters.yaml · Zeile 7 · Feld encounters[0].start: not a date", "• Datei services.yaml: file is missing", "|sf:menu]"}},
		{"loaded with a warning", 7, "en", conversation.Reloaded{Services: 9, Contacts: 2, Encounters: 1, Warnings: []problem.Problem{bad}},
			[]string{"Services: 9 · Contacts: 2 · Meet-ups: 1", f.cat.T("en", "staff.reload_warnings"), "• File encounters.yaml · Line 7"}},
		{"unavailable", 7, "tr", conversation.Reloaded{Unavailable: true}, []string{f.cat.T("tr", "staff.reload_failed")}},
		{"the staff group: no button", -100, "de", conversation.Reloaded{Problems: []problem.Problem{bad}}, []string{"Zeile 7"}},
	} {
		m := f.core.ReloadReport(tt.chat, tt.lang, tt.r)
		got := all(conversation.Decision{Messages: []conversation.Message{m}})
		for _, w := range tt.want {
			if !strings.Contains(got, w) {
				t.Errorf("%s: lacks %q:\n%s", tt.name, w, got)
			}
		}
		if m.Chat != tt.chat || (tt.chat < 0) != (len(m.Buttons) == 0) {
			t.Errorf("%s: chat %d, buttons %v", tt.name, m.Chat, m.Buttons)
		}
	}
}

// Each question counts once under its topic, or as not placed; a question
// passed to staff and a staff answer count too; nothing else does.
func TestTallies(t *testing.T) {
	f := load(t)
	core := f.core.WithStaffChat(-100)
	for _, tt := range []struct {
		name string
		ev   conversation.Event
		st   conversation.State
		want []string
	}{
		{"a question about contacts", text("de", "Telefonnummer"), conversation.State{}, []string{"q:contacts"}},
		{"one the bot cannot place", text("de", "xqzv wrtp"), conversation.State{}, []string{conversation.TallyUnplaced}},
		{"a button", press("de", "m:contacts"), conversation.State{}, nil},
		{"a command", cmd("de", "events"), conversation.State{}, nil},
		{"a question passed to staff", press("de", "ho:send"), conversation.State{Dialogue: &conversation.Dialogue{Name: "handoff", Step: "offer",
			Draft: map[string]string{"q": "Wo ist das Amt?"}, Expires: monday.Add(time.Hour)}}, []string{conversation.TallyAsked}},
		{"a staff answer", conversation.Event{UserID: 5, ChatID: -100, MessageID: 9, ReplyTo: 3, Role: conversation.RoleStaff, Group: true, Kind: conversation.KindText,
			Text: "Im Rathaus", Thread: &conversation.Thread{Resident: 7, Lang: "de"}, Now: monday}, conversation.State{}, []string{conversation.TallyAnswered}},
	} {
		if got := core.Handle(tt.ev, tt.st).Tally; !slices.Equal(got, tt.want) {
			t.Errorf("%s: tally %v, want %v", tt.name, got, tt.want)
		}
	}
}

// The figures are written as counts, by language and topic, with the
// questions' total including those not placed.
func TestStatsReport(t *testing.T) {
	f := load(t)
	fig := conversation.Figures{
		Residents: map[string]int64{"de": 3, "tr": 2, "": 1}, Subscribers: map[string]int64{"tr": 2}, Active7: 4, Active30: 6,
		Counts: map[string]int64{"q:contacts": 3, "q:greeting": 1, "q:thanks": 1, "q:-": 2, conversation.TallyAsked: 2, conversation.TallyAnswered: 1, conversation.TallyReminders: 40},
		Open:   1, Broadcasts: 2, BroadcastMessages: 12,
	}
	got := f.core.StatsReport(7, conversation.State{Lang: "de"}, fig).Text
	for _, want := range []string{
		"Menschen, die den Bot nutzen: 6", "nach Sprache: Deutsch 3, Türkçe 2, Sprache der App 1",
		"Davon verfolgen Erinnerungen oder Neuigkeiten: 2", "Aktiv in den letzten 7 Tagen: 4 · in den letzten 30 Tagen: 6",
		"Fragen in den letzten 30 Tagen: 7", "• Ansprechpersonen: 3", "• Gruß und Dank: 2", "keinem Thema zuordnen konnte ich: 2",
		"An das Team weitergegeben (30 Tage): 2 · Antworten des Teams: 1 · jetzt offen: 1",
		"Rundschreiben (30 Tage): 2 · Nachrichten gesendet: 12", "Erinnerungen gesendet (30 Tage): 40",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("lacks %q:\n%s", want, got)
		}
	}
}
