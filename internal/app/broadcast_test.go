package app_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/integrationsagentur-marl/integrabot/internal/app"
	"github.com/integrationsagentur-marl/integrabot/internal/config"
	"github.com/integrationsagentur-marl/integrabot/internal/conversation"
	"github.com/integrationsagentur-marl/integrabot/internal/deliver"
	"github.com/integrationsagentur-marl/integrabot/internal/store"
	"github.com/integrationsagentur-marl/integrabot/internal/telegramtest"
)

// A staff member broadcasts to 300 news followers from Telegram, with a
// Turkish version, against a fake that keeps Telegram's limits (30/s, 1/s a
// chat); every replica is killed (kill -9) in the middle; after a restart
// every follower has the message once, in their language's version or the
// main text with a note (duplicates at most the messages in flight at the
// kill), residents who blocked the bot follow nothing any more, residents
// who follow nothing have none, and staff get the report.
func TestBroadcastSurvivesKillNine(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and kills the real binary")
	}
	bin := buildBinary(t)
	api := telegramtest.New(token, telegramtest.WithBotUser(999, "integrabot"), telegramtest.WithFirstUpdateID(time.Now().UnixNano()%1e9),
		telegramtest.WithRateLimits(30, 1, 20))
	defer api.Close()
	prefix := fmt.Sprintf("ibtest:%d:", time.Now().UnixNano())
	defer cleanRedis(redisURL(t), prefix)

	o, _ := redis.ParseURL(redisURL(t))
	rdb := redis.NewClient(o)
	defer rdb.Close()
	s := store.New(rdb, prefix, config.DefaultTiming)
	ctx := context.Background()
	logs := &syncBuffer{} // written by the processes' output, read by the test
	run := func() *exec.Cmd {
		cmd := exec.Command(bin, "serve")
		cmd.Env = append(os.Environ(), "TELEGRAM_BOT_TOKEN="+token, "TELEGRAM_API_URL="+api.URL, "ADMIN_IDS=5000",
			"REDIS_URL="+redisURL(t), "REDIS_KEY_PREFIX="+prefix, "LISTEN_ADDR=127.0.0.1:0")
		cmd.Stdout, cmd.Stderr = logs, logs
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		return cmd
	}
	first := run()
	h := &harness{t: t, api: api}
	langs := []string{"de", "tr", "ar", "uk", "fa", "ru"}
	const followers, blocked = 300, 5         // the last followers blocked the bot since they subscribed
	for i := int64(0); i < followers+4; i++ { // residents who started the bot once (Telegram delivers to no one else)
		api.SendText(telegramtest.User{ID: 6000 + i, FirstName: "R", LanguageCode: langs[i%int64(len(langs))]}, "/start")
	}
	for i := int64(0); i < followers+4; i++ {
		h.waitSentWithin(6000+i, 1, 60*time.Second)
	}
	for i := int64(followers - blocked); i < followers; i++ {
		api.Block(6000 + i)
	}
	for i := int64(0); i < followers+4; i++ { // the first followers subscribed to the news
		st := conversation.State{Lang: langs[i%int64(len(langs))]}
		if i < followers {
			st.Subs = []string{"news"}
			_ = s.Follow(ctx, "news", 6000+i)
		}
		if err := s.SaveState(ctx, 6000+i, st); err != nil {
			t.Fatal(err)
		}
	}
	staffer := telegramtest.User{ID: 5000, FirstName: "Team", LanguageCode: "de"}
	api.SendText(staffer, "/broadcast Liebe Nachbarn, das Büro ist am Freitag zu.")
	preview := h.waitSentWithin(5000, 3, 20*time.Second)
	mustContain(t, texts(preview[2:3]), "Empfänger: 300 (Deutsch 50, Türkçe 50, العربية 50, فارسی 50, Українська 50, Русский 50)")
	mustContain(t, texts(preview), "Liebe Nachbarn", "|bc:send~")
	pressStaff(t, api, staffer, preview[1].MessageID, "bc:ver:")
	languages := h.waitSentWithin(5000, 4, 10*time.Second)[3]
	pressStaff(t, api, staffer, languages.MessageID, "bc:ver:tr")
	h.waitSentWithin(5000, 5, 10*time.Second)
	api.SendText(staffer, "Sevgili komşular, ofis cuma günü kapalı.")
	again := h.waitSentWithin(5000, 8, 10*time.Second)[5:]
	mustContain(t, texts(again), "Auch auf: Türkçe")
	pressStaff(t, api, staffer, again[1].MessageID, "bc:send")
	received := func(id int64) int {
		n := 0
		for _, m := range api.SentTo(id) {
			if (strings.Contains(m.Text, "Liebe Nachbarn") || strings.Contains(m.Text, "Sevgili komşular")) && m.ChatID != 5000 {
				n++
			}
		}
		return n
	}
	reached := func() int {
		n := 0
		for i := int64(0); i < followers-blocked; i++ {
			if received(6000+i) > 0 {
				n++
			}
		}
		return n
	}
	for start := time.Now(); reached() < 30; time.Sleep(20 * time.Millisecond) {
		if time.Since(start) > 20*time.Second {
			t.Fatalf("the broadcast did not start: %d reached; staff saw:\n%s\nlogs:\n%s", reached(), texts(api.SentTo(5000)), logs.String())
		}
	}
	_ = first.Process.Kill()
	_ = first.Wait()
	atKill := reached()
	second := run()
	defer func() { _ = second.Process.Signal(os.Interrupt); _ = second.Wait() }()
	deadline := time.Now().Add(config.DefaultTiming.Lease + 30*time.Second)
	for reached() < followers-blocked && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	// a barrier: the staff member's next question is answered after the report
	waitFor(t, "the report", func() bool { return strings.Contains(texts(api.SentTo(5000)), "Versand fertig") })
	doubled := 0
	for i := int64(0); i < followers+4; i++ {
		id, lang := 6000+i, langs[i%int64(len(langs))]
		got := received(id)
		switch {
		case i >= followers:
			if got != 0 {
				t.Errorf("resident %d follows nothing and got the broadcast", id)
			}
		case i >= followers-blocked && i < followers:
			if st, _ := s.LoadState(ctx, id); len(st.Subs) != 0 {
				t.Errorf("resident %d blocked the bot and still follows %v", id, st.Subs)
			}
		case got == 0:
			t.Errorf("follower %d never got the broadcast", id)
		default:
			if got > 1 {
				doubled++
			}
			text := texts(api.SentTo(id))
			switch {
			case lang == "tr" && (!strings.Contains(text, "Sevgili komşular") || strings.Contains(text, "Liebe Nachbarn")):
				t.Errorf("Turkish follower %d did not get the Turkish version", id)
			case lang == "de" && strings.Contains(text, "ℹ️"):
				t.Errorf("German follower %d got a note that it is not in their language", id)
			case lang != "de" && lang != "tr" && !strings.Contains(text, "ℹ️"):
				t.Errorf("follower %d (%s) got the German text without the note", id, lang)
			}
		}
	}
	if inFlight := deliver.DefaultLimits(25, 20).Workers; doubled > inFlight {
		t.Errorf("%d followers got it twice; at most the %d in flight at the kill may", doubled, inFlight)
	}
	var reports, edits int
	var last telegramtest.Sent
	for _, m := range api.SentTo(5000) {
		switch {
		case m.Method == "sendMessage" && strings.Contains(m.Text, "Versand fertig: 295 gesendet, 5 hatten den Bot blockiert"):
			reports++
		case m.Method == "editMessageText":
			edits++
			last = m
		}
	}
	if reports != 1 {
		t.Errorf("the report came %d times:\n%s", reports, texts(api.SentTo(5000)))
	}
	if edits == 0 || !strings.Contains(last.Text, "fertig: 295 von 300 gesendet") || last.Buttons != nil {
		t.Errorf("the progress message was not kept up to date (%d edits), last:\n%s", edits, texts([]telegramtest.Sent{last}))
	}
	n := len(api.SentTo(5000))
	api.SendText(staffer, "/broadcasts")
	list := h.waitSentWithin(5000, n+1, 10*time.Second)[n:]
	mustContain(t, texts(list), "Letzte Rundnachrichten", "fertig · 295 gesendet, 5 blockiert, 0 fehlgeschlagen")
	t.Logf("%d of %d followers had it at kill -9; %d twice after the restart", atKill, followers, doubled)
	if t.Failed() {
		t.Logf("logs:\n%s", logs.String())
	}
}

// A photo with a caption, sent by staff to the bot, goes to the followers as
// that photo with that caption (Telegram's file id: nothing is downloaded).
func TestBroadcastAPhoto(t *testing.T) {
	api := telegramtest.New(token, telegramtest.WithBotUser(999, "integrabot"))
	defer api.Close()
	h := startWithOptions(t, api, "", "", app.Options{Limits: fastLimits}, func(c *config.Config) { c.AdminIDs = []int64{5000} })
	defer h.stop()
	follower := telegramtest.User{ID: 6100, FirstName: "F", LanguageCode: "tr"}
	api.SendText(follower, "/start")
	h.waitSent(6100, 1)
	api.PressButton(follower, h.waitSent(6100, 1)[0].MessageID, "m:reminders")
	page := h.waitSent(6100, 2)
	api.PressButton(follower, page[1].MessageID, "sub:news")
	h.waitSent(6100, 3)

	staffer := telegramtest.User{ID: 5000, FirstName: "Team", LanguageCode: "de"}
	api.SendText(staffer, "/broadcast")
	h.waitSent(5000, 1)
	api.PushUpdate(map[string]any{"message": map[string]any{
		"message_id": 79, "date": time.Now().Unix(), "chat": map[string]any{"id": 5000, "type": "private"},
		"from":    map[string]any{"id": 5000, "is_bot": false, "first_name": "Team", "language_code": "de"},
		"photo":   []map[string]any{{"file_id": "small", "file_unique_id": "s", "width": 90, "height": 90}, {"file_id": "PHOTO-LARGE", "file_unique_id": "l", "width": 1280, "height": 960}},
		"caption": "Unser Sommerfest",
	}})
	audience := h.waitSent(5000, 2)
	pressStaff(t, api, staffer, audience[len(audience)-1].MessageID, "bc:aud:news")
	preview := h.waitSent(5000, 5)
	var previewPhoto bool
	var send int
	for _, m := range preview {
		if m.Method == "sendPhoto" && m.Document.FileID == "PHOTO-LARGE" && m.Text == "Unser Sommerfest" {
			previewPhoto = true
		}
		for _, row := range m.Buttons {
			for _, b := range row {
				if strings.HasPrefix(b.CallbackData, "bc:send~") {
					send = m.MessageID
				}
			}
		}
	}
	if !previewPhoto || send == 0 {
		t.Fatalf("the preview is not the photo:\n%s", texts(preview))
	}
	pressStaff(t, api, staffer, send, "bc:send")
	got := h.waitSentWithin(6100, 4, 15*time.Second)
	last := got[len(got)-1]
	// the caption in German, and a line in Turkish: no Turkish version was written
	if last.Method != "sendPhoto" || last.Document.FileID != "PHOTO-LARGE" || !strings.HasPrefix(last.Text, "Unser Sommerfest") ||
		!strings.Contains(last.Text, "Bu mesaj sizin dilinizde mevcut değil") {
		t.Fatalf("the follower got:\n%s", texts(got))
	}
}

// clock is a time the test moves on.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) set(t time.Time) { c.mu.Lock(); c.t = t; c.mu.Unlock() }

// On Telegram: a resident's /broadcast and forged buttons change nothing;
// a broadcast planned for "morgen 9 Uhr" goes out then, not before.
func TestScheduledBroadcastAndRefusals(t *testing.T) {
	berlin, _ := time.LoadLocation("Europe/Berlin")
	clk := &clock{t: time.Date(2026, 12, 7, 15, 0, 0, 0, berlin)}
	api := telegramtest.New(token, telegramtest.WithBotUser(999, "integrabot"))
	defer api.Close()
	h := startWithOptions(t, api, "", "", app.Options{Limits: fastLimits, Now: clk.now}, func(c *config.Config) { c.AdminIDs = []int64{5000} })
	defer h.stop()
	o, _ := redis.ParseURL(redisURL(t))
	rdb := redis.NewClient(o)
	defer rdb.Close()
	s := store.New(rdb, h.prefix, config.DefaultTiming)
	ctx := context.Background()
	for id := int64(6200); id < 6210; id++ {
		api.SendText(telegramtest.User{ID: id, FirstName: "F", LanguageCode: "de"}, "/start")
		h.waitSent(id, 1)
		_ = s.SaveState(ctx, id, conversation.State{Lang: "de", Subs: []string{"news"}})
		_ = s.Follow(ctx, "news", id)
	}
	resident := telegramtest.User{ID: 6200, FirstName: "F", LanguageCode: "de"}
	api.SendText(resident, "/broadcast Gefälscht")
	mustContain(t, texts(h.waitSent(6200, 2)[1:]), "Das können nur Mitarbeitende")
	api.PushUpdate(map[string]any{"callback_query": map[string]any{"id": "forged", "chat_instance": "1", "data": "bc:send",
		"from":    map[string]any{"id": 6200, "is_bot": false, "first_name": "F"},
		"message": map[string]any{"message_id": 1, "date": clk.now().Unix(), "chat": map[string]any{"id": 6200, "type": "private"}}}})
	mustContain(t, texts(h.waitSent(6200, 3)[2:]), "Das können nur Mitarbeitende")
	if recent, _ := s.RecentBroadcasts(ctx, 10); len(recent) != 0 {
		t.Fatalf("a resident recorded a broadcast: %+v", recent)
	}

	staffer := telegramtest.User{ID: 5000, FirstName: "Team", LanguageCode: "de"}
	api.SendText(staffer, "/broadcast Morgen ist das Büro zu.")
	preview := h.waitSent(5000, 3)
	pressStaff(t, api, staffer, preview[1].MessageID, "bc:later")
	h.waitSent(5000, 4)
	api.SendText(staffer, "morgen 9 Uhr")
	planned := h.waitSent(5000, 7)
	mustContain(t, texts(planned[4:]), "Dienstag, 8. Dezember, 09:00")
	for _, m := range planned[4:] {
		if strings.Contains(texts([]telegramtest.Sent{m}), "|bc:send~") {
			pressStaff(t, api, staffer, m.MessageID, "bc:send")
		}
	}
	mustContain(t, texts(h.waitSent(5000, 8)[7:]), "Geplant")
	got := func(id int64) bool { return strings.Contains(texts(api.SentTo(id)), "Morgen ist das Büro zu.") }
	// a crafted "cancel" with the staff member's own id but no valid signature does nothing
	planned2, _ := s.RecentBroadcasts(ctx, 1)
	n0 := len(api.SentTo(5000))
	api.PushUpdate(map[string]any{"callback_query": map[string]any{"id": "crafted", "chat_instance": "1", "data": "bc:ctl:cancelled:" + planned2[0].ID,
		"from":    map[string]any{"id": 5000, "is_bot": false, "first_name": "Team"},
		"message": map[string]any{"message_id": 1, "date": clk.now().Unix(), "chat": map[string]any{"id": 5000, "type": "private"}}}})
	h.waitSent(5000, n0+1)
	if b, _, _ := s.GetBroadcast(ctx, planned2[0].ID); b.State != store.BroadcastConfirmed {
		t.Fatalf("a crafted cancel changed the broadcast: %s", b.State)
	}

	clk.set(time.Date(2026, 12, 8, 8, 59, 0, 0, berlin))
	n := len(api.SentTo(6201)) // a barrier: the resident's next answer comes after any pass that could send it
	api.SendText(telegramtest.User{ID: 6201, FirstName: "F", LanguageCode: "de"}, "Hallo")
	h.waitSent(6201, n+1)
	recent, _ := s.RecentBroadcasts(ctx, 1) // that no pass takes it early is the store's test; here: it waits
	if got(6201) || len(recent) != 1 || recent[0].State != store.BroadcastConfirmed {
		t.Fatalf("the planned broadcast went out before its time: %+v", recent)
	}
	clk.set(time.Date(2026, 12, 8, 9, 0, 1, 0, berlin))
	waitFor(t, "the planned broadcast at its time", func() bool {
		for id := int64(6200); id < 6210; id++ {
			if !got(id) {
				return false
			}
		}
		return true
	})
}

// pressStaff presses a staff button by its data: on Telegram it carries a
// signature after "~", which the test does not know and need not.
func pressStaff(t *testing.T, api *telegramtest.Server, u telegramtest.User, messageID int, data string) {
	t.Helper()
	for _, m := range api.SentTo(u.ID) {
		if m.MessageID != messageID {
			continue
		}
		for _, row := range m.Buttons {
			for _, b := range row {
				if strings.HasPrefix(b.CallbackData, data+"~") {
					api.PressButton(u, messageID, b.CallbackData)
					return
				}
			}
		}
	}
	t.Fatalf("message %d has no signed button %q", messageID, data)
}
