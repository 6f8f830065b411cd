package conversation_test

import (
	"strconv"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/integrationsagentur-marl/integrabot/internal/conversation"
)

const staffChat = -1001234567890

// resident is an event of Amira (user 4711, first name only given to the core)
// in her private chat.
func resident(ev conversation.Event) conversation.Event {
	ev.UserID, ev.ChatID, ev.MessageID, ev.FirstName = 4711, 4711, 12, "Amira"
	return ev
}

// inGroup is a reply in the staff group to message replyTo.
func inGroup(role conversation.Role, replyTo int, msg string, th *conversation.Thread) conversation.Event {
	return conversation.Event{UserID: 99, ChatID: staffChat, MessageID: 301, ReplyTo: replyTo, Role: role, Group: true,
		LanguageCode: "de", FirstName: "Petra", Kind: conversation.KindText, Text: msg, Thread: th, Now: monday}
}

const unanswerable = "Wo finde ich einen Deutschkurs am Abend?"

// The bot cannot answer: it offers a person, says what the team will see,
// and only the confirmation sends the question, once, to the staff group,
// with the language and first name only.
func TestHandoffOfferAndConfirm(t *testing.T) {
	f := load(t)
	core := f.core.WithStaffChat(staffChat)
	var st conversation.State
	step := func(ev conversation.Event) conversation.Decision {
		t.Helper()
		out := core.Handle(resident(ev), st)
		st = out.State
		return out
	}
	out := step(text("tr", unanswerable))
	got := all(out)
	if !strings.Contains(got, f.cat.T("tr", "fallback.text")) || !strings.Contains(got, "|ho:ask]") {
		t.Fatalf("the fallback does not offer a person:\n%s", got)
	}
	for _, m := range out.Messages {
		if m.Chat == staffChat {
			t.Fatalf("the question went to staff before the resident agreed: %+v", m)
		}
	}

	out = step(press("tr", "ho:ask"))
	got = all(out)
	sees := f.cat.Format("tr", "handoff.offer", map[string]any{"Lang": "Türkçe", "Name": "Amira"})
	if !strings.Contains(got, sees) || !strings.Contains(got, unanswerable) || !strings.Contains(got, "|ho:send]") {
		t.Fatalf("the offer does not show the question and what the team will see:\n%s", got)
	}
	if len(out.Messages) != 1 || out.Messages[0].Chat != 4711 {
		t.Fatalf("the offer went elsewhere: %+v", out.Messages)
	}

	out = step(press("tr", "ho:send"))
	var toStaff []conversation.Message
	for _, m := range out.Messages {
		if m.Chat == staffChat {
			toStaff = append(toStaff, m)
		}
	}
	if len(toStaff) != 1 {
		t.Fatalf("%d messages to the staff group, want 1: %+v", len(toStaff), out.Messages)
	}
	q := toStaff[0]
	if q.Thread == nil || *q.Thread != (conversation.Thread{Resident: 4711, Lang: "tr", ID: "12"}) {
		t.Errorf("the question does not open a thread for the resident: %+v", q.Thread)
	}
	mustHave(t, q.Text, unanswerable, "Amira", "Türkçe")
	if !strings.Contains(all(out), f.cat.T("tr", "handoff.sent")) {
		t.Errorf("the resident is not told the question went:\n%s", all(out))
	}
	if d := st.Dialogue; d == nil || d.Name != "thread" || d.Draft["q"] != "" {
		t.Errorf("the question is still kept after it went, or the resident does not write to the team now: %+v", st.Dialogue)
	}

	// a second tap on Send sends nothing more
	out = step(press("tr", "ho:send"))
	for _, m := range out.Messages {
		if m.Chat == staffChat {
			t.Fatalf("a second tap sent the question again")
		}
	}
	if !strings.Contains(all(out), f.cat.T("tr", "handoff.nothing")) {
		t.Errorf("second tap:\n%s", all(out))
	}
}

// What staff see names the resident by first name and language only: never
// their user id, user name or last name (the core is not even given those
// but the id, which must not leak into the text).
func TestHandoffGroupTextHasNoIDs(t *testing.T) {
	f := load(t)
	core := f.core.WithStaffChat(staffChat)
	ev := resident(press("de", "ho:send"))
	ev.UserID, ev.ChatID, ev.FirstName = 987654321, 987654321, "Jana"
	st := conversation.State{Lang: "uk", Dialogue: core.Handle(conversation.Event{UserID: 987654321, ChatID: 987654321, LanguageCode: "uk",
		Kind: conversation.KindCommand, Command: "ask", Text: "Де можна зареєструвати авто?", Now: monday}, conversation.State{Lang: "uk"}).State.Dialogue}
	out := core.Handle(ev, st)
	var q *conversation.Message
	for i, m := range out.Messages {
		if m.Chat == staffChat {
			q = &out.Messages[i]
		}
	}
	if q == nil {
		t.Fatalf("nothing went to staff after /ask and Send:\n%s", all(out))
	}
	mustHave(t, q.Text, "Jana", "Українська", "Де можна зареєструвати авто?")
	if strings.Contains(q.Text, "987654321") || strings.Contains(all(out), "987654321") {
		t.Errorf("the resident's id is in a text:\n%s", q.Text)
	}
	if len(q.Buttons) != 1 || len(q.Buttons[0]) != 1 || q.Buttons[0][0].Data != "hc:close" {
		t.Errorf("the group message has other buttons than Close (whose data names nobody): %+v", q.Buttons)
	}
}

// A staff reply to a thread reaches the resident in the staff's words, with
// a line in the resident's language, and is confirmed in the group in one
// line; its key comes from the staff message, so it is relayed once.
func TestStaffReplyIsRelayed(t *testing.T) {
	f := load(t)
	core := f.core.WithStaffChat(staffChat)
	th := &conversation.Thread{Resident: 4711, Lang: "ar"}
	out := core.Handle(inGroup(conversation.RoleStaff, 55, "Montags 18 Uhr in der VHS <Marl>", th), conversation.State{})
	if len(out.Messages) != 2 {
		t.Fatalf("%d messages, want the relay and the confirmation:\n%s", len(out.Messages), all(out))
	}
	relay, ok := out.Messages[0], out.Messages[1]
	if relay.Chat != 4711 || !strings.Contains(relay.Text, "Montags 18 Uhr in der VHS &lt;Marl&gt;") || !strings.Contains(relay.Text, f.cat.T("ar", "handoff.answer")) {
		t.Errorf("relay = %+v", relay)
	}
	if relay.Key != "relay."+strconv.Itoa(staffChat)+".301" {
		t.Errorf("relay key = %q, want one from the staff message", relay.Key)
	}
	if ok.Chat != staffChat || strings.Count(ok.Text, "\n") != 0 || !strings.Contains(ok.Text, f.cat.T("de", "handoff.relayed")) {
		t.Errorf("confirmation = %+v", ok)
	}
	if out.Save {
		t.Error("a relay changed the staff member's state")
	}
	// a reply as long as Telegram lets staff write still fits one message to the resident
	long := core.Handle(inGroup(conversation.RoleStaff, 55, strings.Repeat("😀", 2048), th), conversation.State{}).Messages[0]
	if n := len(utf16.Encode([]rune(visible(long.Text)))); n > 4096 {
		t.Errorf("the relay of a long reply is %d UTF-16 units, over Telegram's 4096", n)
	}
}

// In the staff group the bot leaves alone what is not a staff member's
// reply to a thread: a member who is not staff, a reply to another message,
// and everything without a staff group.
func TestStaffGroupRepliesIgnored(t *testing.T) {
	f := load(t)
	core := f.core.WithStaffChat(staffChat)
	th := &conversation.Thread{Resident: 4711, Lang: "de"}
	for name, ev := range map[string]conversation.Event{
		"not staff":            inGroup(conversation.RoleResident, 55, "ich antworte mal", th),
		"not a thread":         inGroup(conversation.RoleStaff, 56, "Danke euch", nil),
		"no reply":             inGroup(conversation.RoleStaff, 0, "Guten Morgen", th),
		"an empty reply":       inGroup(conversation.RoleStaff, 55, "  ", th),
		"a reply to no-one id": inGroup(conversation.RoleStaff, 55, "Hallo", &conversation.Thread{}),
	} {
		if out := core.Handle(ev, conversation.State{}); len(out.Messages) != 0 || len(out.Effects) != 0 {
			t.Errorf("%s: the bot answered:\n%s", name, all(out))
		}
	}
	// without a staff group a reply there is group chatter like any other
	if out := f.core.Handle(inGroup(conversation.RoleStaff, 55, "Montags", th), conversation.State{}); len(out.Messages) != 0 {
		t.Errorf("without a staff group the bot relayed:\n%s", all(out))
	}
}

// Without a staff group the fallback stays as it was and /ask is unknown;
// a question kept for the offer is dropped by any other answer.
func TestHandoffOnlyWithStaffGroup(t *testing.T) {
	f := load(t)
	out := f.core.Handle(resident(text("de", unanswerable)), conversation.State{})
	if got := all(out); strings.Contains(got, "ho:") || out.State.Dialogue != nil {
		t.Errorf("without STAFF_CHAT_ID the fallback offers a person:\n%s", got)
	}
	if got := all(f.core.Handle(resident(cmd("de", "ask")), conversation.State{})); !strings.Contains(got, f.cat.T("de", "unknown_command.text")) {
		t.Errorf("/ask without a staff group:\n%s", got)
	}

	core := f.core.WithStaffChat(staffChat)
	st := core.Handle(resident(text("de", unanswerable)), conversation.State{}).State
	if st.Dialogue == nil {
		t.Fatal("the question is not kept for the offer")
	}
	if next := core.Handle(resident(press("de", "m:contacts")), st).State; next.Dialogue != nil {
		t.Errorf("the question outlived the next answer: %+v", next.Dialogue)
	}
	// asking for a person in their own words: the contacts, with a way to write to the team
	if got := all(core.Handle(resident(text("de", "Ich möchte mit einem Menschen sprechen")), conversation.State{})); !strings.Contains(got, "|ho:ask]") {
		t.Errorf("asking for a person offers no way to the team:\n%s", got)
	}
}

// /ask without a question asks for it; the next message is offered; Cancel drops it.
func TestAskCommand(t *testing.T) {
	f := load(t)
	core := f.core.WithStaffChat(staffChat)
	out := core.Handle(resident(cmd("en", "ask")), conversation.State{})
	if !strings.Contains(all(out), f.cat.T("en", "handoff.ask_text")) {
		t.Fatalf("/ask:\n%s", all(out))
	}
	out = core.Handle(resident(text("en", "Can someone help me fill in a form?")), out.State)
	if got := all(out); !strings.Contains(got, "Can someone help me fill in a form?") || !strings.Contains(got, "|ho:send]") {
		t.Fatalf("the written question is not offered:\n%s", got)
	}
	out = core.Handle(resident(press("en", "ho:no")), out.State)
	if out.State.Dialogue != nil || !strings.Contains(all(out), f.cat.T("en", "handoff.cancelled")) {
		t.Errorf("cancel:\n%s", all(out))
	}
}

func mustHave(t *testing.T, got string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(got, w) {
			t.Errorf("missing %q in:\n%s", w, got)
		}
	}
}
