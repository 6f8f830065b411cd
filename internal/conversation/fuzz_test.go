package conversation_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/integrationsagentur-marl/integrabot/internal/conversation"
)

var fuzzCore *conversation.Core

// Whatever a resident or a staff member sends — any text, command or
// button data, in any state — the core does not crash, answers in a
// private chat, and every message and button is one Telegram accepts.
func FuzzHandle(f *testing.F) {
	for _, d := range []string{"m:", "m:contacts", "m:privacy", "m:reminders", "l:tr", "l:", "e:sample-cafe", "e:", "ics:sample-cafe",
		"sub:all", "sub:news", "sub:e:sample-cafe", "sub:e:", "uns:news", "del", "del:yes", "ho:ask", "ho:send", "ho:no",
		"bc:send", "bc:cancel", "bc:aud:news", "bc:lang:tr", "bc:ver:", "bc:later", "bc:ctl:cancelled:7-40", "bc:ctl:x:",
		"ed:new", "ed:list", "ed:save", "ed:back", "ed:cancel", "ed:force", "ed:fields", "ed:f:when", "ed:f:x", "ed:lang", "ed:lang:uk",
		"ed:lang:", "ed:noend", "ed:nolink", "ed:open:sample-cafe", "ed:open:", "ed:change", "ed:dates", "ed:x:20261208", "ed:x:",
		"ed:series", "ed:series!", "ed:del", "ed:del!",
		"sf:menu", "sf:bc", "sf:bcs", "sf:qr", "sf:qr:sample-cafe", "sf:qr:", "sf:reload", "sf:stats", "sf:",
		"cards", ":", "", "\x00", strings.Repeat("m:", 40)} {
		f.Add("", uint8(conversation.KindButton), "", "", d, "de", false, false)
		f.Add("c:broadcast|t:Hallo <b>alle</b>", uint8(conversation.KindButton), "", "", d, "ar", true, false)
		f.Add("c:broadcast|t:Hallo|b:bc:aud:news", uint8(conversation.KindButton), "", "", d, "de", true, false)
		f.Add("t:Ich brauche einen Termin beim Amt|b:ho:ask", uint8(conversation.KindButton), "", "", d, "de", false, false)
		f.Add("c:encounter|t:Nähcafé|t:Nähen|t:jeden Dienstag 15 Uhr", uint8(conversation.KindButton), "", "", d, "de", true, false)
	}
	for _, c := range []string{"start", "help", "contacts", "events", "privacy", "forget", "subscriptions", "unsubscribe", "ask",
		"broadcast", "broadcasts", "encounter", "staff", "qr", "stats", "foo", ""} {
		f.Add("", uint8(conversation.KindCommand), c, "", "", "en", false, false)
		f.Add("c:start", uint8(conversation.KindCommand), c, "contacts", "", "uk", true, true)
	}
	for _, s := range []string{"Wie ist die Telefonnummer?", "1", "2", "99", "0", "-1", "morgen 9 Uhr", "ja", "<b>x</b> &amp; <a href=\"x\">",
		strings.Repeat("Hilfe ", 800), "😀", ""} {
		f.Add("c:start", uint8(conversation.KindText), "", s, "", "tr", false, false)
		f.Add("c:broadcast|t:Hallo|b:bc:aud:news", uint8(conversation.KindText), "", s, "", "fa", true, false)
		f.Add("c:forget", uint8(conversation.KindText), "", s, "", "de", false, false)
		f.Add("c:encounter|t:Nähcafé|t:Nähen", uint8(conversation.KindText), "", s, "", "uk", true, false)
		f.Add("t:xyzzy|b:ho:ask", uint8(conversation.KindText), "", s, "", "de", false, false)
	}
	f.Add("c:broadcast", uint8(conversation.KindUnsupported), "", "caption", "", "", true, false)
	f.Add("u:", uint8(9), "", "", "", "xx", false, true)
	fuzzCore = load(f).core.WithStaffChat(-1001234567890)
	f.Fuzz(func(t *testing.T, before string, kind uint8, command, text, data, lang string, staff, group bool) {
		// what came before, as "c:command|t:text|b:data|u:caption": the state
		// is always one the core itself left
		var st conversation.State
		steps := strings.Split(before, "|")
		if before == "" {
			steps = nil
		}
		for i, s := range steps {
			if i == 4 {
				break
			}
			k, arg, _ := strings.Cut(s, ":")
			ev := fuzzEvent(staff, false, lang)
			switch k {
			case "c":
				ev.Kind, ev.Command, ev.Text = conversation.KindCommand, arg, ""
			case "b":
				ev.Kind, ev.Data = conversation.KindButton, arg
			case "u":
				ev.Kind, ev.Text = conversation.KindUnsupported, arg
			default:
				ev.Kind, ev.Text = conversation.KindText, arg
			}
			st = checkDecision(t, ev, st).State
		}
		ev := fuzzEvent(staff, group, lang)
		ev.Kind, ev.Command, ev.Text, ev.Data = conversation.Kind(kind%4), command, text, data
		checkDecision(t, ev, st)
	})
}

func fuzzEvent(staff, group bool, lang string) conversation.Event {
	ev := conversation.Event{UserID: 7, ChatID: 7, MessageID: 11, LanguageCode: lang, FirstName: "Ana <b>", Now: monday}
	if staff {
		ev.Role = conversation.RoleStaff
	}
	if group {
		ev.ChatID, ev.Group = -100, true
	}
	return ev
}

// checkDecision handles ev in st and checks the decision.
func checkDecision(t *testing.T, ev conversation.Event, st conversation.State) conversation.Decision {
	t.Helper()
	// Telegram's JSON holds UTF-8 only
	ev.Command, ev.Text, ev.Data = strings.ToValidUTF8(ev.Command, "?"), strings.ToValidUTF8(ev.Text, "?"), strings.ToValidUTF8(ev.Data, "?")
	if ev.Kind == conversation.KindText && ev.Text == "" {
		ev.Kind = conversation.KindUnsupported // as the adapter maps a message without text
	}
	out := fuzzCore.Handle(ev, st)
	if !ev.Group && len(out.Messages) == 0 && !controls(out) {
		t.Fatalf("%+v in state %+v: no answer", ev, st)
	}
	for _, m := range out.Messages {
		if m.Text == "" && m.Contact == nil && m.Document == nil && m.Media == nil {
			t.Fatalf("%+v in state %+v: an empty message %+v", ev, st, m)
		}
		if !utf8.ValidString(m.Text) {
			t.Fatalf("%+v: text %q is not UTF-8", ev, m.Text)
		}
		for _, row := range m.Buttons {
			for _, b := range row {
				if b.Label == "" || (b.Data == "") == (b.URL == "") {
					t.Fatalf("%+v: button %+v needs a label and either data or a link", ev, b)
				}
				if len(b.Data) > 64 || !utf8.ValidString(b.Data) {
					t.Fatalf("%+v: button data %q: Telegram takes 1 to 64 bytes of UTF-8", ev, b.Data)
				}
			}
		}
	}
	return out
}

// controls tells whether the decision asks the decider for something it
// then answers (pausing a broadcast, the list, a QR code, a reload, the
// figures), once it knows what became of it.
func controls(d conversation.Decision) bool {
	for _, e := range d.Effects {
		switch e.(type) {
		case conversation.ControlBroadcast, conversation.ListBroadcasts, conversation.SendQR, conversation.ReloadContent, conversation.ShowStats:
			return true // the decider writes the answer
		}
	}
	return false
}
