package app_test

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/integrationsagentur-marl/integrabot/internal/app"
	"github.com/integrationsagentur-marl/integrabot/internal/config"
	"github.com/integrationsagentur-marl/integrabot/internal/telegramtest"
)

const staffGroup = -5001

// startWithStaff runs the bot with a staff group and its staff.
func startWithStaff(t *testing.T, admins ...int64) *harness {
	t.Helper()
	api := telegramtest.New(token, telegramtest.WithBotUser(999, "integrabot"))
	t.Cleanup(api.Close)
	rURL := redisURL(t)
	prefix := fmt.Sprintf("ibtest:%d:", time.Now().UnixNano())
	t.Cleanup(func() { cleanRedis(rURL, prefix) })
	h := &harness{t: t, api: api, prefix: prefix, logs: &syncBuffer{}, done: make(chan error, 1)}
	h.cfg = config.Config{Token: token, APIURL: api.URL, RedisURL: rURL, ListenAddr: "127.0.0.1:0", AdminIDs: admins, StaffChatID: staffGroup}
	a, err := app.New(h.cfg, knowledge(t), app.Options{Limits: fastLimits, PollTimeout: time.Second, KeyPrefix: prefix}, slog.New(slog.NewJSONHandler(h.logs, nil)))
	if err != nil {
		t.Fatal(err)
	}
	h.app = a
	ctx, cancel := context.WithCancel(context.Background())
	h.cancel = cancel
	go func() { h.done <- a.Run(ctx) }()
	t.Cleanup(h.stop)
	return h
}

// groupReply is a message in the staff group replying to message replyTo.
func groupReply(id int, from telegramtest.User, replyTo int, text string) map[string]any {
	return map[string]any{"message": map[string]any{
		"message_id": id, "date": time.Now().Unix(), "text": text,
		"chat": map[string]any{"id": staffGroup, "type": "group", "title": "Team"},
		"from": map[string]any{"id": from.ID, "is_bot": false, "first_name": from.FirstName, "language_code": from.LanguageCode},
		"reply_to_message": map[string]any{
			"message_id": replyTo, "date": time.Now().Unix(), "text": "…",
			"chat": map[string]any{"id": staffGroup, "type": "group", "title": "Team"},
			"from": map[string]any{"id": 999, "is_bot": true, "first_name": "integrabot", "username": "integrabot"},
		},
	}}
}

func hasButton(s telegramtest.Sent, data string) bool {
	for _, row := range s.Buttons {
		for _, b := range row {
			if b.CallbackData == data {
				return true
			}
		}
	}
	return false
}

// A resident asks what the bot cannot answer, agrees to pass it on, and the
// staff group gets the question with her first name and language only; a
// staff member's reply to it reaches her once, introduced in Arabic, and the
// group is told in one line. A member who is not staff, or a reply to
// another message, reaches nobody; the staff update coming again relays
// nothing more.
func TestQuestionToStaffAndBack(t *testing.T) {
	petra := telegramtest.User{ID: 880, FirstName: "Petra", LanguageCode: "de"}
	member := telegramtest.User{ID: 881, FirstName: "Max", LanguageCode: "de"}
	amira := telegramtest.User{ID: 4711, FirstName: "Amira", LastName: "Haddad", Username: "amira_h", LanguageCode: "ar"}
	h := startWithStaff(t, petra.ID)
	cat := knowledge(t).Catalog
	h.api.SendGroupText(staffGroup, petra, "Guten Morgen") // the bot is in the staff group; chatter draws nothing

	const question = "Wo finde ich einen Deutschkurs am Abend?"
	h.api.SendText(amira, question)
	fallback := h.waitSent(amira.ID, 1)[0]
	if !hasButton(fallback, "ho:ask") {
		t.Fatalf("the answer to a question the bot cannot answer offers no person:\n%s", texts([]telegramtest.Sent{fallback}))
	}
	h.api.PressButton(amira, fallback.MessageID, "ho:ask")
	offer := h.waitSent(amira.ID, 2)[1]
	mustContain(t, offer.Text, question, "Amira", "العربية")
	if !hasButton(offer, "ho:send") {
		t.Fatalf("the offer has no button to send:\n%s", texts([]telegramtest.Sent{offer}))
	}
	if n := len(h.api.SentTo(staffGroup)); n != 0 {
		t.Fatalf("the group got %d messages before the resident agreed", n)
	}
	h.api.PressButton(amira, offer.MessageID, "ho:send")
	mustContain(t, h.waitSent(amira.ID, 3)[2].Text, cat.T("ar", "handoff.sent"))
	asked := h.waitSent(staffGroup, 1)[0]
	mustContain(t, asked.Text, question, "Amira", "العربية")
	for _, never := range []string{"4711", "Haddad", "amira_h"} {
		if strings.Contains(asked.Text, never) {
			t.Errorf("the staff group sees %q:\n%s", never, asked.Text)
		}
	}

	// a member who is not staff, and a staff reply to another message: nothing
	h.api.PushUpdate(groupReply(900, member, asked.MessageID, "Ich weiß es nicht"))
	h.api.PushUpdate(groupReply(901, petra, asked.MessageID-1, "Das ist keine Frage"))
	staffReply := groupReply(902, petra, asked.MessageID, "Die VHS Marl hat Abendkurse, montags 18 Uhr.")
	h.api.PushUpdate(staffReply)
	relay := h.waitSent(amira.ID, 4)[3]
	mustContain(t, relay.Text, "Die VHS Marl hat Abendkurse, montags 18 Uhr.", cat.T("ar", "handoff.answer"))
	group := h.waitSent(staffGroup, 2)
	if len(group) != 2 || !strings.Contains(group[1].Text, cat.T("de", "handoff.relayed")) || strings.Contains(group[1].Text, "\n") {
		t.Fatalf("the group is not told in one line (or was answered for the others):\n%s", texts(group))
	}

	// the staff update comes again: no second relay. Barriers, not a sleep:
	// a command in the group is answered after the update before it, and
	// the resident's next answer comes after any relay queued for her.
	h.api.PushUpdate(staffReply)
	h.api.SendGroupText(staffGroup, petra, "/help@integrabot")
	waitFor(t, "the group's barrier", func() bool {
		for _, s := range h.api.SentTo(staffGroup) {
			if strings.Contains(s.Text, "/language") {
				return true
			}
		}
		return false
	})
	h.api.SendText(amira, "/help")
	got := h.waitSent(amira.ID, 5)
	relays := 0
	for _, s := range got {
		if strings.Contains(s.Text, "Die VHS Marl hat Abendkurse") {
			relays++
		}
	}
	if relays != 1 || !strings.Contains(got[len(got)-1].Text, "/language") {
		t.Errorf("the resident got the answer %d times, want once:\n%s", relays, texts(got))
	}
	if r := h.api.Rejected(); len(r) > 0 {
		t.Errorf("Telegram would have rejected: %v", r)
	}
	if logs := h.logs.String(); strings.Contains(logs, "Deutschkurs") || strings.Contains(logs, "Abendkurse") || strings.Contains(logs, "Haddad") {
		t.Errorf("a question, an answer or a name in the log:\n%s", logs)
	}
	if c := h.api.Commands(""); len(c) == 0 || c[len(c)-1].Command != "ask" {
		t.Errorf("with a staff group /ask is in the command menu: %+v", c)
	}
}
