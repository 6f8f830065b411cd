package app_test

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/integrationsagentur-marl/integrabot/internal/app"
	"github.com/integrationsagentur-marl/integrabot/internal/config"
	"github.com/integrationsagentur-marl/integrabot/internal/store/storetest"
	"github.com/integrationsagentur-marl/integrabot/internal/telegramtest"
)

const day = 24 * time.Hour

// retentionBot runs the bot on a clock of the test's, with a staff group.
func retentionBot(t *testing.T, clk *clock, admins ...int64) *harness {
	t.Helper()
	return startWithOptions(t, nil, "", "", app.Options{Limits: fastLimits, Now: clk.now}, func(c *config.Config) {
		c.AdminIDs, c.StaffChatID = admins, staffGroup
	})
}

// warningTo waits for the retention warning to chat and returns it.
func (h *harness) warningTo(chat int64) telegramtest.Sent {
	h.t.Helper()
	var found *telegramtest.Sent
	waitFor(h.t, fmt.Sprintf("the retention warning to %d", chat), func() bool {
		for _, s := range h.api.SentTo(chat) {
			if hasButton(s, "stay") {
				found = &s
				return true
			}
		}
		return false
	})
	return *found
}

// On Telegram, with the clock moved on: a follower silent for 344 days gets
// one warning in Ukrainian naming the day of the deletion, with the stay
// button; a resident who follows nothing gets none. Tapping stay answers
// in one line and keeps everything past the 365 days, while the silent
// one's data is deleted then, subscriptions included, without a message.
func TestRetentionWarningAndStayOnTelegram(t *testing.T) {
	t0 := time.Now().Truncate(time.Second)
	clk := &clock{t: t0}
	h := retentionBot(t, clk)
	rdb := rawRedis(t)
	ctx := context.Background()
	cat := knowledge(t).Catalog
	olena := telegramtest.User{ID: 7301, FirstName: "Olena", LanguageCode: "uk"}
	quiet := telegramtest.User{ID: 7302, FirstName: "Q", LanguageCode: "de"}
	h.api.SendText(olena, "/subscribe")
	menu := h.waitSent(olena.ID, 1)[0]
	h.api.PressButton(olena, menu.MessageID, "sub:news")
	h.waitSent(olena.ID, 2)
	h.api.SendText(quiet, "/start")
	h.waitSent(quiet.ID, 1)

	clk.set(t0.Add(344 * day).Add(time.Minute))
	w := h.warningTo(olena.ID)
	berlin, _ := time.LoadLocation("Europe/Berlin")
	mustContain(t, w.Text, cat.Date("uk", t0.Add(365*day).In(berlin)))
	mustContain(t, texts([]telegramtest.Sent{w}), "|stay]", cat.T("uk", "button.stay"))
	// the sweep committed every warning of its page at once, Olena's delivered: none waits for quiet
	if q := h.api.SentTo(quiet.ID); len(q) != 1 || rdb.Exists(ctx, fmt.Sprintf("%s{u%d}:q:b", h.prefix, quiet.ID)).Val() != 0 {
		t.Errorf("a resident who follows nothing was warned:\n%s", texts(q))
	}

	n := len(h.api.SentTo(olena.ID))
	h.api.PressButton(olena, w.MessageID, "stay")
	stayed := h.waitSent(olena.ID, n+1)[n]
	if visible := strings.TrimSpace(stayed.Text); visible != cat.T("uk", "retention.stayed") {
		t.Errorf("stay answered %q, want the one line %q", stayed.Text, cat.T("uk", "retention.stayed"))
	}

	clk.set(t0.Add(365 * day).Add(2 * time.Hour))
	waitFor(t, "the silent resident's data deleted", func() bool { return len(storetest.Naming(t, rdb, h.prefix, quiet.ID)) == 0 })
	if got := rdb.Get(ctx, fmt.Sprintf("%s{u%d}:state", h.prefix, olena.ID)).Val(); !strings.Contains(got, `"news"`) {
		t.Errorf("Olena tapped stay but her state is %q", got)
	}
	if !rdb.SIsMember(ctx, fmt.Sprintf("%s{g}:subs:news:%d", h.prefix, olena.ID%256), olena.ID).Val() {
		t.Error("Olena tapped stay but follows the news no more")
	}
	if q := h.api.SentTo(quiet.ID); len(q) != 1 {
		t.Errorf("the deleted resident was sent something:\n%s", texts(q[1:]))
	}
	// a barrier: Olena's next answer, and she is still known (no language picker, Ukrainian)
	h.api.SendText(olena, "/help")
	mustContain(t, h.waitSent(olena.ID, n+2)[n+1].Text, cat.T("uk", "help.text")[:20])
}

// lifetime is how a key that carries a resident's id ends.
type lifetime int

const (
	ttl    lifetime = iota // it expires by itself
	swept                  // it has no TTL; the sweep (Forget) removes the id
	shared                 // a shared key without a TTL that holds no resident's id
)

// residentKeys lists every key the bot writes, by pattern after the prefix,
// and how it ends. A key the bot writes that is not listed fails the test
// below: give it a TTL or a deletion path, then list it here and in
// internal/store/keys.go.
var residentKeys = []struct {
	pattern string
	life    lifetime
}{
	{`\{u\d+\}:state`, ttl},
	{`\{c-\d+\}:st:\d+`, ttl},
	{`\{[uc]-?\d+\}:upd:\d+`, ttl}, // a claim while its update is handled (a release before wrote "done" here)
	{`\{[uc]-?\d+\}:done`, ttl},    // the chat's updates done in the last 25 h
	{`\{u\d+\}:flood`, ttl},
	{`\{c-\d+\}:flood:\d+`, ttl},
	{`\{[uc]-?\d+\}:lock`, ttl},
	{`\{[uc]-?\d+\}:q:[rb]`, ttl},
	{`\{[uc]-?\d+\}:sent`, ttl},
	{`\{c-\d+\}:thread:\d+`, ttl},
	{`\{c-\d+\}:threads:\d+`, ttl},
	{`\{c-\d+\}:th:\d+\.\d+`, ttl},      // one thread of a resident's: HANDOFF_RETENTION
	{`\{u\d+\}:(asked|followups)`, ttl}, // the hourly counts of questions and follow-ups to staff
	{`\{[uc]-?\d+\}:dup:.+`, ttl},
	{`\{u\d+\}:gone`, ttl},
	{`\{g\}:seen:\d+`, swept},
	{`\{g\}:subs:.+:\d+`, swept},
	{`\{g\}:(ready:r|ready:b|dirty|pace)`, swept}, // chats leave as their messages are sent, and with Forget
	{`\{g\}:(rate|rate:b|sent|pause)`, ttl},
	{`\{g\}:(replicas|due|plan|retention)`, shared},
	{`\{g\}:job:.+`, shared},
	{`\{g\}:bc:.+`, ttl},       // a broadcast's record, 90 days, no resident's id
	{`\{g\}:bcs`, shared},      // the broadcasts by when they were made; an expired record's id leaves it when listed
	{`\{g\}:stats:\d{8}`, ttl}, // a day's counters of the staff's figures, 35 days, counts only
}

// After a realistic session (subscriptions, a menu in a group, a question
// to staff and its answer, a broadcast, the retention warning) every key under the
// prefix is one of residentKeys: a key with a TTL has one, no longer than
// a state's; a shared key without one names nobody; and once the sweep has
// deleted the silent resident, no key names them.
func TestEveryResidentKeyHasATTLOrIsSwept(t *testing.T) {
	t0 := time.Now().Truncate(time.Second)
	clk := &clock{t: t0}
	petra := telegramtest.User{ID: 880, FirstName: "Petra", LanguageCode: "de"}
	h := retentionBot(t, clk, petra.ID)
	rdb := rawRedis(t)
	ctx := context.Background()
	amira := telegramtest.User{ID: 7401, FirstName: "Amira", LanguageCode: "ar"}
	const group = -7499
	n := 0
	ask := func(text string) telegramtest.Sent {
		t.Helper()
		h.api.SendText(amira, text)
		n++
		return h.waitSent(amira.ID, n)[n-1]
	}
	press := func(on telegramtest.Sent, data string) telegramtest.Sent {
		t.Helper()
		h.api.PressButton(amira, on.MessageID, data)
		n++
		return h.waitSent(amira.ID, n)[n-1]
	}
	h.api.SendGroupText(staffGroup, petra, "Guten Morgen") // the bot is in the staff group
	press(ask("/subscribe"), "sub:news")
	press(ask("/events"), "sub:e:sample-cafe")
	ask("Telefon")
	h.api.SendGroupText(group, amira, "/privacy@integrabot")
	h.waitSent(group, 1)
	fallback := ask("Wo finde ich einen Deutschkurs am Abend?")
	offer := press(fallback, "ho:ask")
	press(offer, "ho:send")
	asked := h.waitSent(staffGroup, 1)[0]
	h.api.PushUpdate(groupReply(902, petra, asked.MessageID, "Die VHS hat Abendkurse."))
	n++
	h.waitSent(amira.ID, n)
	h.api.SendText(petra, "/broadcast Das Büro ist am Freitag zu.") // to the news followers
	preview := h.waitSent(petra.ID, 3)
	pressStaff(t, h.api, petra, preview[1].MessageID, "bc:send")
	n++
	mustContain(t, h.waitSent(amira.ID, n)[n-1].Text, "Das Büro ist am Freitag zu.")
	clk.set(t0.Add(344 * day).Add(time.Minute))
	h.warningTo(amira.ID)

	stateTTL := config.DefaultTiming.StateTTL()
	keys, err := rdb.Keys(ctx, h.prefix+"*").Result()
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d keys after the session", len(keys))
	naming := map[string]bool{} // the keys whose name or value carries Amira's id
	for _, m := range storetest.Naming(t, rdb, h.prefix, amira.ID) {
		naming[strings.SplitN(m, " = ", 2)[0]] = true
	}
	matched := map[string]bool{}
	for _, key := range keys {
		name := strings.TrimPrefix(key, h.prefix)
		known := false
		for _, k := range residentKeys {
			if !regexp.MustCompile(`^` + k.pattern + `$`).MatchString(name) {
				continue
			}
			known, matched[k.pattern] = true, true
			life := rdb.PTTL(ctx, key).Val() // in ms: a key with less than a second left still has a TTL
			if life == -2 {                  // gone since the listing: a queue the delivery emptied meanwhile
				continue
			}
			t.Logf("%-40s %v", name, life.Round(time.Second))
			switch k.life {
			case ttl:
				if life <= 0 || life > stateTTL {
					t.Errorf("%s lives %v, want a TTL of at most %v", name, life, stateTTL)
				}
			case swept:
				if life > stateTTL {
					t.Errorf("%s lives %v, longer than a state", name, life)
				}
			case shared:
				if life > 0 || naming[key] {
					t.Errorf("%s is listed as shared, without a TTL and naming nobody, but lives %v and names the resident: %v", name, life, naming[key])
				}
			}
			break
		}
		if !known {
			t.Errorf("the bot wrote %s, which has no entry in residentKeys: give it a TTL or a deletion path, and list it", name)
		}
	}
	for _, want := range []string{`\{[uc]-?\d+\}:done`, `\{u\d+\}:state`, `\{c-\d+\}:st:\d+`, `\{c-\d+\}:threads:\d+`, `\{c-\d+\}:th:\d+\.\d+`, `\{u\d+\}:(asked|followups)`, `\{[uc]-?\d+\}:dup:.+`, `\{g\}:seen:\d+`, `\{g\}:subs:.+:\d+`} {
		if !matched[want] {
			t.Errorf("the session wrote no key like %s: not realistic enough to check it", want)
		}
	}

	clk.set(t0.Add(365 * day).Add(2 * time.Hour))
	waitFor(t, "the silent resident's data deleted", func() bool { return len(storetest.Naming(t, rdb, h.prefix, amira.ID)) == 0 })
}
