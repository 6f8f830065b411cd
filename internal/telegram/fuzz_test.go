package telegram

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/go-telegram/bot/models"

	"github.com/integrationsagentur-marl/integrabot/internal/conversation"
	"github.com/integrationsagentur-marl/integrabot/internal/decide"
)

const fuzzStaff = 42

func fuzzStaffOnly(id int64) bool { return id == fuzzStaff }

// checkEvent holds for every update mapped to an event, whatever it holds.
func checkEvent(t *testing.T, upd *models.Update, in Incoming) {
	t.Helper()
	ev := in.Event
	if !in.Answer {
		if in.Event != (conversation.Event{}) || in.CallbackID != "" {
			t.Fatalf("an update not to answer carries an event: %+v", in)
		}
		return
	}
	if (ev.Role == conversation.RoleStaff) != (ev.UserID == fuzzStaff) {
		t.Fatalf("user %d has role %v", ev.UserID, ev.Role)
	}
	if ev.ChatID != in.ChatID {
		t.Fatalf("the event's chat %d is not the chat answered %d", ev.ChatID, in.ChatID)
	}
	if len(ev.Text) > maxText || (!utf8.ValidString(ev.Text) && utf8.ValidString(textOf(upd))) {
		t.Fatalf("text of %d bytes, valid UTF-8: %v", len(ev.Text), utf8.ValidString(ev.Text))
	}
	switch ev.Kind {
	case conversation.KindButton:
		q := upd.CallbackQuery
		if q == nil || ev.Data != q.Data || ev.UserID != q.From.ID || in.CallbackID != q.ID {
			t.Fatalf("a button press mapped to %+v", in)
		}
	case conversation.KindCommand:
		if ev.Command != strings.ToLower(ev.Command) || strings.Contains(ev.Command, "@") || strings.IndexFunc(ev.Command, unicode.IsSpace) >= 0 {
			t.Fatalf("command %q: not lower case, or still has @name or a space", ev.Command)
		}
		if ev.Text != strings.TrimSpace(ev.Text) {
			t.Fatalf("command argument %q is not trimmed", ev.Text)
		}
	}
	if m := upd.Message; m != nil && (m.From == nil || m.From.IsBot || ev.UserID != m.From.ID || ev.ChatID != m.Chat.ID) {
		t.Fatalf("message from %+v in chat %d mapped to %+v", m.From, m.Chat.ID, in)
	}
}

func textOf(u *models.Update) string {
	if u.Message != nil {
		return u.Message.Text + u.Message.Caption
	}
	return ""
}

var chatTypes = []models.ChatType{models.ChatTypePrivate, models.ChatTypeGroup, models.ChatTypeSupergroup, models.ChatTypeChannel, "other"}

// Whatever a message or button press holds, it maps to an event that keeps
// the sender, the chat and the button's data as they were.
func FuzzMap(f *testing.F) {
	f.Add("/start", "", int64(5), int64(5), uint8(0), true, false)
	f.Add("/start@IntegraBot contacts", "", int64(5), int64(-100), uint8(2), true, false)
	f.Add("/start@other", "", int64(5), int64(-100), uint8(1), true, false)
	f.Add("/HILFE\nbitte", "", int64(42), int64(42), uint8(0), true, false)
	f.Add("Wie ist die Telefonnummer?", "", int64(5), int64(5), uint8(0), false, false)
	f.Add("", "m:", int64(5), int64(5), uint8(0), false, true)
	f.Add("", "lang:de", int64(5), int64(0), uint8(0), false, true)
	f.Add("", "x:\x00\xff:"+strings.Repeat("9", 70), int64(-1), int64(5), uint8(3), false, true)
	f.Add("/", "", int64(0), int64(0), uint8(4), true, false)
	f.Add(strings.Repeat("ü", 3000), "", int64(5), int64(5), uint8(0), false, false)
	f.Fuzz(func(t *testing.T, text, data string, user, chat int64, chatType uint8, entity, button bool) {
		ct := chatTypes[int(chatType)%len(chatTypes)]
		var upd models.Update
		if button {
			q := &models.CallbackQuery{ID: "q1", From: models.User{ID: user, LanguageCode: "de"}, Data: data}
			if chat != 0 {
				q.Message.Message = &models.Message{ID: 3, Chat: models.Chat{ID: chat, Type: ct}}
			}
			upd = models.Update{ID: 1, CallbackQuery: q}
		} else {
			m := &models.Message{ID: 1, Chat: models.Chat{ID: chat, Type: ct}, From: &models.User{ID: user}, Text: text}
			if entity {
				m.Entities = []models.MessageEntity{{Type: models.MessageEntityTypeBotCommand, Offset: 0, Length: len(text)}}
			}
			upd = models.Update{ID: 1, Message: m}
		}
		// as the webhook and getUpdates see it: decoded from JSON
		body, err := json.Marshal(&upd)
		if err != nil {
			t.Fatal(err)
		}
		var decoded models.Update
		if err := json.Unmarshal(body, &decoded); err != nil {
			t.Fatalf("%s: %v", body, err)
		}
		in := Map(&decoded, "IntegraBot", fuzzStaffOnly, time.Now())
		checkEvent(t, &decoded, in)
		if button && !in.Answer {
			t.Fatalf("a button press is not answered: %+v", in)
		}
	})
}

// committing is a decider that commits everything and keeps the last event.
type committing struct{ last *conversation.Event }

func (c committing) Handle(_ context.Context, u decide.Update, _ bool) (decide.Result, error) {
	*c.last = u.Event
	return decide.Committed, nil
}

func (committing) Answer(context.Context, decide.Update) (decide.Result, error) {
	return decide.Direct, nil
}

type roundTrip func(*http.Request) (*http.Response, error)

func (f roundTrip) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// Whatever reaches the webhook, it answers 401 without the secret, 400 to
// anything that is not an update, and never 5xx or a crash.
func FuzzWebhook(f *testing.F) {
	const secret = "s3cret-Token_1"
	f.Add([]byte(`{"update_id":1,"message":{"message_id":1,"date":1,"chat":{"id":5,"type":"private"},"from":{"id":5,"is_bot":false,"first_name":"A"},"text":"Hilfe"}}`), "", true)
	f.Add([]byte(`{"update_id":2,"callback_query":{"id":"q","from":{"id":5,"is_bot":false,"first_name":"A"},"data":"m:","message":{"message_id":3,"date":1,"chat":{"id":5,"type":"private"}}}}`), "", true)
	f.Add([]byte(`{"update_id":3,"callback_query":{"id":"q","from":{"id":42,"is_bot":false,"first_name":"A"},"data":"x","message":{"message_id":3,"date":0,"chat":{"id":-100,"type":"supergroup"}}}}`), "", true)
	f.Add([]byte(`{"update_id":4,"message":{"message_id":1,"date":1,"chat":{"id":-100,"type":"group"},"from":{"id":5,"is_bot":false,"first_name":"A"},"text":"/start@IntegraBot x","entities":[{"type":"bot_command","offset":0,"length":17}]}}`), "", true)
	f.Add([]byte(`{"update_id":5,"my_chat_member":{"chat":{"id":5,"type":"private"},"from":{"id":5,"is_bot":false,"first_name":"A"},"date":1,"old_chat_member":{"status":"member","user":{"id":1,"is_bot":true,"first_name":"B"}},"new_chat_member":{"status":"kicked","user":{"id":1,"is_bot":true,"first_name":"B"},"until_date":0}}}`), "", true)
	f.Add([]byte(`{"update_id":0}`), "", true)
	f.Add([]byte(`{"update_id":-1,"message":null}`), "", true)
	f.Add([]byte(`{"update_id":"1"}`), "", true)
	f.Add([]byte(`[1,2,3]`), "", true)
	f.Add([]byte(``), "", true)
	f.Add([]byte("\xff\xfe{"), "", true)
	f.Add([]byte(`{"update_id":6,"message":{"message_id":1,"chat":{"id":5,"type":"private"},"text":"no sender"}}`), "", true)
	f.Add([]byte(`{"update_id":1}`), "", false)
	f.Add([]byte(`{"update_id":1}`), secret+"x", false)
	f.Add([]byte(`{"update_id":1}`), secret[:5], false)
	f.Add([]byte(`{"update_id":1}`), secret, false)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	// answerCallbackQuery is answered here, without a network
	api := &http.Client{Transport: roundTrip(func(r *http.Request) (*http.Response, error) {
		return &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"application/json"}},
			Body: io.NopCloser(strings.NewReader(`{"ok":true,"result":true}`)), Request: r}, nil
	})}
	signer := NewSigner("123:abc")
	f.Add([]byte(`{"update_id":7,"callback_query":{"id":"q","from":{"id":42,"is_bot":false,"first_name":"A"},"data":"`+signer.Sign("bc:ctl:cancelled:7-40")+`","message":{"message_id":3,"date":0,"chat":{"id":42,"type":"private"}}}}`), "", true)
	f.Add([]byte(`{"update_id":8,"callback_query":{"id":"q","from":{"id":42,"is_bot":false,"first_name":"A"},"data":"bc:ctl:cancelled:7-40~AAAAAAAA","message":{"message_id":3,"date":0,"chat":{"id":42,"type":"private"}}}}`), "", true)
	f.Fuzz(func(t *testing.T, body []byte, header string, right bool) {
		if right {
			header = secret
		}
		var seen conversation.Event
		u := NewUpdates(committing{&seen}, NewClient("http://127.0.0.1:1", "123:abc", api), nobody{}, fuzzStaffOnly, log, nil, time.Now).Signed(signer)
		u.SetUsername("IntegraBot")
		wh := NewWebhook("https://bot.example/hook", secret, u, time.Second, log, func() {})
		r := httptest.NewRequest(http.MethodPost, "/hook", bytes.NewReader(body))
		if header != "" {
			r.Header.Set("X-Telegram-Bot-Api-Secret-Token", header)
		}
		w := httptest.NewRecorder()
		wh.ServeHTTP(w, r)
		var upd models.Update
		valid := json.Unmarshal(body, &upd) == nil && upd.ID > 0
		switch {
		case header != secret:
			if w.Code != http.StatusUnauthorized {
				t.Fatalf("secret %q: status %d, want 401", header, w.Code)
			}
		case !valid && w.Code != http.StatusBadRequest:
			t.Fatalf("body %q: status %d, want 400", body, w.Code)
		case valid && w.Code != http.StatusOK:
			t.Fatalf("update %q: status %d, want 200", body, w.Code)
		}
		if valid {
			checkEvent(t, &upd, Map(&upd, "IntegraBot", fuzzStaffOnly, time.Now()))
		}
		// a staff button reaches the core only with the bot's own signature
		if header == secret && seen.Kind == conversation.KindButton && strings.HasPrefix(seen.Data, "bc:") &&
			seen.Data != Forged && signer.Sign(seen.Data) != upd.CallbackQuery.Data {
			t.Fatalf("button data %q reached the core as %q without a valid signature", upd.CallbackQuery.Data, seen.Data)
		}
	})
}

type nobody struct{}

func (nobody) SetGone(context.Context, int64, bool) error { return nil }

// Button data comes back from anyone who can press or craft a button: a
// staff button passes only with the bot's own signature, unchanged.
func FuzzVerify(f *testing.F) {
	s, other := NewSigner("123:abc"), NewSigner("123:abd")
	for _, d := range []string{"bc:send", "bc:ctl:cancelled:7-40", "bc:", "bc:~", "bc:x~~", "m:contacts", "l:tr", "", "~", "bc:aud:news~AAAAAAAA",
		s.Sign("bc:send"), other.Sign("bc:send"), s.Sign("bc:send") + "x", "bc:" + strings.Repeat("9", 60)} {
		f.Add(d)
	}
	f.Fuzz(func(t *testing.T, data string) {
		if got := s.Verify(s.Sign(data)); got != data {
			t.Fatalf("Verify(Sign(%q)) = %q", data, got)
		}
		if n := len(s.Sign(data)) - len(data); n != 0 && n != 1+sigLen {
			t.Fatalf("Sign(%q) adds %d bytes", data, n)
		}
		got := s.Verify(data)
		switch {
		case !needsSignature(data):
			if got != data {
				t.Fatalf("Verify(%q) = %q: changed data that needs no signature", data, got)
			}
		case got != Forged && s.Sign(got) != data:
			t.Fatalf("Verify(%q) = %q without a valid signature", data, got)
		case got != Forged && other.Verify(data) != Forged:
			t.Fatalf("%q passes with another token's key too", data)
		}
	})
}
