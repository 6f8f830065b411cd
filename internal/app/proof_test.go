package app_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/integrationsagentur-marl/integrabot/internal/app"
	"github.com/integrationsagentur-marl/integrabot/internal/config"
	"github.com/integrationsagentur-marl/integrabot/internal/deliver"
	"github.com/integrationsagentur-marl/integrabot/internal/telegramtest"
)

// telegramLimits makes the fake enforce Telegram's limits: 30 messages a
// second in all (rolling), 1 a second per chat, 20 a minute per group.
func telegramLimits() *telegramtest.Server {
	return telegramtest.New(token, telegramtest.WithBotUser(999, "integrabot"), telegramtest.WithRateLimits(30, 1, 20))
}

// tooMany lists the sends Telegram answered with 429.
func tooMany(api *telegramtest.Server) []telegramtest.Rejection {
	var out []telegramtest.Rejection
	for _, r := range api.Rejected() {
		if r.Status == http.StatusTooManyRequests && strings.HasPrefix(r.Method, "send") {
			out = append(out, r)
		}
	}
	return out
}

// A resident who sends 150 messages in a burst and a group flooded with 60
// commands cost the other residents nothing: each is answered within a
// second of writing.
func TestFloodCostsOthersNothing(t *testing.T) {
	api := telegramLimits()
	defer api.Close()
	h := startWithLimits(t, api)
	h.api.SendText(telegramtest.User{ID: 1090, FirstName: "W", LanguageCode: "de"}, "/start")
	h.waitSent(1090, 1) // the bot is up
	flooder := telegramtest.User{ID: 1100, FirstName: "F", LanguageCode: "de"}
	for i := 0; i < 150; i++ {
		api.SendText(flooder, "Hilfe")
	}
	for i := 0; i < 60; i++ {
		api.SendGroupText(-1200, telegramtest.User{ID: int64(1300 + i%6), FirstName: "G", LanguageCode: "de"}, "/help@integrabot")
	}
	for r := int64(0); r < 10; r++ {
		u := telegramtest.User{ID: 1400 + r, FirstName: "R", LanguageCode: "de"}
		wrote := time.Now()
		api.SendText(u, "Wann ist das nächste Treffen?")
		if waited := h.waitSent(u.ID, 1)[0].At.Sub(wrote); waited > time.Second {
			t.Errorf("resident %d waited %v behind the flood, want at most 1 s", u.ID, waited)
		}
	}
	if n := len(tooMany(api)); n > 0 {
		t.Errorf("Telegram answered 429 %d times", n)
	}
}

// 80 residents write 40 updates a second in all for 5 s, more than the bot
// may send: every update is answered, in the order residents wrote, no
// first answer waits without bound, and Telegram never answers 429.
func TestNoTooManyRequestsWhenResidentsWriteFasterThanTheBotMaySend(t *testing.T) {
	api := telegramLimits()
	defer api.Close()
	h := startWithLimits(t, api)
	const residents, perSecond, seconds = 80, 40, 5
	questions := []string{"Hallo", "Telefon", "Was bietet ihr an?", "Wann ist das nächste Treffen?"}
	wrote := map[int64][]time.Time{}
	start := time.Now()
	for i := 0; i < perSecond*seconds; i++ {
		time.Sleep(time.Until(start.Add(time.Duration(i) * time.Second / perSecond)))
		id := int64(1500 + i%residents)
		wrote[id] = append(wrote[id], time.Now())
		api.SendText(telegramtest.User{ID: id, FirstName: "R", LanguageCode: "de"}, questions[(i/residents)%len(questions)])
	}
	var worst time.Duration
	for id, times := range wrote {
		got := h.waitSentWithin(id, len(times), 30*time.Second)
		for i, at := range times {
			worst = max(worst, got[i].At.Sub(at))
		}
	}
	if n := len(tooMany(api)); n > 0 {
		t.Errorf("Telegram answered 429 %d times", n)
	}
	if worst > 10*time.Second {
		t.Errorf("the longest wait for an answer was %v", worst)
	}
	t.Logf("200 updates at 40/s: the longest wait for an answer %v", worst)
}

// No rolling second carries more than the rate, across any boundary.
func TestNoBurstAboveTheRate(t *testing.T) {
	h := startWithLimits(t, nil) // the fake enforces nothing: this measures what the bot does
	for r := int64(0); r < 80; r++ {
		h.api.SendText(telegramtest.User{ID: 1700 + r, FirstName: "R", LanguageCode: "de"}, "/start")
	}
	var at []time.Time
	for r := int64(0); r < 80; r++ {
		at = append(at, h.waitSent(1700+r, 1)[0].At)
	}
	sort.Slice(at, func(i, j int) bool { return at[i].Before(at[j]) })
	most := 0
	for i := range at {
		n := 0
		for j := i; j < len(at) && at[j].Sub(at[i]) < time.Second; j++ {
			n++
		}
		most = max(most, n)
	}
	if most > 26 { // SEND_RATE 25, and the first of the next second
		t.Errorf("%d messages within one second; the rate is 25", most)
	}
}

// A menu a resident opens in a group never changes what a number typed in
// their private chat picks: before, "1" after /privacy in a group deleted
// their data.
func TestGroupMenusDoNotTouchThePrivateChat(t *testing.T) {
	h := start(t, nil, "")
	u := telegramtest.User{ID: 1800, FirstName: "P", LanguageCode: "de"}
	h.api.SendText(u, "/contacts")
	h.waitSent(1800, 1)
	h.api.SendGroupText(-1801, u, "/privacy@integrabot")
	h.waitSent(-1801, 1)
	h.api.SendText(u, "1") // the first button of the private chat's last screen
	got := texts(h.waitSent(1800, 2)[1:])
	if strings.Contains(got, knowledge(t).Catalog.T("de", "privacy.deleted")) {
		t.Fatalf("typing 1 in the private chat deleted the resident's data:\n%s", got)
	}
	mustContain(t, got, "sendContact: ", "Flachmeier")
}

// A group that removed the bot is dropped; the residents in it are not
// marked as having blocked the bot, and their own chats go on.
func TestAGoneGroupMarksNobody(t *testing.T) {
	h := start(t, nil, "")
	u := telegramtest.User{ID: 1900, FirstName: "G", LanguageCode: "de"}
	h.api.SendText(u, "/start")
	h.waitSent(1900, 1)
	h.api.SendGroupText(-1901, u, "/start")
	h.waitSent(-1901, 1)
	h.api.Block(-1901) // kicked from the group
	h.api.SendGroupText(-1901, u, "/help@integrabot")
	waitFor(t, "the group's 403", func() bool { return len(h.api.Rejected()) > 0 })
	h.api.SendText(u, "Hilfe")
	mustContain(t, texts(h.waitSent(1900, 2)[1:]), "/language")
	rdb := rawRedis(t)
	ctx := context.Background()
	if rdb.Exists(ctx, h.prefix+"{u1900}:gone").Val() == 1 || rdb.SIsMember(ctx, h.prefix+"inactive", "1900").Val() {
		t.Error("a resident was marked as having blocked the bot because a group removed it")
	}
}

// A message that fails is sent again from where it failed: a retry never
// decides the update again (a typed number stays the choice on the screen
// it was typed on), and what was sent is not sent twice.
func TestFailedSendsResumeWhereTheyFailed(t *testing.T) {
	h := start(t, nil, "")
	u := telegramtest.User{ID: 2000, FirstName: "S", LanguageCode: "de"}
	h.api.SendText(u, "/start")
	h.waitSent(2000, 1)
	h.api.FailNext("sendMessage", 2, 502, "", 0)
	h.api.SendText(u, "2") // the second button of the main menu: contacts
	contacts := h.waitSent(2000, 2)[1]
	mustContain(t, texts([]telegramtest.Sent{contacts}), "Flachmeier", "|cards]")

	h.api.FailAfter("sendContact", 1, 2, 502, "", 0) // the second card fails twice
	h.api.PressButton(u, contacts.MessageID, "cards")
	h.api.SendText(u, "Hilfe") // a barrier: answered after both cards
	got := h.waitSent(2000, 5)[2:]
	if got[0].Contact == nil || got[1].Contact == nil || got[0].Contact.PhoneNumber == got[1].Contact.PhoneNumber {
		t.Errorf("want the two cards once each, then the help:\n%s", texts(got))
	}
	mustContain(t, texts(got[2:]), "/language")
	if n := len(h.waitSent(2000, 5)); n != 5 {
		t.Errorf("%d messages, want 5:\n%s", n, texts(h.waitSent(2000, 5)))
	}
}

// With Redis away a resident who chose Turkish is answered in Turkish.
func TestRedisAwayKeepsTheLanguage(t *testing.T) {
	srv, url := ownRedis(t)
	h := startOn(t, nil, url)
	u := telegramtest.User{ID: 2100, FirstName: "T", LanguageCode: "de"}
	h.api.SendText(u, "/language")
	picker := h.waitSent(2100, 1)[0]
	h.api.PressButton(u, picker.MessageID, "l:tr")
	h.waitSent(2100, 2)
	srv.stop()
	h.api.SendText(u, "/help")
	got := texts(h.waitSent(2100, 3)[2:])
	if want := knowledge(t).Catalog.T("tr", "help.text")[:20]; !strings.Contains(got, want) {
		t.Errorf("with Redis away the answer is not in Turkish:\n%s", got)
	}
}

// Two replicas share the chat's pace and a 429's pause: a resident who
// writes quickly gets one answer a second whichever replica answers, and
// after Telegram asked to wait, neither replica sends before the time.
func TestReplicasShareLimits(t *testing.T) {
	api := telegramtest.New(token, telegramtest.WithBotUser(999, "integrabot"), telegramtest.WithRateLimits(30, 1, 20), telegramtest.WithWebhookRetryDelay(10*time.Millisecond))
	defer api.Close()
	b := twoReplicas(t, api, deliver.DefaultLimits(25, 20))
	h := &harness{t: t, api: api}

	quick := telegramtest.User{ID: 2200, FirstName: "Q", LanguageCode: "de"}
	for i := 0; i < 5; i++ {
		api.SendText(quick, "Hilfe")
	}
	got := h.waitSentWithin(2200, 5, 20*time.Second)
	if n := len(tooMany(api)); n > 0 {
		t.Errorf("one resident's answers drew %d 429s across two replicas: %v\n%v", n, tooMany(api), func() (o []string) {
			for _, s := range got {
				o = append(o, s.At.Format("05.000"))
			}
			return
		}())
	}
	if b.served[0].Load() == 0 || b.served[1].Load() == 0 {
		t.Errorf("one replica served everything: %d and %d", b.served[0].Load(), b.served[1].Load())
	}
	for i := 1; i < len(got); i++ {
		if gap := got[i].At.Sub(got[i-1].At); gap < time.Second {
			t.Errorf("two answers %v apart in one chat", gap)
		}
	}

	api.FailNext("sendMessage", 1, 429, "", 2)
	for r := int64(0); r < 6; r++ {
		api.SendText(telegramtest.User{ID: 2300 + r, FirstName: "R", LanguageCode: "de"}, "Hilfe")
	}
	var sent []telegramtest.Sent
	for r := int64(0); r < 6; r++ {
		sent = append(sent, h.waitSentWithin(2300+r, 1, 20*time.Second)[0])
	}
	// Messages are taken up to a burst at once (DefaultLimits), so those
	// taken with the one that drew the 429 may already be on their way and
	// arrive just after it: at most a burst's worth, within a moment. Nothing
	// taken once a replica knows of the pause goes before it ends.
	pause := tooMany(api)[0].At
	burst := deliver.DefaultLimits(25, 20).Burst
	var during []time.Duration
	for _, s := range sent {
		if s.At.After(pause) && s.At.Before(pause.Add(2*time.Second-100*time.Millisecond)) {
			during = append(during, s.At.Sub(pause))
		}
	}
	if len(during) > burst || len(during) > 0 && slices.Max(during) > 100*time.Millisecond {
		var all []time.Duration
		for _, s := range api.Sent() {
			all = append(all, s.At.Sub(pause))
		}
		t.Errorf("messages went %v after Telegram asked the bot to wait 2 s (a burst is %d); all sends: %v", during, burst, all)
	}
}

func TestWebhookBeforeTheBotKnowsItsName(t *testing.T) {
	api := telegramtest.New(token, telegramtest.WithBotUser(999, "integrabot"), telegramtest.WithWebhookRetryDelay(20*time.Millisecond))
	defer api.Close()
	prefix := fmt.Sprintf("ibtest:%d:", time.Now().UnixNano())
	defer cleanRedis(redisURL(t), prefix)
	addr := freeAddr(t)
	hook := "http://" + addr + "/telegram"
	body, _ := jsonBody(map[string]any{"url": hook, "secret_token": secret})
	resp, err := http.Post(api.URL+"/bot"+token+"/setWebhook", "application/json", body)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	api.FailNext("getMe", 3, 502, "", 0) // the bot learns its name only after a while
	u := telegramtest.User{ID: 2400, FirstName: "W", LanguageCode: "de"}
	api.SendGroupText(-2401, u, "/help@integrabot")
	startReplicaAt(t, api, hook, prefix, addr)
	h := &harness{t: t, api: api}
	mustContain(t, texts(h.waitSentWithin(-2401, 1, 20*time.Second)), "/language")
}

func jsonBody(v map[string]any) (*bytes.Buffer, error) {
	var parts []string
	for k, val := range v {
		parts = append(parts, fmt.Sprintf("%q:%q", k, fmt.Sprint(val)))
	}
	return bytes.NewBufferString("{" + strings.Join(parts, ",") + "}"), nil
}

// Without REDIS_URL the bot serves on the embedded store: the same scripts
// run on miniredis, answers go out, buttons and pace work.
func TestServesOnTheEmbeddedStore(t *testing.T) {
	api := telegramtest.New(token, telegramtest.WithBotUser(999, "integrabot"), telegramtest.WithRateLimits(30, 1, 20))
	defer api.Close()
	cfg := config.Config{Token: token, APIURL: api.URL, ListenAddr: "127.0.0.1:0"}
	a, err := app.New(cfg, knowledge(t), app.Options{PollTimeout: time.Second}, slog.New(slog.NewJSONHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx) }()
	defer func() { cancel(); <-done; a.Close() }()
	h := &harness{t: t, api: api}
	u := telegramtest.User{ID: 2500, FirstName: "E", LanguageCode: "de"}
	api.SendText(u, "Telefon")
	contacts := h.waitSent(2500, 1)[0]
	api.PressButton(u, contacts.MessageID, "cards")
	api.SendText(u, "Hilfe")
	got := h.waitSent(2500, 4)
	mustContain(t, texts(got), "Flachmeier", "sendContact: ", "/language")
	if n := len(tooMany(api)); n > 0 {
		t.Errorf("%d 429s on the embedded store", n)
	}
}

// Staff edit the content folder and the bot reloads it (SIGHUP): valid
// content answers at once; a broken folder keeps the content in use, and
// the error names file and line.
func TestReloadKeepsTheContentInUseWhenBroken(t *testing.T) {
	dir := contentFolder(t, nil)
	load := func() (*app.Knowledge, error) { return app.LoadKnowledge(dir, false) }
	h := start(t, nil, "")
	u := telegramtest.User{ID: 2600, FirstName: "S", LanguageCode: "de"}
	h.api.SendText(u, "/services")
	mustContain(t, texts(h.waitSent(2600, 1)), "Ehrenamt stärken")

	services := filepath.Join(dir, "services.yaml")
	data, _ := os.ReadFile(services)
	if err := os.WriteFile(services, []byte(strings.Replace(string(data), `de: "Ehrenamt stärken"`, `de: "Ehrenamt – neu"`, 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := h.app.Reload(load); err != nil {
		t.Fatalf("valid content not reloaded: %v", err)
	}
	h.api.SendText(u, "/services")
	mustContain(t, texts(h.waitSent(2600, 2)[1:]), "Ehrenamt – neu")

	if err := os.WriteFile(services, []byte("- id: [broken\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	err := h.app.Reload(load)
	if err == nil || !strings.Contains(err.Error(), "services.yaml") {
		t.Fatalf("broken content: %v, want the problem named", err)
	}
	h.api.SendText(u, "/services")
	mustContain(t, texts(h.waitSent(2600, 3)[2:]), "Ehrenamt – neu")
}

// "Add to calendar" under an encounter sends its next date as an .ics file
// through the same way out as every answer.
func TestCalendarFileOnTelegram(t *testing.T) {
	h := start(t, nil, "")
	u := telegramtest.User{ID: 2800, FirstName: "K", LanguageCode: "uk"}
	h.api.SendText(u, "/events")
	list := h.waitSent(2800, 1)[0]
	h.api.PressButton(u, list.MessageID, "e:sample-cafe")
	page := h.waitSent(2800, 2)[1]
	mustContain(t, texts([]telegramtest.Sent{page}), "|ics:sample-cafe]")
	h.api.PressButton(u, page.MessageID, "ics:sample-cafe")
	file := h.waitSent(2800, 3)[2]
	if file.Method != "sendDocument" || file.Document == nil || !strings.HasSuffix(file.Document.FileName, ".ics") {
		t.Fatalf("want an .ics document, got %s %+v", file.Method, file.Document)
	}
	ics := string(file.Document.Data)
	for _, want := range []string{"BEGIN:VCALENDAR", "DTSTART;TZID=Europe/Berlin:", "SUMMARY:Приклад: мовне кафе", "UID:sample-cafe-"} {
		if !strings.Contains(ics, want) {
			t.Errorf("%q missing in the file:\n%s", want, ics)
		}
	}
	if !strings.Contains(file.Document.Caption, "Приклад: мовне кафе") {
		t.Errorf("caption %q", file.Document.Caption)
	}
	for _, r := range h.api.Rejected() {
		t.Errorf("Telegram would have rejected: %v", r)
	}
}
