package app_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/integrationsagentur-marl/integrabot/internal/store/storetest"
	"github.com/integrationsagentur-marl/integrabot/internal/telegramtest"
)

// /forget, confirmed, deletes everything about the resident at once: their
// states in the private chat and in a group, what they follow, every mark
// and index that carries their id. Afterwards no key and no value of the
// bot's names them; another resident's data is untouched. The confirmation
// is still delivered, in their language.
func TestForgetLeavesTheIDNowhere(t *testing.T) {
	for _, where := range []string{"private", "group"} {
		t.Run(where, func(t *testing.T) {
			h := start(t, nil, "")
			rdb := rawRedis(t)
			ctx := context.Background()
			const group = -100123456789
			me := telegramtest.User{ID: 7351902468, FirstName: "F", LanguageCode: "uk"}
			other := telegramtest.User{ID: 6249130587, FirstName: "O", LanguageCode: "de"}
			sent := map[int64]int{}
			ask := func(u telegramtest.User, chat int64, text string) telegramtest.Sent {
				if chat == u.ID {
					h.api.SendText(u, text)
				} else {
					h.api.SendGroupText(chat, u, text)
				}
				sent[chat]++
				return h.waitSent(chat, sent[chat])[sent[chat]-1]
			}
			press := func(u telegramtest.User, chat int64, on telegramtest.Sent, data string) telegramtest.Sent {
				if chat == u.ID {
					h.api.PressButton(u, on.MessageID, data)
				} else {
					h.api.PressGroupButton(chat, u, on.MessageID, data)
				}
				sent[chat]++
				return h.waitSent(chat, sent[chat])[sent[chat]-1]
			}
			for _, u := range []telegramtest.User{me, other} {
				menu := ask(u, u.ID, "/subscribe")
				press(u, u.ID, menu, "sub:news")
				press(u, u.ID, ask(u, u.ID, "/events"), "sub:e:sample-cafe")
				ask(u, u.ID, "Telefon")
				ask(u, group, "/privacy@integrabot")
			}
			st := func(u telegramtest.User) string { return fmt.Sprintf("%s{u%d}:state", h.prefix, u.ID) }
			follows := func(u telegramtest.User, topic string) bool {
				return rdb.SIsMember(ctx, fmt.Sprintf("%s{g}:subs:%s:%d", h.prefix, topic, u.ID%256), u.ID).Val()
			}
			gst := func(u telegramtest.User) string { return fmt.Sprintf("%s{c%d}:st:%d", h.prefix, int64(group), u.ID) }
			for _, u := range []telegramtest.User{me, other} {
				if rdb.Exists(ctx, st(u), gst(u)).Val() != 2 || !follows(u, "news") {
					t.Fatalf("resident %d: no state in both chats, or not following the news", u.ID)
				}
			}

			chat := me.ID
			if where == "group" {
				chat = group
			}
			cmd := "/forget"
			if chat == group {
				cmd += "@integrabot"
			}
			question := ask(me, chat, cmd)
			mustContain(t, texts([]telegramtest.Sent{question}), knowledge(t).Catalog.T("uk", "forget.confirm"), "|del:yes]")
			done := press(me, chat, question, "del:yes")
			mustContain(t, texts([]telegramtest.Sent{done}), knowledge(t).Catalog.T("uk", "privacy.deleted"))

			// The confirmation is delivered; the chat's queue and its place
			// among the chats to send to go once the worker hands it back. A
			// message of another resident is the barrier: its answer comes
			// after later rounds of the workers.
			var left []string
			for round := 0; round < 5; round++ {
				ask(other, other.ID, "Hilfe")
				if left = storetest.Naming(t, rdb, h.prefix, me.ID); len(left) == 0 {
					break
				}
			}
			if len(left) > 0 {
				t.Errorf("after /forget the resident's id is still in:\n%s", strings.Join(left, "\n"))
			}
			if rdb.Exists(ctx, st(other), gst(other)).Val() != 2 || !follows(other, "news") ||
				!follows(other, "e:sample-cafe") || rdb.ZScore(ctx, h.prefix+fmt.Sprintf("{g}:seen:%d", other.ID%1024), fmt.Sprint(other.ID)).Err() != nil {
				t.Error("another resident's data was touched")
			}
			if !strings.Contains(rdb.Get(ctx, st(other)).Val(), `"news"`) {
				t.Errorf("the other resident's state lost their subscriptions: %s", rdb.Get(ctx, st(other)).Val())
			}
			// the resident is a stranger now: asked their language again by their app's
			ask(me, me.ID, "/help")
		})
	}
}
