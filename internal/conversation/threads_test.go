package conversation_test

import (
	"strings"
	"testing"
	"time"

	"github.com/integrationsagentur-marl/integrabot/internal/conversation"
)

// sent is Amira's state right after her question went (thread "12": the
// offer's message id), in Turkish.
func sent(t *testing.T, core *conversation.Core) conversation.State {
	t.Helper()
	st := core.Handle(resident(text("tr", unanswerable)), conversation.State{}).State
	st = core.Handle(resident(press("tr", "ho:ask")), st).State
	out := core.Handle(resident(press("tr", "ho:send")), st)
	if !hasEffect(out, conversation.OpenThread{Resident: 4711, ID: "12"}) {
		t.Fatalf("sending opens no thread: %+v", out.Effects)
	}
	return out.State
}

func hasEffect(out conversation.Decision, want conversation.Effect) bool {
	for _, e := range out.Effects {
		if e == want {
			return true
		}
	}
	return false
}

func toChat(out conversation.Decision, chat int64) []conversation.Message {
	var got []conversation.Message
	for _, m := range out.Messages {
		if m.Chat == chat {
			got = append(got, m)
		}
	}
	return got
}

var open12 = &conversation.Thread{Resident: 4711, Lang: "tr", ID: "12", Root: 88}

// After her question went, what Amira writes goes to the same thread: as a
// reply to its first message in the group, with her first name and language
// only; a typed number is words for the team, not a tap. Menu ends it: her
// next question is the bot's again.
func TestFollowUpsReachTheThread(t *testing.T) {
	f := load(t)
	core := f.core.WithStaffChat(staffChat)
	st := sent(t, core)
	for _, msg := range []string{"Ich habe zwei Kinder.", "2"} {
		ev := resident(text("tr", msg))
		if id, ok := core.ThreadFor(ev, st); !ok || id != "12" {
			t.Fatalf("%q: ThreadFor = %q, %v; want the open thread", msg, id, ok)
		}
		ev.Thread = open12
		out := core.Handle(ev, st)
		group := toChat(out, staffChat)
		if len(group) != 1 {
			t.Fatalf("%q: %d messages to the group, want the follow-up:\n%s", msg, len(group), all(out))
		}
		fu := group[0]
		if fu.ReplyTo != 88 || fu.FollowUp == nil || *fu.FollowUp != (conversation.Thread{Resident: 4711, Lang: "tr", ID: "12"}) || fu.Thread != nil {
			t.Errorf("%q: the follow-up is not in the thread: reply to %d, %+v", msg, fu.ReplyTo, fu.FollowUp)
		}
		mustHave(t, fu.Text, msg, "Amira", "Türkçe")
		if strings.Contains(fu.Text, "4711") {
			t.Errorf("the resident's id in the group:\n%s", fu.Text)
		}
		mine := toChat(out, 4711)
		if len(mine) != 1 || !strings.Contains(mine[0].Text, f.cat.T("tr", "handoff.follow_sent")) || !strings.Contains(mine[0].Text, f.cat.T("tr", "handoff.follow_hint")) {
			t.Errorf("%q: the resident is not told it went, and that more goes too:\n%s", msg, all(out))
		}
		st = out.State
	}
	// Menu: talking to the bot again
	st = core.Handle(resident(press("tr", "m:main")), st).State
	ev := resident(text("tr", "Ich habe zwei Kinder."))
	if _, ok := core.ThreadFor(ev, st); ok {
		t.Fatal("after Menu the resident's text still goes to the team")
	}
	if out := core.Handle(ev, st); len(toChat(out, staffChat)) != 0 {
		t.Errorf("after Menu a text went to the group:\n%s", all(out))
	}
	// a day later the bot answers again, without Menu
	st = sent(t, core)
	late := resident(text("tr", "Ich habe zwei Kinder."))
	late.Now = monday.Add(25 * time.Hour)
	if _, ok := core.ThreadFor(late, st); ok {
		t.Error("a day later the resident's text still goes to the team")
	}
}

// A Telegram reply to the team's answer goes to its thread whatever the
// resident did since; once the thread ended, the words are offered as a
// new question (nothing lost).
func TestReplyToTheAnswer(t *testing.T) {
	f := load(t)
	core := f.core.WithStaffChat(staffChat)
	ev := resident(text("ar", "شكرًا، وهل يوجد موقف سيارات؟"))
	ev.ReplyThread = "12"
	if id, ok := core.ThreadFor(ev, conversation.State{}); !ok || id != "12" {
		t.Fatalf("ThreadFor = %q, %v", id, ok)
	}
	ev.Thread = &conversation.Thread{Resident: 4711, ID: "12", Root: 88}
	out := core.Handle(ev, conversation.State{Lang: "ar"})
	if g := toChat(out, staffChat); len(g) != 1 || g[0].ReplyTo != 88 || !strings.Contains(g[0].Text, "العربية (ar)") {
		t.Fatalf("the reply to the answer did not reach the thread:\n%s", all(out))
	}

	ev.Thread = &conversation.Thread{Resident: 4711, ID: "12", Closed: true}
	out = core.Handle(ev, conversation.State{Lang: "ar"})
	if len(toChat(out, staffChat)) != 0 || !strings.Contains(all(out), f.cat.T("ar", "handoff.thread_over")) || !strings.Contains(all(out), "|ho:ask]") {
		t.Fatalf("a reply to a closed thread:\n%s", all(out))
	}
	offer := core.Handle(resident(press("ar", "ho:ask")), out.State)
	if !strings.Contains(all(offer), "هل يوجد موقف سيارات") {
		t.Errorf("the words are not offered as a new question:\n%s", all(offer))
	}
	// another resident's thread is never theirs
	ev.Thread = &conversation.Thread{Resident: 5000, ID: "12", Root: 88}
	if out := core.Handle(ev, conversation.State{Lang: "ar"}); len(toChat(out, staffChat)) != 0 {
		t.Errorf("a text went to someone else's thread:\n%s", all(out))
	}
}

// The team's answer carries "Reply to the team"; the tap starts writing to
// the team again.
func TestAnswerHasReplyButton(t *testing.T) {
	f := load(t)
	core := f.core.WithStaffChat(staffChat)
	out := core.Handle(inGroup(conversation.RoleStaff, 88, "Ja, hinter dem Haus.", &conversation.Thread{Resident: 4711, Lang: "ar", ID: "12"}), conversation.State{})
	relay := toChat(out, 4711)
	if len(relay) != 1 || !strings.Contains(all(conversation.Decision{Messages: relay}), "|ho:re:12]") {
		t.Fatalf("the answer has no Reply button:\n%s", all(out))
	}
	if id, ok := conversation.ReplyThreadOf("ho:re:12"); !ok || id != "12" {
		t.Errorf("ReplyThreadOf = %q, %v", id, ok)
	}
	tap := resident(press("ar", "ho:re:12"))
	tap.Thread = &conversation.Thread{Resident: 4711, ID: "12", Root: 88}
	out = core.Handle(tap, conversation.State{Lang: "ar"})
	if !strings.Contains(all(out), f.cat.T("ar", "handoff.reply_prompt")) {
		t.Fatalf("Reply to the team:\n%s", all(out))
	}
	if id, ok := core.ThreadFor(resident(text("ar", "نعم")), out.State); !ok || id != "12" {
		t.Errorf("after Reply the next text does not go to the thread")
	}
	tap.Thread.Closed = true
	if got := all(core.Handle(tap, conversation.State{Lang: "ar"})); !strings.Contains(got, f.cat.T("ar", "handoff.not_open")) {
		t.Errorf("Reply on a closed thread:\n%s", got)
	}
}

// closePress is a press of Close under the question 88 in the staff group.
func closePress(role conversation.Role, th *conversation.Thread) conversation.Event {
	return conversation.Event{UserID: 99, ChatID: staffChat, MessageID: 88, Role: role, Group: true, LanguageCode: "de",
		FirstName: "Petra", Kind: conversation.KindButton, Data: "hc:close", Thread: th, Now: monday}
}

// Staff close a thread with the button under the question: the resident is
// told in their language, the group's message says who closed it, the
// thread goes. Anyone else is refused and nothing changes.
func TestStaffCloseThread(t *testing.T) {
	f := load(t)
	core := f.core.WithStaffChat(staffChat)
	q := toChat(core.Handle(resident(press("tr", "ho:send")), conversation.State{Dialogue: &conversation.Dialogue{Name: "handoff", Step: "offer",
		Draft: map[string]string{"q": unanswerable}, Expires: monday.Add(time.Hour)}}), staffChat)
	if len(q) != 1 || !strings.Contains(all(conversation.Decision{Messages: q}), "|hc:close]") {
		t.Fatalf("the question in the group has no Close button:\n%+v", q)
	}
	if id, ok := core.StaffThreadMessage(closePress(conversation.RoleStaff, nil)); !ok || id != 88 {
		t.Fatalf("StaffThreadMessage = %d, %v", id, ok)
	}

	th := &conversation.Thread{Resident: 4711, Lang: "ar", ID: "12", Root: 88}
	out := core.Handle(closePress(conversation.RoleStaff, th), conversation.State{})
	if !hasEffect(out, conversation.CloseThread{Resident: 4711, ID: "12"}) {
		t.Errorf("closing deletes no thread: %+v", out.Effects)
	}
	group := toChat(out, staffChat)
	if len(group) != 1 || group[0].Edit != "#88" || !strings.Contains(group[0].Text, "Petra") || len(group[0].Buttons) != 0 {
		t.Errorf("the group's question is not marked closed: %+v", group)
	}
	if r := toChat(out, 4711); len(r) != 1 || !strings.Contains(r[0].Text, f.cat.T("ar", "handoff.closed")) {
		t.Errorf("the resident is not told kindly in Arabic:\n%s", all(out))
	}

	out = core.Handle(closePress(conversation.RoleResident, th), conversation.State{})
	if len(out.Effects) != 0 || len(toChat(out, 4711)) != 0 || !strings.Contains(all(out), f.cat.T("de", "staff.only")) {
		t.Errorf("a member who is not staff closed it:\n%s %+v", all(out), out.Effects)
	}
	out = core.Handle(closePress(conversation.RoleStaff, &conversation.Thread{Closed: true}), conversation.State{})
	if len(out.Effects) != 0 || !strings.Contains(all(out), f.cat.T("de", "handoff.already_closed")) {
		t.Errorf("closing a closed thread:\n%s", all(out))
	}
}

// Withdraw under "your question is with the team": the group's message
// says so (first name, no id), the thread goes; while the question is still
// on its way, the resident is asked to tap again in a moment.
func TestWithdraw(t *testing.T) {
	f := load(t)
	core := f.core.WithStaffChat(staffChat)
	st := sent(t, core)
	tap := resident(press("tr", "ho:wd:12"))
	if id, ok := core.ThreadFor(tap, st); !ok || id != "12" {
		t.Fatalf("ThreadFor(withdraw) = %q, %v", id, ok)
	}
	tap.Thread = open12
	out := core.Handle(tap, st)
	if !hasEffect(out, conversation.CloseThread{Resident: 4711, ID: "12"}) {
		t.Errorf("withdrawing deletes no thread: %+v", out.Effects)
	}
	group := toChat(out, staffChat)
	if len(group) != 1 || group[0].Edit != "#88" || !strings.Contains(group[0].Text, f.cat.Format("de", "handoff.group_withdrawn", map[string]any{"Name": "Amira"})) || strings.Contains(group[0].Text, "4711") {
		t.Errorf("the group's question is not marked withdrawn: %+v", group)
	}
	if !strings.Contains(all(out), f.cat.T("tr", "handoff.withdrawn")) || out.State.Dialogue != nil {
		t.Errorf("the resident is not told, or still writes to the team:\n%s %+v", all(out), out.State.Dialogue)
	}

	tap.Thread = &conversation.Thread{Resident: 4711, ID: "12"} // not in the group yet
	out = core.Handle(tap, st)
	if len(out.Effects) != 0 || len(toChat(out, staffChat)) != 0 || !strings.Contains(all(out), f.cat.T("tr", "handoff.withdraw_wait")) || !strings.Contains(all(out), "|ho:wd:12]") {
		t.Errorf("withdrawing a question on its way:\n%s", all(out))
	}
	tap.Thread = &conversation.Thread{Resident: 4711, ID: "12", Closed: true}
	if out := core.Handle(tap, st); len(out.Effects) != 0 || !strings.Contains(all(out), f.cat.T("tr", "handoff.not_open")) {
		t.Errorf("withdrawing a closed question:\n%s", all(out))
	}
}

// At most three new questions an hour: the fourth Send is refused kindly in
// the resident's language, and the question stays for a later Send.
func TestQuestionLimit(t *testing.T) {
	f := load(t)
	core := f.core.WithStaffChat(staffChat)
	offer := conversation.State{Lang: "uk", Dialogue: &conversation.Dialogue{Name: "handoff", Step: "offer", Draft: map[string]string{"q": unanswerable}, Expires: monday.Add(time.Hour)}}
	tap := resident(press("uk", "ho:send"))
	if !core.CountsQuestion(tap) || core.CountsQuestion(resident(press("uk", "ho:ask"))) {
		t.Fatal("CountsQuestion must be true for Send only")
	}
	for asked, wantSent := range map[int]bool{0: true, 2: true, 3: false, 7: false} {
		tap.Asked = asked
		out := core.Handle(tap, offer)
		if got := len(toChat(out, staffChat)) == 1; got != wantSent {
			t.Errorf("asked %d this hour: sent %v, want %v", asked, got, wantSent)
		}
		if wantSent {
			continue
		}
		if len(out.Effects) != 0 || !strings.Contains(all(out), f.cat.T("uk", "handoff.limit")) {
			t.Errorf("asked %d: not refused kindly:\n%s", asked, all(out))
		}
		if d := out.State.Dialogue; d == nil || d.Draft["q"] != unanswerable {
			t.Errorf("asked %d: the question was dropped", asked)
		}
	}
	if core.CountsQuestion(inGroup(conversation.RoleStaff, 0, "", nil)) || f.core.CountsQuestion(tap) {
		t.Error("CountsQuestion outside a resident's Send")
	}
}

// Follow-ups are counted, and the eleventh within an hour is asked, kindly,
// to wait: one resident cannot fill the group.
func TestFollowUpLimit(t *testing.T) {
	f := load(t)
	core := f.core.WithStaffChat(staffChat)
	st := sent(t, core)
	for n, wantSent := range map[int]bool{0: true, 9: true, 10: false, 30: false} {
		ev := resident(text("tr", "Noch eine Frage dazu."))
		ev.Thread, ev.FollowUps = open12, n
		out := core.Handle(ev, st)
		if got := len(toChat(out, staffChat)) == 1; got != wantSent {
			t.Errorf("%d follow-ups this hour: sent %v, want %v", n, got, wantSent)
		}
		if counted := hasEffect(out, conversation.FollowedUp{Resident: 4711}); counted != wantSent {
			t.Errorf("%d follow-ups: counted %v", n, counted)
		}
		if !wantSent && !strings.Contains(all(out), f.cat.T("tr", "handoff.follow_limit")) {
			t.Errorf("%d follow-ups: not told kindly:\n%s", n, all(out))
		}
	}
}
