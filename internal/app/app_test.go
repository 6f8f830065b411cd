package app_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/integrationsagentur-marl/integrabot/internal/app"
	"github.com/integrationsagentur-marl/integrabot/internal/config"
	"github.com/integrationsagentur-marl/integrabot/internal/conversation"
	"github.com/integrationsagentur-marl/integrabot/internal/deliver"
	"github.com/integrationsagentur-marl/integrabot/internal/telegramtest"
)

const token = "123456789:AAE2eTestTokenNeverRealAbcdefghijklmnop"

// redisURL is the real Redis the end-to-end tests use (README: 127.0.0.1:6379).
func redisURL(t testing.TB) string {
	t.Helper()
	u := os.Getenv("REDIS_TEST_URL")
	if u == "" {
		u = "redis://127.0.0.1:6379/0"
	}
	o, _ := redis.ParseURL(u)
	rdb := redis.NewClient(o)
	defer rdb.Close()
	if err := rdb.Ping(context.Background()).Err(); err != nil {
		t.Fatalf("these tests need a real Redis at %s (start redis-server, or run .ci/run): %v", u, err)
	}
	return u
}

var (
	knowOnce sync.Once
	know     *app.Knowledge
	knowErr  error
)

func knowledge(t testing.TB) *app.Knowledge {
	knowOnce.Do(func() { know, knowErr = app.LoadKnowledge("", true) })
	if knowErr != nil {
		t.Fatal(knowErr)
	}
	return know
}

// syncBuffer collects log output safely from many goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

type harness struct {
	t      *testing.T
	api    *telegramtest.Server
	cfg    config.Config
	prefix string
	logs   *syncBuffer
	cancel context.CancelFunc
	done   chan error
	app    *app.App
}

// fastLimits let tests run at full speed against the fake (which enforces no limits unless asked).
var fastLimits = deliver.Limits{Rate: 1000, BulkRate: 1000, Burst: 100, PerChat: time.Millisecond, Group: time.Millisecond, MaxTries: 6, Workers: 16}

func start(t *testing.T, api *telegramtest.Server, prefix string) *harness {
	return startWith(t, api, prefix, "", fastLimits)
}

// startWithLimits runs the bot with the default limits, which keep to Telegram's.
func startWithLimits(t *testing.T, api *telegramtest.Server) *harness {
	return startWith(t, api, "", "", deliver.DefaultLimits(25, 20))
}

// startOn runs the bot on a Redis of the test's own.
func startOn(t *testing.T, api *telegramtest.Server, redisURL string) *harness {
	return startWith(t, api, "", redisURL, fastLimits)
}

func startWith(t *testing.T, api *telegramtest.Server, prefix, rURL string, limits deliver.Limits) *harness {
	t.Helper()
	return startWithOptions(t, api, prefix, rURL, app.Options{Limits: limits})
}

// startWithOptions runs the bot with opt (its poll timeout and key prefix
// are the tests').
func startWithOptions(t *testing.T, api *telegramtest.Server, prefix, rURL string, opt app.Options, edit ...func(*config.Config)) *harness {
	t.Helper()
	return startKnowing(t, api, prefix, rURL, knowledge(t), opt, edit...)
}

// startKnowing is startWithOptions with the content and languages of k.
func startKnowing(t *testing.T, api *telegramtest.Server, prefix, rURL string, k *app.Knowledge, opt app.Options, edit ...func(*config.Config)) *harness {
	t.Helper()
	if api == nil {
		api = telegramtest.New(token, telegramtest.WithBotUser(999, "integrabot"))
		t.Cleanup(api.Close)
	}
	if rURL == "" {
		rURL = redisURL(t)
	}
	if prefix == "" {
		prefix = fmt.Sprintf("ibtest:%d:", time.Now().UnixNano())
		t.Cleanup(func() { cleanRedis(rURL, prefix) })
	}
	h := &harness{t: t, api: api, prefix: prefix, logs: &syncBuffer{}, done: make(chan error, 1)}
	h.cfg = config.Config{Token: token, APIURL: api.URL, RedisURL: rURL, ListenAddr: "127.0.0.1:0"}
	for _, e := range edit {
		e(&h.cfg)
	}
	log := slog.New(slog.NewJSONHandler(h.logs, nil))
	opt.PollTimeout, opt.KeyPrefix = time.Second, prefix
	a, err := app.New(h.cfg, k, opt, log)
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

// stop sends the equivalent of SIGTERM and waits for a clean end.
func (h *harness) stop() {
	if h.cancel == nil {
		return
	}
	h.cancel()
	h.cancel = nil
	select {
	case err := <-h.done:
		if err != nil {
			h.t.Errorf("Run: %v", err)
		}
	case <-time.After(30 * time.Second):
		h.t.Error("the bot did not stop within 30 s of SIGTERM")
	}
	h.app.Close()
	if strings.Contains(h.logs.String(), token) {
		h.t.Errorf("the bot token appears in the log")
	}
}

func cleanRedis(url, prefix string) {
	o, _ := redis.ParseURL(url)
	rdb := redis.NewClient(o)
	defer rdb.Close()
	ctx := context.Background()
	keys, _ := rdb.Keys(ctx, prefix+"*").Result()
	if len(keys) > 0 {
		rdb.Del(ctx, keys...)
	}
}

// waitSent waits until chat has received at least n messages.
func (h *harness) waitSent(chat int64, n int) []telegramtest.Sent {
	h.t.Helper()
	return h.waitSentWithin(chat, n, 10*time.Second)
}

// waitSentWithin is waitSent for up to d.
func (h *harness) waitSentWithin(chat int64, n int, d time.Duration) []telegramtest.Sent {
	h.t.Helper()
	deadline := time.Now().Add(d)
	for {
		var got []telegramtest.Sent
		for _, s := range h.api.Sent() {
			if s.ChatID == chat {
				got = append(got, s)
			}
		}
		if len(got) >= n {
			return got
		}
		if time.Now().After(deadline) {
			h.t.Fatalf("chat %d got %d messages, want %d; rejected: %v", chat, len(got), n, h.api.Rejected())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func texts(ss []telegramtest.Sent) string {
	var b strings.Builder
	for _, s := range ss {
		b.WriteString(s.Method + ": " + s.Text)
		if s.Contact != nil {
			b.WriteString(" [" + s.Contact.FirstName + " " + s.Contact.LastName + " " + s.Contact.PhoneNumber + "]")
		}
		for _, row := range s.Buttons {
			for _, btn := range row {
				b.WriteString(" [" + btn.Text + "|" + btn.CallbackData + btn.URL + "]")
			}
		}
		b.WriteString("\n")
	}
	return b.String()
}

func mustContain(t *testing.T, got string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(got, w) {
			t.Errorf("missing %q in:\n%s", w, got)
		}
	}
}

func TestResidentOnTelegram(t *testing.T) {
	h := start(t, nil, "")
	olena := telegramtest.User{ID: 501, FirstName: "Olena", LanguageCode: "uk"}
	h.api.SendText(olena, "/start")
	got := texts(h.waitSent(501, 1))
	mustContain(t, got, "Integrationsagentur", "|m:contacts]")
	if strings.Contains(got, "Здравствуйте") {
		t.Errorf("a Ukrainian resident was answered in Russian:\n%s", got)
	}

	press := h.api.PressButton(olena, h.waitSent(501, 1)[0].MessageID, "m:contacts")
	contacts := h.waitSent(501, 2)[1]
	mustContain(t, texts([]telegramtest.Sent{contacts}), "Jens Flachmeier", "+49 151 17466885", "|cards]")
	if _, ok := h.api.AnswerTo(press); !ok {
		t.Error("the button press was not answered: the resident's app keeps showing a spinner")
	}
	h.api.PressButton(olena, contacts.MessageID, "cards") // save the numbers to the phone book
	got = texts(h.waitSent(501, 4)[2:])
	mustContain(t, got, "sendContact: ", "[Jens Flachmeier +4915117466885]", "[Martin Heermann +49236130295140]")

	h.api.SendText(olena, "коли наступна зустріч?")
	got = texts(h.waitSent(501, 5)[4:])
	mustContain(t, got, "|e:sample-cafe]")

	if r := h.api.Rejected(); len(r) > 0 {
		t.Errorf("Telegram would have rejected: %v", r)
	}
	// the command menu is set in every language Telegram knows, German by default
	if c := h.api.Commands("uk"); len(c) != len(conversation.Commands) || c[0].Command != "start" || c[0].Description == h.api.Commands("")[0].Description {
		t.Errorf("Ukrainian command menu = %+v", c)
	}
	if c := h.api.Commands(""); len(c) == 0 || !strings.Contains(c[0].Description, "Neu") {
		t.Errorf("default command menu = %+v", c)
	}
}

// The language a resident chooses is kept in Redis across a restart.
func TestLanguageChoiceSurvivesRestart(t *testing.T) {
	api := telegramtest.New(token, telegramtest.WithBotUser(999, "integrabot"))
	defer api.Close()
	prefix := fmt.Sprintf("ibtest:%d:", time.Now().UnixNano())
	defer cleanRedis(redisURL(t), prefix)
	ayse := telegramtest.User{ID: 502, FirstName: "Ayşe", LanguageCode: "de"}

	h := start(t, api, prefix)
	api.SendText(ayse, "/language")
	first := h.waitSent(502, 1)
	api.PressButton(ayse, first[0].MessageID, "l:tr")
	mustContain(t, texts(h.waitSent(502, 2)[1:]), "Türkçe")
	h.stop()

	h2 := start(t, api, prefix)
	api.SendText(ayse, "/help")
	got := texts(h2.waitSent(502, 3)[2:])
	if !strings.Contains(got, knowledge(t).Catalog.T("tr", "help.text")[:20]) {
		t.Errorf("after a restart the resident is not answered in Turkish:\n%s", got)
	}
}

// Odd updates never crash the bot nor produce a request Telegram rejects.
func TestOddUpdates(t *testing.T) {
	h := start(t, nil, "")
	u := telegramtest.User{ID: 503, FirstName: "Sam", LanguageCode: "en"}
	h.api.SendText(u, "/start") // so that the chat exists
	h.waitSent(503, 1)
	odd := []any{
		map[string]any{"message": map[string]any{"message_id": 90, "date": 1, "chat": map[string]any{"id": 503, "type": "private"}, "from": map[string]any{"id": 503, "is_bot": false, "first_name": "Sam", "language_code": "en"}, "sticker": map[string]any{"file_id": "x", "file_unique_id": "y", "type": "regular", "width": 1, "height": 1, "is_animated": false, "is_video": false}}},
		map[string]any{"edited_message": map[string]any{"message_id": 91, "date": 1, "edit_date": 2, "chat": map[string]any{"id": 503, "type": "private"}, "from": map[string]any{"id": 503, "is_bot": false, "first_name": "Sam"}, "text": "edited"}},
		map[string]any{"channel_post": map[string]any{"message_id": 92, "date": 1, "chat": map[string]any{"id": -100500, "type": "channel", "title": "c"}, "text": "post"}},
		map[string]any{"callback_query": map[string]any{"id": "cb-old", "from": map[string]any{"id": 503, "is_bot": false, "first_name": "Sam", "language_code": "en"}, "chat_instance": "1", "data": "m:help", "message": map[string]any{"message_id": 1, "date": 0, "chat": map[string]any{"id": 503, "type": "private"}}}},
	}
	for _, o := range odd {
		h.api.PushUpdate(o)
	}
	h.api.SendText(u, strings.Repeat("<b>&amp; long text ", 2000)) // far over 4096 characters
	h.api.SendText(u, "你好，电话号码是多少？")                               // a script the bot does not speak
	h.api.SendGroupText(-200, u, "hello everyone")                 // group chatter: no answer
	h.api.SendGroupText(-200, u, "/contacts@otherbot")             // another bot's command: no answer
	h.api.SendGroupText(-200, u, "/contacts@integrabot")           // ours: answer
	got := texts(h.waitSent(503, 5))
	mustContain(t, got, "I can only read text", "Sorry, I did not understand")
	group := texts(h.waitSent(-200, 1))
	mustContain(t, group, "Flachmeier")
	h.api.SendGroupText(-200, u, "/help@integrabot") // a barrier: its answer comes after anything the chatter drew
	mustContain(t, texts(h.waitSent(-200, 2)[1:]), "/language")
	if n := len(h.waitSent(-200, 2)); n != 2 { // the contacts, then the help
		t.Errorf("group got %d messages, want 2 (only for the bot's own commands):\n%s", n, texts(h.waitSent(-200, 1)))
	}
	for _, r := range h.api.Rejected() {
		if r.Method != "answerCallbackQuery" { // the too-old button press cannot be answered; Telegram says so and the bot goes on
			t.Errorf("Telegram would have rejected: %v", r)
		}
	}
}

// Telegram failing for a moment (429, 5xx) delays a reply but never loses it;
// a resident who blocked the bot does not stop the others.
func TestTelegramFailuresAreRetried(t *testing.T) {
	h := start(t, nil, "")
	a := telegramtest.User{ID: 504, FirstName: "A", LanguageCode: "de"}
	b := telegramtest.User{ID: 505, FirstName: "B", LanguageCode: "de"}
	h.api.SendText(a, "/start")
	h.waitSent(504, 1)
	h.api.SendText(b, "/start")
	h.waitSent(505, 1)

	h.api.FailNext("sendMessage", 1, 429, "Too Many Requests: retry after 1", 1)
	h.api.FailNext("sendMessage", 2, 502, "Bad Gateway", 0)
	h.api.SendText(a, "Hilfe")
	mustContain(t, texts(h.waitSent(504, 2)[1:]), "Tippen Sie")

	h.api.Block(504)
	h.api.SendText(a, "Hilfe")
	h.api.SendText(b, "Hilfe")
	mustContain(t, texts(h.waitSent(505, 2)[1:]), "Tippen Sie")
	if logs := h.logs.String(); strings.Contains(logs, "Tippen Sie") || strings.Contains(logs, "Hilfe") {
		t.Errorf("message contents in the log:\n%s", logs)
	}
}

// SIGTERM while updates are in flight: every update fetched is answered and
// confirmed, so that nothing is answered twice after a restart.
func TestShutdownDrainsAndConfirms(t *testing.T) {
	api := telegramtest.New(token, telegramtest.WithBotUser(999, "integrabot"))
	defer api.Close()
	h := start(t, api, "")
	for i := 0; i < 30; i++ {
		api.SendText(telegramtest.User{ID: int64(600 + i), FirstName: "R", LanguageCode: "de"}, "Telefon")
	}
	h.waitSent(600, 1) // the updates are being answered
	h.stop()
	for i := 0; i < 30; i++ {
		h.waitSent(int64(600+i), 1)
	}
	if p := api.Pending(); p != 0 {
		t.Errorf("%d updates left unconfirmed after a clean stop", p)
	}
}

// A resident whose answers wait (they wrote faster than Telegram lets a bot
// answer one chat) holds up nobody else: a resident who writes meanwhile is
// answered at once, not after the first one's queue.
func TestOneSlowChatDoesNotHoldUpOthers(t *testing.T) {
	api := telegramtest.New(token, telegramtest.WithBotUser(999, "integrabot"))
	defer api.Close()
	h := startWithLimits(t, api) // 1 message a second per chat after a burst of 3
	fast := telegramtest.User{ID: 650, FirstName: "A", LanguageCode: "de"}
	for i := 0; i < 7; i++ {
		api.SendText(fast, "Hilfe")
	}
	h.waitSent(650, 1)
	other := telegramtest.User{ID: 651, FirstName: "B", LanguageCode: "de"}
	api.SendText(other, "Hilfe")
	answered := h.waitSent(651, 1)[0].At
	all := h.waitSent(650, 7)
	if last := all[6].At; !answered.Before(last) {
		t.Errorf("the other resident was answered at %v, after the fast writer's last answer at %v", answered, last)
	}
	if waited := answered.Sub(all[0].At); waited > time.Second {
		t.Errorf("the other resident waited %v behind the fast writer", waited)
	}
}

func TestReadyz(t *testing.T) {
	h := start(t, nil, "")
	waitFor(t, "/readyz answers 200", func() bool {
		if h.app.Addr() == "" {
			return false
		}
		resp, err := http.Get("http://" + h.app.Addr() + "/readyz")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	})
}

func TestWrongTokenStopsWithClearError(t *testing.T) {
	api := telegramtest.New("999:AAOtherTokenThanTheBotsOwnAbcdefghijk", telegramtest.WithBotUser(999, "integrabot"))
	defer api.Close()
	cfg := config.Config{Token: token, APIURL: api.URL, RedisURL: redisURL(t), ListenAddr: "127.0.0.1:0"}
	logs := &syncBuffer{}
	a, err := app.New(cfg, knowledge(t), app.Options{PollTimeout: time.Second}, slog.New(slog.NewJSONHandler(logs, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err = a.Run(ctx)
	if err == nil || !strings.Contains(err.Error(), "rejected the bot token") {
		t.Fatalf("Run = %v, want the token rejected", err)
	}
	if strings.Contains(err.Error()+logs.String(), token) {
		t.Error("the token appears in the error or the log")
	}
}

// /metrics shows what the bot did, without ids or texts.
func TestMetrics(t *testing.T) {
	h := start(t, nil, "")
	h.api.SendText(telegramtest.User{ID: 520, FirstName: "M", LanguageCode: "de"}, "Telefonnummer von Jens?")
	h.waitSent(520, 1)
	var body string
	waitFor(t, "metrics", func() bool {
		resp, err := http.Get("http://" + h.app.Addr() + "/metrics")
		if err != nil {
			return false
		}
		data, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		body = string(data)
		// the fake has the message before the worker has Telegram's answer
		// and counts it: wait for the counts, not only for the message
		return strings.Contains(body, `integrabot_updates_total{outcome="answered",type="message"} 1`) &&
			strings.Contains(body, `integrabot_messages_total{outcome="sent"} 1`)
	})
	mustContain(t, body, `integrabot_telegram_api_calls_total{method="sendMessage",result="ok"} 1`, `integrabot_messages_total{outcome="sent"} 1`, "integrabot_update_handling_seconds_count")
	if strings.Contains(body, `"520"`) || strings.Contains(body, "Jens") { // as a label value; plain numbers occur in process metrics
		t.Error("an id or a text in the metrics")
	}
}
