package app_test

import (
	"strings"
	"testing"
	"time"

	"github.com/integrationsagentur-marl/integrabot/internal/telegramtest"
)

// pressGroupStaff presses the signed button data under message messageID
// in the staff group.
func pressGroupStaff(t *testing.T, api *telegramtest.Server, u telegramtest.User, messageID int, data string) {
	t.Helper()
	for _, m := range api.SentTo(staffGroup) {
		if m.MessageID != messageID {
			continue
		}
		for _, row := range m.Buttons {
			for _, b := range row {
				if strings.HasPrefix(b.CallbackData, data+"~") {
					api.PressGroupButton(staffGroup, u, messageID, b.CallbackData)
					return
				}
			}
		}
	}
	t.Fatalf("group message %d has no signed button %q", messageID, data)
}

// buttonWith is the data of the first button of s whose data starts with prefix.
func buttonWith(s telegramtest.Sent, prefix string) string {
	for _, row := range s.Buttons {
		for _, b := range row {
			if strings.HasPrefix(b.CallbackData, prefix) {
				return b.CallbackData
			}
		}
	}
	return ""
}

// A whole thread on Telegram, with Redis: Amira writes in Arabic, her
// question and follow-ups reach the staff group (the follow-ups as replies
// to the question) with her first name and language only; the staff's
// German reaches her as written, and her Telegram reply to it goes to the
// thread; a member who is not staff cannot close it, staff can, and she is
// told in Arabic; a second question she withdraws, and a staff reply to it
// then reaches nobody; the fourth question within the hour is refused
// kindly. No group message ever names her id, user name or last name.
func TestThreadEndToEnd(t *testing.T) {
	petra := telegramtest.User{ID: 880, FirstName: "Petra", LanguageCode: "de"}
	member := telegramtest.User{ID: 881, FirstName: "Max", LanguageCode: "de"}
	amira := telegramtest.User{ID: 4711, FirstName: "Amira", LastName: "Haddad", Username: "amira_h", LanguageCode: "ar"}
	h := startWithStaff(t, petra.ID)
	cat := knowledge(t).Catalog
	h.api.SendGroupText(staffGroup, petra, "Guten Morgen") // the bot is in the staff group
	mine := func() []telegramtest.Sent { return h.api.SentTo(amira.ID) }
	// next waits for Amira's next message after the n she had
	next := func(n int) telegramtest.Sent { t.Helper(); return h.waitSent(amira.ID, n+1)[n] }
	nextGroup := func(n int) telegramtest.Sent { t.Helper(); return h.waitSent(staffGroup, n+1)[n] }

	// ask asks a question the bot cannot answer and sends it to the team;
	// it returns the confirmation.
	ask := func(question string) telegramtest.Sent {
		t.Helper()
		n := len(mine())
		h.api.SendText(amira, question)
		fallback := next(n)
		if buttonWith(fallback, "ho:ask") == "" {
			t.Fatalf("%q is answered without a person:\n%s", question, texts(mine()))
		}
		h.api.PressButton(amira, fallback.MessageID, "ho:ask")
		offer := next(n + 1)
		h.api.PressButton(amira, offer.MessageID, "ho:send")
		return next(n + 2)
	}

	sent := ask("هل يمكنني إحضار قطتي معي؟")
	mustContain(t, sent.Text, cat.T("ar", "handoff.sent"), cat.T("ar", "handoff.follow_hint"))
	withdraw1 := buttonWith(sent, "ho:wd:")
	if withdraw1 == "" {
		t.Fatalf("the confirmation has no way to withdraw:\n%s", texts([]telegramtest.Sent{sent}))
	}
	question := nextGroup(0)
	mustContain(t, question.Text, "هل يمكنني إحضار قطتي", "Amira", "العربية (ar)")

	// a follow-up: a reply to the question in the group
	n := len(mine())
	h.api.SendText(amira, "عندي طفلان")
	mustContain(t, next(n).Text, cat.T("ar", "handoff.follow_sent"))
	follow := nextGroup(1)
	mustContain(t, follow.Text, "عندي طفلان", "Amira", "العربية")
	if follow.ReplyTo != question.MessageID {
		t.Errorf("the follow-up replies to message %d, want the question %d", follow.ReplyTo, question.MessageID)
	}

	// the staff answer the follow-up in German: she reads it as written, introduced in Arabic
	const german = "Die VHS Marl hat Abendkurse, montags 18 Uhr. Kinderbetreuung gibt es auch."
	n = len(mine())
	h.api.PushUpdate(groupReply(900, petra, follow.MessageID, german))
	answer := next(n)
	mustContain(t, answer.Text, german, cat.T("ar", "handoff.answer"))
	if buttonWith(answer, "ho:re:") == "" {
		t.Fatalf("the answer has no Reply to the team:\n%s", texts([]telegramtest.Sent{answer}))
	}
	nextGroup(2) // "answer passed on"

	// Menu: she talks to the bot again; a text of hers is the bot's
	h.api.PressButton(amira, answer.MessageID, "m:main")
	next(n + 1)
	h.api.SendText(amira, "/help")
	next(n + 2)
	groupBefore := len(h.api.SentTo(staffGroup))
	// her Telegram reply to the answer goes to the thread all the same
	h.api.ReplyText(amira, answer.MessageID, "شكرًا جزيلًا!")
	mustContain(t, next(n+3).Text, cat.T("ar", "handoff.follow_sent"))
	reply := nextGroup(groupBefore)
	mustContain(t, reply.Text, "شكرًا جزيلًا!")
	if reply.ReplyTo != question.MessageID {
		t.Errorf("her reply to the answer replies to %d in the group, want the question %d", reply.ReplyTo, question.MessageID)
	}

	// a member who is not staff cannot close it; staff can, and she is told in Arabic
	g := len(h.api.SentTo(staffGroup))
	pressGroupStaff(t, h.api, member, question.MessageID, "hc:close")
	mustContain(t, nextGroup(g).Text, cat.T("de", "staff.only"))
	n = len(mine())
	pressGroupStaff(t, h.api, petra, question.MessageID, "hc:close")
	mustContain(t, next(n).Text, cat.T("ar", "handoff.closed"))
	closed := nextGroup(g + 1)
	if closed.Method != "editMessageText" || closed.MessageID != question.MessageID || !strings.Contains(closed.Text, "Petra") || len(closed.Buttons) != 0 {
		t.Errorf("the question in the group is not marked closed: %+v", closed)
	}
	// a reply to the answer now: the conversation ended, offered as a new question
	h.api.ReplyText(amira, answer.MessageID, "سؤال آخر")
	over := next(n + 1)
	mustContain(t, over.Text, cat.T("ar", "handoff.thread_over"))
	// a staff reply to the closed thread reaches nobody (barrier: her next answer)
	h.api.PushUpdate(groupReply(901, petra, question.MessageID, "Noch etwas?"))

	// a second question, withdrawn: the group's message says so, and a staff reply reaches nobody
	g = len(h.api.SentTo(staffGroup))
	sent2 := ask("هل يوجد موقف للدراجات؟")
	q2 := nextGroup(g)
	mustContain(t, q2.Text, "هل يوجد موقف للدراجات")
	data, at := buttonWith(sent2, "ho:wd:"), sent2.MessageID
	deadline := time.Now().Add(15 * time.Second)
	for { // while the question is on its way, she is asked to tap again in a moment
		n = len(mine())
		h.api.PressButton(amira, at, data)
		got := next(n)
		if strings.Contains(got.Text, cat.T("ar", "handoff.withdrawn")) {
			break
		}
		if !strings.Contains(got.Text, cat.T("ar", "handoff.withdraw_wait")) || time.Now().After(deadline) {
			t.Fatalf("withdrawing:\n%s", texts([]telegramtest.Sent{got}))
		}
		at = got.MessageID
	}
	waitFor(t, "the group's question marked withdrawn", func() bool {
		for _, s := range h.api.SentTo(staffGroup) {
			if s.Method == "editMessageText" && s.MessageID == q2.MessageID &&
				strings.Contains(s.Text, cat.Format("de", "handoff.group_withdrawn", map[string]any{"Name": "Amira"})) {
				return true
			}
		}
		return false
	})
	h.api.PushUpdate(groupReply(902, petra, q2.MessageID, "Ja, gern."))

	// the third question goes; the fourth within the hour is refused kindly
	sent3 := ask("هل تبيعون الخبز؟")
	groupNow := len(h.api.SentTo(staffGroup))
	n = len(mine())
	h.api.PressButton(amira, sent3.MessageID, "m:main") // her next question is the bot's, not a follow-up
	next(n)
	refused := ask("هل يسمح بالكلاب؟")
	mustContain(t, refused.Text, cat.T("ar", "handoff.limit"))
	// barrier: her /help is answered after anything queued for her
	n = len(mine())
	h.api.SendText(amira, "/help")
	next(n)
	for _, s := range mine() {
		if strings.Contains(s.Text, "Noch etwas?") || strings.Contains(s.Text, "Ja, gern.") {
			t.Errorf("a staff reply to a closed or withdrawn thread reached her:\n%s", s.Text)
		}
	}
	h.api.SendGroupText(staffGroup, petra, "/help@integrabot") // the group's barrier
	waitFor(t, "the group's barrier", func() bool {
		got := h.api.SentTo(staffGroup)
		return len(got) > 0 && strings.Contains(got[len(got)-1].Text, "/language")
	})
	for _, s := range h.api.SentTo(staffGroup)[groupNow:] {
		if strings.Contains(s.Text, "هل يسمح بالكلاب") {
			t.Errorf("the fourth question within the hour reached the group:\n%s", s.Text)
		}
	}

	for _, s := range h.api.SentTo(staffGroup) {
		for _, never := range []string{"4711", "Haddad", "amira_h"} {
			if strings.Contains(s.Text, never) {
				t.Errorf("a group message names %q:\n%s", never, s.Text)
			}
		}
	}
	if r := h.api.Rejected(); len(r) > 0 {
		t.Errorf("Telegram would have rejected: %v", r)
	}
	if logs := h.logs.String(); strings.Contains(logs, "Abendkurse") || strings.Contains(logs, "طفلان") || strings.Contains(logs, "Haddad") {
		t.Errorf("a text or a name in the log:\n%s", logs)
	}
}
