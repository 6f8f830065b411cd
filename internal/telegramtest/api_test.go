package telegramtest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"
)

func TestRoutingAndEnvelope(t *testing.T) {
	srv := newServer(t)
	ctx := context.Background()

	wrong, err := bot.New("123456:WRONG", bot.WithServerURL(srv.URL), bot.WithSkipGetMe())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := wrong.GetMe(ctx); !errors.Is(err, bot.ErrorUnauthorized) {
		t.Fatalf("wrong token: %v", err)
	}

	status, env := callJSON(t, ctx, srv, "sendMessagee", map[string]any{"chat_id": 1, "text": "x"})
	if status != 404 || env.Description != "Not Found" {
		t.Fatalf("unknown method: %d %+v", status, env)
	}
	resp, err := plainClient.Get(srv.URL + "/nothing")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 404 {
		t.Fatalf("foreign path: %d", resp.StatusCode)
	}

	// Method names are case-insensitive; parameters come as JSON, form or
	// query string alike.
	srv.SendText(ann, "hi")
	if status, env := callJSON(t, ctx, srv, "SENDMESSAGE", map[string]any{"chat_id": ann.ID, "text": "json"}); status != 200 || !env.OK {
		t.Fatalf("json body: %d %+v", status, env)
	}
	if status, env := callForm(t, srv, "sendMessage", url.Values{"chat_id": {"42"}, "text": {"form"}}); status != 200 || !env.OK {
		t.Fatalf("form body: %d %+v", status, env)
	}
	req, _ := http.NewRequest(http.MethodGet, srv.URL+"/bot"+srv.Token+"/sendMessage?chat_id=42&text=query", nil)
	if status, env := do(t, req); status != 200 || !env.OK {
		t.Fatalf("query string: %d %+v", status, env)
	}
	var texts []string
	for _, s := range srv.Sent() {
		texts = append(texts, s.Text)
	}
	if strings.Join(texts, ",") != "json,form,query" {
		t.Fatalf("sent = %v", texts)
	}
	if srv.Calls("sendmessage") != 3 || srv.Calls("getMe") != 1 || srv.Calls("sendMessagee") != 1 {
		t.Fatalf("calls: %d %d", srv.Calls("sendMessage"), srv.Calls("getMe"))
	}
	rej := srv.Rejected()
	if len(rej) != 2 || rej[0].Status != 401 || rej[0].Description != "Unauthorized" || rej[1].Status != 404 {
		t.Fatalf("rejected = %+v", rej)
	}

	me, err := newBot(t, srv).GetMe(ctx)
	if err != nil || !me.IsBot || me.ID != 123456 || me.Username != "test_bot" {
		t.Fatalf("getMe = %+v, %v", me, err)
	}
}

func TestSendMessageIsCheckedLikeTelegram(t *testing.T) {
	srv := newServer(t)
	b := newBot(t, srv)
	ctx := context.Background()
	srv.SendText(ann, "/start")
	srv.SendText(User{ID: 7, FirstName: "Bob"}, "hello")
	srv.Block(7)
	srv.SendGroupText(-100, User{ID: 8, FirstName: "Carl"}, "moin")

	tests := []struct {
		name   string
		params bot.SendMessageParams
		is     error
		desc   string
		text   string // accepted: the text as the user sees it
	}{
		{name: "plain", params: bot.SendMessageParams{ChatID: ann.ID, Text: "Hallo"}, text: "Hallo"},
		{name: "html", params: bot.SendMessageParams{ChatID: ann.ID, Text: "<b>Termin</b> am 3.&#160;Mai &lt;Raum 2&gt;", ParseMode: models.ParseModeHTML},
			text: "Termin am 3.\u00a0Mai <Raum 2>"},
		{name: "trimmed", params: bot.SendMessageParams{ChatID: ann.ID, Text: "\n  Hallo \n\n"}, text: "Hallo"},
		{name: "4096 UTF-16 units", params: bot.SendMessageParams{ChatID: ann.ID, Text: strings.Repeat("😀", 2048)}, text: strings.Repeat("😀", 2048)},
		{name: "to a group", params: bot.SendMessageParams{ChatID: -100, Text: "Gruppe"}, text: "Gruppe"},
		{name: "by string chat id", params: bot.SendMessageParams{ChatID: "42", Text: "s"}, text: "s"},
		{name: "unknown chat", params: bot.SendMessageParams{ChatID: 999, Text: "x"}, is: bot.ErrorBadRequest, desc: "Bad Request: chat not found"},
		{name: "user seen only in a group", params: bot.SendMessageParams{ChatID: 8, Text: "x"}, is: bot.ErrorForbidden,
			desc: "Forbidden: bot can't initiate conversation with a user"},
		{name: "no chat id", params: bot.SendMessageParams{ChatID: "", Text: "x"}, is: bot.ErrorBadRequest, desc: "Bad Request: chat_id is empty"},
		{name: "empty text", params: bot.SendMessageParams{ChatID: ann.ID, Text: ""}, is: bot.ErrorBadRequest, desc: "Bad Request: message text is empty"},
		{name: "whitespace only", params: bot.SendMessageParams{ChatID: ann.ID, Text: " \n "}, is: bot.ErrorBadRequest, desc: "Bad Request: message text is empty"},
		{name: "empty after parsing", params: bot.SendMessageParams{ChatID: ann.ID, Text: "<b> </b>", ParseMode: models.ParseModeHTML},
			is: bot.ErrorBadRequest, desc: "Bad Request: message text is empty"},
		{name: "too long", params: bot.SendMessageParams{ChatID: ann.ID, Text: strings.Repeat("😀", 2048) + "a"}, is: bot.ErrorBadRequest,
			desc: "Bad Request: message is too long"},
		{name: "markup does not count", params: bot.SendMessageParams{ChatID: ann.ID, Text: "<b>" + strings.Repeat("a", 4096) + "</b>", ParseMode: models.ParseModeHTML},
			text: strings.Repeat("a", 4096)},
		{name: "unsupported tag", params: bot.SendMessageParams{ChatID: ann.ID, Text: "Hallo <Name>", ParseMode: models.ParseModeHTML}, is: bot.ErrorBadRequest,
			desc: `Bad Request: can't parse entities: Unsupported start tag "name" at byte offset 6`},
		{name: "unclosed tag", params: bot.SendMessageParams{ChatID: ann.ID, Text: "<b>x", ParseMode: models.ParseModeHTML}, is: bot.ErrorBadRequest,
			desc: `Bad Request: can't parse entities: Can't find end tag corresponding to start tag "b"`},
		{name: "bare less-than", params: bot.SendMessageParams{ChatID: ann.ID, Text: "a < b", ParseMode: models.ParseModeHTML}, is: bot.ErrorBadRequest,
			desc: `Bad Request: can't parse entities: Unsupported start tag "" at byte offset 2`},
		{name: "markdownv2 reserved", params: bot.SendMessageParams{ChatID: ann.ID, Text: "Version 1.0", ParseMode: models.ParseModeMarkdown}, is: bot.ErrorBadRequest,
			desc: `Bad Request: can't parse entities: Character '.' is reserved and must be escaped with the preceding '\'`},
		{name: "unknown parse mode", params: bot.SendMessageParams{ChatID: ann.ID, Text: "x", ParseMode: "html5"}, is: bot.ErrorBadRequest,
			desc: "Bad Request: unsupported parse_mode"},
		{name: "parse errors come before the chat check", params: bot.SendMessageParams{ChatID: 999, Text: "<x>", ParseMode: models.ParseModeHTML},
			is: bot.ErrorBadRequest, desc: `Bad Request: can't parse entities: Unsupported start tag "x" at byte offset 0`},
		{name: "blocked", params: bot.SendMessageParams{ChatID: 7, Text: "x"}, is: bot.ErrorForbidden, desc: "Forbidden: bot was blocked by the user"},
		{name: "reply to a missing message", params: bot.SendMessageParams{ChatID: ann.ID, Text: "x", ReplyParameters: &models.ReplyParameters{MessageID: 999}},
			is: bot.ErrorBadRequest, desc: "Bad Request: message to be replied not found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := len(srv.Sent())
			p := tt.params
			msg, err := b.SendMessage(ctx, &p)
			if tt.is != nil {
				if !errors.Is(err, tt.is) || !strings.HasSuffix(err.Error(), ", "+tt.desc) {
					t.Fatalf("err = %v, want %v with %q", err, tt.is, tt.desc)
				}
				if len(srv.Sent()) != before {
					t.Fatal("a rejected message was recorded as sent")
				}
				rej := srv.Rejected()
				if last := rej[len(rej)-1]; last.Method != "sendMessage" || last.Description != tt.desc {
					t.Fatalf("last rejection = %+v", last)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			sent := srv.Sent()[before]
			if sent.Text != tt.text || msg.Text != tt.text || msg.ID != sent.MessageID || msg.Chat.ID != sent.ChatID {
				t.Fatalf("sent %q (%+v), message %q", sent.Text, sent, msg.Text)
			}
			if msg.From == nil || !msg.From.IsBot || msg.Date == 0 {
				t.Fatalf("message = %+v", msg)
			}
		})
	}
}

func TestMessageIDsIncreasePerChat(t *testing.T) {
	srv := newServer(t)
	b := newBot(t, srv)
	ctx := context.Background()
	srv.SendText(ann, "a") // message 1 in Ann's chat
	bob := User{ID: 7, FirstName: "Bob"}
	srv.SendText(bob, "b")
	var got []int
	for _, chat := range []int64{ann.ID, ann.ID, bob.ID} {
		m, err := b.SendMessage(ctx, &bot.SendMessageParams{ChatID: chat, Text: "x"})
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, m.ID)
	}
	if got[0] != 2 || got[1] != 3 || got[2] != 2 {
		t.Fatalf("message ids = %v", got)
	}
	if len(srv.SentTo(bob.ID)) != 1 {
		t.Fatalf("SentTo = %+v", srv.SentTo(bob.ID))
	}
}

func TestInlineKeyboardsAreCheckedLikeTelegram(t *testing.T) {
	srv := newServer(t)
	b := newBot(t, srv)
	ctx := context.Background()
	srv.SendText(ann, "/menu")

	btn := func(fields map[string]any) map[string]any {
		return map[string]any{"inline_keyboard": [][]map[string]any{{fields}}}
	}
	tests := []struct {
		name   string
		markup any
		desc   string // empty: accepted
	}{
		{name: "callback", markup: btn(map[string]any{"text": "Ja", "callback_data": "yes"})},
		{name: "64 bytes of data", markup: btn(map[string]any{"text": "Ja", "callback_data": strings.Repeat("é", 32)})},
		{name: "65 bytes of data", markup: btn(map[string]any{"text": "Ja", "callback_data": strings.Repeat("é", 32) + "x"}), desc: "Bad Request: BUTTON_DATA_INVALID"},
		{name: "https url", markup: btn(map[string]any{"text": "Web", "url": "https://example.org/a"})},
		{name: "tg url", markup: btn(map[string]any{"text": "Chat", "url": "tg://resolve?domain=x"})},
		{name: "tel url", markup: btn(map[string]any{"text": "Call", "url": "tel:+4930123456"}), desc: "Bad Request: BUTTON_URL_INVALID"},
		{name: "mailto url", markup: btn(map[string]any{"text": "Mail", "url": "mailto:a@b.de"}), desc: "Bad Request: BUTTON_URL_INVALID"},
		{name: "copy text", markup: btn(map[string]any{"text": "Copy", "copy_text": map[string]any{"text": "IBAN"}})},
		{name: "empty copy text", markup: btn(map[string]any{"text": "Copy", "callback_data": "c", "copy_text": map[string]any{"text": ""}}),
			desc: "Bad Request: BUTTON_COPY_TEXT_INVALID"},
		{name: "go-telegram's own struct", markup: models.InlineKeyboardMarkup{InlineKeyboard: [][]models.InlineKeyboardButton{{{Text: "Ja", CallbackData: "yes"}}}},
			desc: "Bad Request: BUTTON_COPY_TEXT_INVALID"},
		{name: "no action", markup: btn(map[string]any{"text": "Nur Text"}),
			desc: "Bad Request: can't parse InlineKeyboardButton: Text buttons are not allowed in the inline keyboard"},
		{name: "empty callback data is no action", markup: btn(map[string]any{"text": "x", "callback_data": ""}),
			desc: "Bad Request: can't parse InlineKeyboardButton: Text buttons are not allowed in the inline keyboard"},
		{name: "empty text", markup: btn(map[string]any{"text": "", "callback_data": "x"}), desc: "Bad Request: inline keyboard button text must be non-empty"},
		{name: "missing text", markup: btn(map[string]any{"callback_data": "x"}), desc: `Bad Request: can't parse InlineKeyboardButton: Can't find field "text"`},
		{name: "button not an object", markup: map[string]any{"inline_keyboard": [][]any{{"x"}}},
			desc: "Bad Request: can't parse InlineKeyboardButton: InlineKeyboardButton must be an Object"},
		{name: "rows not arrays", markup: map[string]any{"inline_keyboard": []any{map[string]any{"text": "x"}}},
			desc: `Bad Request: field "inline_keyboard" of the InlineKeyboardMarkup must be an Array of Arrays`},
		{name: "reply keyboard", markup: models.ReplyKeyboardMarkup{Keyboard: [][]models.KeyboardButton{{{Text: "Ja"}, {Text: "Nein"}}}, ResizeKeyboard: true}},
		{name: "remove keyboard", markup: models.ReplyKeyboardRemove{RemoveKeyboard: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := b.SendMessage(ctx, &bot.SendMessageParams{ChatID: ann.ID, Text: "Bitte wählen", ReplyMarkup: tt.markup})
			if tt.desc == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if !errors.Is(err, bot.ErrorBadRequest) || !strings.HasSuffix(err.Error(), ", "+tt.desc) {
				t.Fatalf("err = %v, want %q", err, tt.desc)
			}
		})
	}

	sent := srv.SentTo(ann.ID)
	if b0 := sent[0].Buttons; len(b0) != 1 || b0[0][0] != (Button{Text: "Ja", CallbackData: "yes"}) {
		t.Fatalf("buttons = %+v", b0)
	}
	last := sent[len(sent)-1]
	prev := sent[len(sent)-2]
	if !last.RemoveKeyboard || prev.Keyboard == nil || strings.Join(prev.Keyboard[0], "|") != "Ja|Nein" {
		t.Fatalf("reply keyboards: %+v / %+v", prev, last)
	}

	status, env := callForm(t, srv, "sendMessage", url.Values{"chat_id": {"42"}, "text": {"x"}, "reply_markup": {`{"inline_keyboard": [[`}})
	if status != 400 || env.Description != "Bad Request: can't parse reply keyboard markup JSON object" {
		t.Fatalf("broken JSON: %d %+v", status, env)
	}
}

func TestRateLimitsAndInjectedFailures(t *testing.T) {
	srv := newServer(t, WithRateLimits(30, 1, 20))
	b := newBot(t, srv)
	ctx := context.Background()
	srv.SendText(ann, "hi")

	if _, err := b.SendMessage(ctx, &bot.SendMessageParams{ChatID: ann.ID, Text: "1"}); err != nil {
		t.Fatal(err)
	}
	_, err := b.SendMessage(ctx, &bot.SendMessageParams{ChatID: ann.ID, Text: "2"})
	var tooMany *bot.TooManyRequestsError
	if !errors.As(err, &tooMany) || tooMany.RetryAfter != 1 || !strings.Contains(tooMany.Message, "Too Many Requests: retry after 1") {
		t.Fatalf("second message within a second: %v", err)
	}

	srv.FailNext("sendMessage", 1, 429, "", 7)
	_, err = b.SendMessage(ctx, &bot.SendMessageParams{ChatID: ann.ID, Text: "3"})
	if !errors.As(err, &tooMany) || tooMany.RetryAfter != 7 {
		t.Fatalf("injected 429: %v", err)
	}
	srv.FailNext("SENDMESSAGE", 1, 502, "", 0)
	_, err = b.SendMessage(ctx, &bot.SendMessageParams{ChatID: ann.ID, Text: "4"})
	if err == nil || !strings.Contains(err.Error(), "502 Bad Gateway") {
		t.Fatalf("injected 502: %v", err)
	}
	srv.FailNext("sendMessage", 1, 500, "", 0)
	status, env := callJSON(t, ctx, srv, "sendMessage", map[string]any{"chat_id": ann.ID, "text": "5"})
	if status != 500 || env.Description != "Internal Server Error" {
		t.Fatalf("injected 500: %d %+v", status, env)
	}
	rej := srv.Rejected()
	if len(rej) != 4 || rej[0].RetryAfter != 1 || rej[1].RetryAfter != 7 || rej[2].Status != 502 {
		t.Fatalf("rejected = %+v", rej)
	}
	if len(srv.Sent()) != 1 {
		t.Fatalf("sent = %+v", srv.Sent())
	}
}

func TestBlockedChats(t *testing.T) {
	srv := newServer(t)
	b := newBot(t, srv)
	ctx := context.Background()
	srv.SendText(ann, "hi")
	srv.Block(ann.ID)
	for name, call := range map[string]func() error{
		"sendMessage": func() error {
			_, err := b.SendMessage(ctx, &bot.SendMessageParams{ChatID: ann.ID, Text: "x"})
			return err
		},
		"sendChatAction": func() error {
			_, err := b.SendChatAction(ctx, &bot.SendChatActionParams{ChatID: ann.ID, Action: models.ChatActionTyping})
			return err
		},
	} {
		if err := call(); !errors.Is(err, bot.ErrorForbidden) || !strings.Contains(err.Error(), "Forbidden: bot was blocked by the user") {
			t.Fatalf("%s: %v", name, err)
		}
	}
	srv.Unblock(ann.ID)
	if _, err := b.SendMessage(ctx, &bot.SendMessageParams{ChatID: ann.ID, Text: "x"}); err != nil {
		t.Fatal(err)
	}

	// A user blocking the bot arrives as my_chat_member "kicked".
	srv.PushUpdate(map[string]any{"my_chat_member": map[string]any{
		"chat":            map[string]any{"id": ann.ID, "type": "private", "first_name": "Ann"},
		"from":            map[string]any{"id": ann.ID, "is_bot": false, "first_name": "Ann"},
		"date":            time.Now().Unix(),
		"old_chat_member": map[string]any{"status": "member", "user": map[string]any{"id": 123456, "is_bot": true, "first_name": "Test Bot"}},
		"new_chat_member": map[string]any{"status": "kicked", "until_date": 0, "user": map[string]any{"id": 123456, "is_bot": true, "first_name": "Test Bot"}},
	}})
	if _, err := b.SendMessage(ctx, &bot.SendMessageParams{ChatID: ann.ID, Text: "x"}); !errors.Is(err, bot.ErrorForbidden) {
		t.Fatalf("after my_chat_member kicked: %v", err)
	}
}

func TestCallbacksAndEdits(t *testing.T) {
	srv := newServer(t)
	b := newBot(t, srv)
	ctx := context.Background()
	srv.SendText(ann, "/start")
	kb := models.InlineKeyboardMarkup{InlineKeyboard: [][]models.InlineKeyboardButton{{{Text: "Ja", CallbackData: "yes", CopyText: models.CopyTextButton{Text: "ja"}}}}}
	if _, err := b.SendMessage(ctx, &bot.SendMessageParams{ChatID: ann.ID, Text: "Frage?", ReplyMarkup: kb}); err != nil {
		// with copy_text set the button is a copy button in Telegram's eyes
		t.Fatalf("copy_text set: %v", err)
	}
	markup := map[string]any{"inline_keyboard": [][]map[string]any{{{"text": "Ja", "callback_data": "yes"}}}}
	msg, err := b.SendMessage(ctx, &bot.SendMessageParams{ChatID: ann.ID, Text: "<b>Frage</b>?", ParseMode: models.ParseModeHTML, ReplyMarkup: markup})
	if err != nil {
		t.Fatal(err)
	}
	if msg.ReplyMarkup == nil || msg.ReplyMarkup.InlineKeyboard[0][0].CallbackData != "yes" || len(msg.Entities) != 1 {
		t.Fatalf("echoed message = %+v", msg)
	}

	updID := srv.PressButton(ann, msg.ID, "yes")
	ups := getUpdates(t, srv, map[string]any{"offset": 0})
	cq := ups[len(ups)-1].CallbackQuery
	if ups[len(ups)-1].UpdateID != updID || cq == nil || cq.Data != "yes" || cq.Message.MessageID != msg.ID || cq.Message.Text != "Frage?" || cq.ChatInstance == "" {
		t.Fatalf("callback update = %+v", ups[len(ups)-1])
	}
	func() {
		defer func() {
			if recover() == nil {
				t.Fatal("pressing a button that does not exist must panic")
			}
		}()
		srv.PressButton(ann, msg.ID, "no")
	}()

	_, err = b.AnswerCallbackQuery(ctx, &bot.AnswerCallbackQueryParams{CallbackQueryID: cq.ID, Text: strings.Repeat("x", 201)})
	if !errors.Is(err, bot.ErrorBadRequest) || !strings.HasSuffix(err.Error(), "Bad Request: MESSAGE_TOO_LONG") {
		t.Fatalf("long answer: %v", err)
	}
	if ok, err := b.AnswerCallbackQuery(ctx, &bot.AnswerCallbackQueryParams{CallbackQueryID: cq.ID, Text: "Danke"}); !ok || err != nil {
		t.Fatalf("answer: %v", err)
	}
	if a, ok := srv.AnswerTo(updID); !ok || a.Text != "Danke" {
		t.Fatalf("AnswerTo = %+v %v", a, ok)
	}
	for _, id := range []string{cq.ID, "123"} {
		_, err = b.AnswerCallbackQuery(ctx, &bot.AnswerCallbackQueryParams{CallbackQueryID: id})
		if !errors.Is(err, bot.ErrorBadRequest) || !strings.Contains(err.Error(), "query is too old and response timeout expired or query ID is invalid") {
			t.Fatalf("answer %s again: %v", id, err)
		}
	}

	edit := func(p bot.EditMessageTextParams) error {
		_, err := b.EditMessageText(ctx, &p)
		return err
	}
	tests := []struct {
		name string
		p    bot.EditMessageTextParams
		desc string
	}{
		{name: "same content", p: bot.EditMessageTextParams{ChatID: ann.ID, MessageID: msg.ID, Text: "<b>Frage</b>?", ParseMode: models.ParseModeHTML, ReplyMarkup: markup},
			desc: "Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message"},
		{name: "missing message", p: bot.EditMessageTextParams{ChatID: ann.ID, MessageID: 999, Text: "x"}, desc: "Bad Request: message to edit not found"},
		{name: "the user's message", p: bot.EditMessageTextParams{ChatID: ann.ID, MessageID: 1, Text: "x"}, desc: "Bad Request: message can't be edited"},
		{name: "new text", p: bot.EditMessageTextParams{ChatID: ann.ID, MessageID: msg.ID, Text: "Erledigt"}},
		{name: "same text without markup", p: bot.EditMessageTextParams{ChatID: ann.ID, MessageID: msg.ID, Text: "Erledigt"}, desc: "Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message"},
	}
	for _, tt := range tests {
		err := edit(tt.p)
		if tt.desc == "" {
			if err != nil {
				t.Fatalf("%s: %v", tt.name, err)
			}
			continue
		}
		if !errors.Is(err, bot.ErrorBadRequest) || !strings.HasSuffix(err.Error(), ", "+tt.desc) {
			t.Fatalf("%s: %v", tt.name, err)
		}
	}
	last := srv.Sent()[len(srv.Sent())-1]
	if last.Method != "editMessageText" || last.Text != "Erledigt" || last.Buttons != nil {
		t.Fatalf("edit recorded as %+v", last)
	}
	if _, err := b.EditMessageReplyMarkup(ctx, &bot.EditMessageReplyMarkupParams{ChatID: ann.ID, MessageID: msg.ID, ReplyMarkup: markup}); err != nil {
		t.Fatal(err)
	}
	if _, err := b.EditMessageReplyMarkup(ctx, &bot.EditMessageReplyMarkupParams{ChatID: ann.ID, MessageID: msg.ID, ReplyMarkup: markup}); !errors.Is(err, bot.ErrorBadRequest) {
		t.Fatalf("unchanged markup: %v", err)
	}
	if ok, err := b.DeleteMessage(ctx, &bot.DeleteMessageParams{ChatID: ann.ID, MessageID: msg.ID}); !ok || err != nil {
		t.Fatal(err)
	}
	if _, err := b.DeleteMessage(ctx, &bot.DeleteMessageParams{ChatID: ann.ID, MessageID: msg.ID}); err == nil || !strings.Contains(err.Error(), "message to delete not found") {
		t.Fatalf("second delete: %v", err)
	}
}

func TestContactDocumentAndChatAction(t *testing.T) {
	srv := newServer(t)
	b := newBot(t, srv)
	ctx := context.Background()
	srv.SendText(ann, "hi")

	if _, err := b.SendContact(ctx, &bot.SendContactParams{ChatID: ann.ID, FirstName: "Amt"}); !errors.Is(err, bot.ErrorBadRequest) ||
		!strings.HasSuffix(err.Error(), `Bad Request: parameter "phone_number" is required`) {
		t.Fatalf("no phone: %v", err)
	}
	m, err := b.SendContact(ctx, &bot.SendContactParams{ChatID: ann.ID, PhoneNumber: "+49301234", FirstName: "Amt"})
	if err != nil || m.Contact == nil || m.Contact.PhoneNumber != "+49301234" {
		t.Fatalf("contact: %+v %v", m, err)
	}
	m, err = b.SendDocument(ctx, &bot.SendDocumentParams{ChatID: ann.ID, Caption: "<i>Antrag</i>", ParseMode: models.ParseModeHTML,
		Document: &models.InputFileUpload{Filename: "antrag.pdf", Data: bytes.NewReader([]byte("%PDF-1.4 hello"))}})
	if err != nil || m.Document == nil || m.Document.FileName != "antrag.pdf" || m.Caption != "Antrag" {
		t.Fatalf("document: %+v %v", m, err)
	}
	d := srv.Sent()[1].Document
	if d == nil || d.FileName != "antrag.pdf" || d.Size != 14 || d.Caption != "Antrag" {
		t.Fatalf("recorded document = %+v", d)
	}
	png := []byte("\x89PNG\r\n\x1a\n rest of the picture")
	m, err = b.SendPhoto(ctx, &bot.SendPhotoParams{ChatID: ann.ID, Caption: "<b>QR</b>", ParseMode: models.ParseModeHTML,
		Photo: &models.InputFileUpload{Filename: "qr.png", Data: bytes.NewReader(png)}})
	if err != nil || len(m.Photo) == 0 || m.Photo[0].FileID == "" || m.Caption != "QR" {
		t.Fatalf("uploaded photo: %+v %v", m, err)
	}
	if p := srv.Sent()[2]; p.Method != "sendPhoto" || p.Document == nil || p.Document.FileName != "qr.png" || !bytes.Equal(p.Document.Data, png) {
		t.Fatalf("recorded photo = %+v", p)
	}
	if _, err := b.SendPhoto(ctx, &bot.SendPhotoParams{ChatID: ann.ID, Photo: &models.InputFileUpload{Filename: "a.pdf", Data: bytes.NewReader([]byte("%PDF-1.4"))}}); err == nil ||
		!strings.HasSuffix(err.Error(), "Bad Request: IMAGE_PROCESS_FAILED") {
		t.Fatalf("a photo that is no image: %v", err)
	}
	if _, err := b.SendChatAction(ctx, &bot.SendChatActionParams{ChatID: ann.ID, Action: "dancing"}); err == nil ||
		!strings.HasSuffix(err.Error(), "Bad Request: wrong parameter action in request") {
		t.Fatalf("bad action: %v", err)
	}
	if ok, err := b.SendChatAction(ctx, &bot.SendChatActionParams{ChatID: ann.ID, Action: models.ChatActionTyping}); !ok || err != nil {
		t.Fatal(err)
	}
	if n := len(srv.Sent()); n != 3 {
		t.Fatalf("chat actions are not messages: %d", n)
	}
}

func TestCommandsAndBotTexts(t *testing.T) {
	srv := newServer(t)
	b := newBot(t, srv)
	ctx := context.Background()
	cmds := []models.BotCommand{{Command: "start", Description: "Beginnen"}, {Command: "/help", Description: " Hilfe "}}
	if ok, err := b.SetMyCommands(ctx, &bot.SetMyCommandsParams{Commands: cmds, LanguageCode: "de"}); !ok || err != nil {
		t.Fatal(err)
	}
	got := srv.Commands("de")
	if len(got) != 2 || got[1] != (BotCommand{Command: "help", Description: "Hilfe"}) || srv.Commands("") != nil {
		t.Fatalf("stored = %+v", got)
	}
	list, err := b.GetMyCommands(ctx, &bot.GetMyCommandsParams{LanguageCode: "de"})
	if err != nil || len(list) != 2 || list[0].Command != "start" {
		t.Fatalf("getMyCommands = %+v %v", list, err)
	}
	many := make([]models.BotCommand, 101)
	for i := range many {
		many[i] = models.BotCommand{Command: "c" + strings.Repeat("x", i%30), Description: "d"}
	}
	for name, tt := range map[string]struct {
		p    bot.SetMyCommandsParams
		desc string
	}{
		"language": {bot.SetMyCommandsParams{Commands: cmds, LanguageCode: "deu"}, "Bad Request: invalid language code specified"},
		"upper":    {bot.SetMyCommandsParams{Commands: []models.BotCommand{{Command: "Start", Description: "x"}}}, "Bad Request: BOT_COMMAND_INVALID"},
		"hyphen":   {bot.SetMyCommandsParams{Commands: []models.BotCommand{{Command: "a-b", Description: "x"}}}, "Bad Request: BOT_COMMAND_INVALID"},
		"long":     {bot.SetMyCommandsParams{Commands: []models.BotCommand{{Command: strings.Repeat("a", 33), Description: "x"}}}, "Bad Request: command length must not exceed 32"},
		"no desc":  {bot.SetMyCommandsParams{Commands: []models.BotCommand{{Command: "a", Description: " "}}}, "Bad Request: command description must be non-empty"},
		"too many": {bot.SetMyCommandsParams{Commands: many}, "Bad Request: BOT_COMMANDS_TOO_MUCH"},
	} {
		p := tt.p
		if _, err := b.SetMyCommands(ctx, &p); !errors.Is(err, bot.ErrorBadRequest) || !strings.HasSuffix(err.Error(), ", "+tt.desc) {
			t.Fatalf("%s: %v", name, err)
		}
	}
	if ok, err := b.DeleteMyCommands(ctx, &bot.DeleteMyCommandsParams{LanguageCode: "de"}); !ok || err != nil || srv.Commands("de") != nil {
		t.Fatalf("deleteMyCommands: %v", err)
	}
	if _, err := b.SetMyDescription(ctx, &bot.SetMyDescriptionParams{Description: "Hilfe für Neuankömmlinge", LanguageCode: "de"}); err != nil {
		t.Fatal(err)
	}
	if _, d, _ := srv.BotName("de"); d != "Hilfe für Neuankömmlinge" {
		t.Fatalf("description = %q", d)
	}
}

// TestEndToEndWithGoTelegramBot runs go-telegram/bot's own polling loop
// against the fake: the resident writes, the bot answers with a keyboard,
// the resident presses a button and the bot edits its message.
func TestEndToEndWithGoTelegramBot(t *testing.T) {
	srv := newServer(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	b, err := bot.New(srv.Token, bot.WithServerURL(srv.URL), bot.WithSkipGetMe(),
		bot.WithHTTPClient(5*time.Second, &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}),
		bot.WithDefaultHandler(func(ctx context.Context, b *bot.Bot, u *models.Update) {
			switch {
			case u.Message != nil:
				_, err := b.SendMessage(ctx, &bot.SendMessageParams{ChatID: u.Message.Chat.ID, Text: "Hallo <b>" + u.Message.From.FirstName + "</b>!",
					ParseMode: models.ParseModeHTML, ReplyMarkup: map[string]any{"inline_keyboard": [][]map[string]any{{{"text": "Weiter", "callback_data": "next"}}}}})
				if err != nil && ctx.Err() == nil {
					t.Error(err)
				}
			case u.CallbackQuery != nil:
				_, _ = b.AnswerCallbackQuery(ctx, &bot.AnswerCallbackQueryParams{CallbackQueryID: u.CallbackQuery.ID})
				m := u.CallbackQuery.Message.Message
				if _, err := b.EditMessageText(ctx, &bot.EditMessageTextParams{ChatID: m.Chat.ID, MessageID: m.ID, Text: "Weiter geht's"}); err != nil && ctx.Err() == nil {
					t.Error(err)
				}
			}
		}))
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		b.Start(ctx)
	}()

	srv.SendText(ann, "/start")
	wctx, wcancel := context.WithTimeout(ctx, 5*time.Second)
	defer wcancel()
	sent, err := srv.WaitSent(wctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	if sent[0].Text != "Hallo Ann!" || sent[0].Buttons[0][0].CallbackData != "next" {
		t.Fatalf("reply = %+v", sent[0])
	}
	press := srv.PressButton(ann, sent[0].MessageID, "next")
	sent, err = srv.WaitSent(wctx, 2)
	if err != nil {
		t.Fatal(err)
	}
	if sent[1].Method != "editMessageText" || sent[1].Text != "Weiter geht's" || sent[1].Buttons != nil {
		t.Fatalf("edit = %+v", sent[1])
	}
	waitFor(t, func() bool { _, ok := srv.AnswerTo(press); return ok })
	cancel()
	<-done
	if len(srv.Rejected()) != 0 {
		t.Fatalf("rejected = %+v", srv.Rejected())
	}
}

// Paid broadcasts (allow_paid_broadcast) may go up to 1000 messages a second
// in all, beside the normal global limit; per-chat and group limits still
// apply to them, and Sent tells which sends were paid.
func TestPaidBroadcastsHaveTheirOwnGlobalLimit(t *testing.T) {
	ctx := context.Background()
	send := func(srv *Server, chat int64, paid any) (int, envelope) {
		t.Helper()
		p := map[string]any{"chat_id": chat, "text": "Einladung"}
		if paid != nil {
			p["allow_paid_broadcast"] = paid
		}
		return callJSON(t, ctx, srv, "sendMessage", p)
	}

	srv := newServer(t, WithRateLimits(2, 0, 0))
	users := make([]User, 40)
	for i := range users {
		users[i] = User{ID: int64(100 + i), FirstName: "R"}
		srv.SendText(users[i], "hi")
	}
	for i := 0; i < 2; i++ {
		if status, env := send(srv, users[i].ID, nil); status != 200 {
			t.Fatalf("normal send %d: %d %s", i, status, env.Description)
		}
	}
	if status, _ := send(srv, users[2].ID, false); status != 429 {
		t.Fatalf("third normal send in a second at 2/s: %d, want 429", status)
	}
	for i := 3; i < len(users); i++ { // the normal limit is used up; paid sends pass
		if status, env := send(srv, users[i].ID, true); status != 200 {
			t.Fatalf("paid send to %d: %d %s", users[i].ID, status, env.Description)
		}
	}
	srv.mu.Lock()
	normal, paid := len(srv.rate.global), len(srv.rate.paid)
	srv.mu.Unlock()
	if normal != 2 || paid != len(users)-3 {
		t.Errorf("counted %d normal and %d paid sends, want 2 and %d: the limits are separate", normal, paid, len(users)-3)
	}
	sent := srv.Sent()
	if len(sent) != 2+len(users)-3 {
		t.Fatalf("%d sent", len(sent))
	}
	for i, s := range sent {
		if want := i >= 2; s.PaidBroadcast != want {
			t.Errorf("sent %d (to %d): PaidBroadcast = %v, want %v", i, s.ChatID, s.PaidBroadcast, want)
		}
	}

	// the paid limit is 1000 a second in all
	srv.mu.Lock()
	srv.rate.paid = nil
	for range 1000 {
		srv.rate.paid = append(srv.rate.paid, time.Now())
	}
	srv.mu.Unlock()
	status, env := send(srv, users[3].ID, "true")
	if status != 429 || env.Parameters.RetryAfter < 1 {
		t.Fatalf("paid send number 1001 within a second: %d %+v, want 429 with retry_after", status, env)
	}

	// per-chat and group limits apply to paid sends too
	srv = newServer(t, WithRateLimits(30, 1, 2))
	srv.SendText(ann, "hi")
	group := int64(-100500)
	srv.SendGroupText(group, ann, "hallo")
	if status, _ := send(srv, ann.ID, true); status != 200 {
		t.Fatalf("first paid send to Ann: %d", status)
	}
	if status, _ := send(srv, ann.ID, true); status != 429 {
		t.Fatalf("second paid send to Ann within a second: %d, want 429", status)
	}
	for i := 0; i < 2; i++ {
		if status, _ := send(srv, group, true); status != 200 {
			t.Fatalf("paid send %d to the group: %d", i, status)
		}
	}
	if status, _ := send(srv, group, true); status != 429 {
		t.Fatalf("third paid send to the group within a minute at 2/min: %d, want 429", status)
	}
}

// sendMessage and sendContact answer with the new message, message_id
// included (the bot records it when a later step needs it), paid or not.
func TestSendsReturnTheNewMessageID(t *testing.T) {
	srv := newServer(t, WithRateLimits(30, 0, 0))
	ctx := context.Background()
	srv.SendText(ann, "hi") // message 1 in Ann's chat
	tests := []struct {
		method string
		params map[string]any
	}{
		{"sendMessage", map[string]any{"chat_id": ann.ID, "text": "a"}},
		{"sendContact", map[string]any{"chat_id": ann.ID, "phone_number": "+49301234", "first_name": "Amt"}},
		{"sendMessage", map[string]any{"chat_id": ann.ID, "text": "b", "allow_paid_broadcast": true}},
		{"sendContact", map[string]any{"chat_id": ann.ID, "phone_number": "+49301234", "first_name": "Amt", "allow_paid_broadcast": true}},
	}
	for i, tt := range tests {
		status, env := callJSON(t, ctx, srv, tt.method, tt.params)
		if status != 200 {
			t.Fatalf("%s: %d %s", tt.method, status, env.Description)
		}
		var m struct {
			MessageID int `json:"message_id"`
		}
		if err := json.Unmarshal(env.Result, &m); err != nil {
			t.Fatal(err)
		}
		sent := srv.Sent()[i]
		if m.MessageID != i+2 || sent.MessageID != m.MessageID || sent.Method != tt.method {
			t.Errorf("%s: message_id %d, recorded %d (%s); want %d", tt.method, m.MessageID, sent.MessageID, sent.Method, i+2)
		}
		if want := tt.params["allow_paid_broadcast"] == true; sent.PaidBroadcast != want {
			t.Errorf("%s: PaidBroadcast = %v, want %v", tt.method, sent.PaidBroadcast, want)
		}
	}
}

// A client that goes away while it sends a request (a long poll cancelled
// at shutdown, with its body still streaming) is not a request Telegram
// judged: the fake records no rejection for it.
func TestAbortedRequestIsNoRejection(t *testing.T) {
	srv := New("123456:TEST-token_for-the-fake-server-0123456789")
	defer srv.Close()
	pr, pw := io.Pipe()
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, srv.URL+"/bot"+srv.Token+"/getUpdates", pr)
	req.Header.Set("Content-Type", "application/json")
	done := make(chan struct{})
	go func() {
		defer close(done)
		if resp, err := http.DefaultClient.Do(req); err == nil {
			resp.Body.Close()
		}
	}()
	_, _ = pw.Write([]byte(`{"offset": 1,`)) // half a body
	time.Sleep(50 * time.Millisecond)        // let the server start reading it
	cancel()
	_ = pw.CloseWithError(errors.New("client gone"))
	<-done
	// barrier: a whole request afterwards is judged and answered
	if status, env := callJSON(t, context.Background(), srv, "getMe", map[string]any{}); status != 200 || !env.OK {
		t.Fatalf("getMe after the aborted request: %d %+v", status, env)
	}
	if r := srv.Rejected(); len(r) != 0 {
		t.Errorf("an aborted request was recorded as rejected: %+v", r)
	}
}
