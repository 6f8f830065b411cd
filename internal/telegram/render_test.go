package telegram

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/integrationsagentur-marl/integrabot/internal/conversation"
)

// A rendered payload becomes the call Telegram expects, for any chat, with
// or without paid broadcasts.
func TestRenderedPayloadsBecomeCalls(t *testing.T) {
	text := Render(conversation.Message{Text: "<b>Hallo</b>", Buttons: [][]conversation.Button{{{Label: "Menü", Data: "m:main"}}}})
	card := Render(conversation.Message{Contact: &conversation.Contact{Name: "Jens Flachmeier", Phone: "+4915117466885"}})
	long := Render(conversation.Message{Text: strings.Repeat("Zeile\n", 1500)})
	if len(text) != 1 || len(card) != 1 || len(long) != 3 {
		t.Fatalf("calls: %d, %d, %d; want 1, 1 and 3 (a long text split)", len(text), len(card), len(long))
	}
	for _, tt := range []struct {
		payload []byte
		chat    int64
		paid    bool
		method  string
		want    map[string]any
	}{
		{text[0], 42, false, "sendMessage", map[string]any{"chat_id": 42.0, "text": "<b>Hallo</b>", "parse_mode": "HTML"}},
		{text[0], -100, true, "sendMessage", map[string]any{"chat_id": -100.0, "allow_paid_broadcast": true}},
		{card[0], 7, false, "sendContact", map[string]any{"chat_id": 7.0, "phone_number": "+4915117466885", "first_name": "Jens", "last_name": "Flachmeier"}},
	} {
		method, b, _, err := body(tt.payload, tt.chat, tt.paid)
		if err != nil || method != tt.method {
			t.Fatalf("body = %q, %v; want %s", method, err, tt.method)
		}
		var got map[string]any
		if err := json.Unmarshal(b, &got); err != nil {
			t.Fatalf("not JSON: %s", b)
		}
		for k, v := range tt.want {
			if got[k] != v {
				t.Errorf("%s: %s = %v, want %v", b, k, got[k], v)
			}
		}
		if _, ok := got["allow_paid_broadcast"]; ok != tt.paid {
			t.Errorf("%s: allow_paid_broadcast present = %v, want %v", b, ok, tt.paid)
		}
	}
	if _, _, _, err := body([]byte("deleteChat {}"), 1, false); err == nil {
		t.Error("a payload for another method was accepted")
	}
}

// A photo or file Telegram already has goes by its file id, as JSON (no
// upload), with the text as its caption.
func TestRenderMediaByFileID(t *testing.T) {
	for _, tc := range []struct {
		kind, method, field string
	}{
		{conversation.MediaPhoto, "sendPhoto", `"photo":"F1"`},
		{conversation.MediaDocument, "sendDocument", `"document":"F1"`},
	} {
		p := Render(conversation.Message{Text: "Fest <b>heute</b>", Media: &conversation.Media{Kind: tc.kind, FileID: "F1"}})
		if len(p) != 1 {
			t.Fatalf("%s: %d payloads", tc.kind, len(p))
		}
		method, b, contentType, err := body(p[0], 42, false)
		if err != nil || method != tc.method || contentType != "application/json" || !strings.Contains(string(b), tc.field) ||
			!strings.Contains(string(b), `"caption":"Fest <b>heute</b>"`) || !strings.Contains(string(b), `"chat_id":42`) {
			t.Errorf("%s: %s %s %s %v", tc.kind, method, contentType, b, err)
		}
	}
}

// An edit names the recorded message; the sender puts in its id, and a name
// nothing was recorded under is refused rather than sent as a new message.
func TestEditFindsTheRecordedMessage(t *testing.T) {
	p := Render(conversation.Message{Text: "3 von 5", Edit: "bc:x"})
	if name, ok := EditOf(p[0]); !ok || name != "bc:x" {
		t.Fatalf("edit of %q: %q %v", p[0], name, ok)
	}
	_, b, _, err := body(p[0], 42, true)
	if err != nil || strings.Contains(string(b), "allow_paid_broadcast") {
		t.Fatalf("edit body %s %v", b, err)
	}
	s := (&Sender{}).Refs(func(_ context.Context, chat int64, name string) (int, error) {
		if chat == 42 && name == "bc:x" {
			return 17, nil
		}
		return 0, nil
	})
	got, err := s.withMessageID(context.Background(), 42, "bc:x", b)
	if err != nil || !strings.HasPrefix(string(got), `{"message_id":17,"chat_id":42,`) {
		t.Errorf("with id: %s %v", got, err)
	}
	if got, _ := s.withMessageID(context.Background(), 42, "bc:other", b); got != nil {
		t.Errorf("an unknown name: %s", got)
	}
}

// A message to a known message id: a follow-up is a reply to the thread's
// first message (sent even should that be gone), and an edit by "#id"
// needs no recorded name.
func TestReplyAndEditByID(t *testing.T) {
	p := Render(conversation.Message{Text: "Nachtrag", ReplyTo: 88})
	_, b, _, err := body(p[0], -5, false)
	if err != nil || !strings.Contains(string(b), `"reply_parameters":{"message_id":88,"allow_sending_without_reply":true}`) {
		t.Errorf("reply body %s %v", b, err)
	}
	if p := Render(conversation.Message{Text: "x"}); strings.Contains(string(p[0]), "reply_parameters") {
		t.Errorf("a message that replies to nothing: %s", p[0])
	}
	e := Render(conversation.Message{Text: "zurückgezogen", Edit: conversation.EditRef(88)})
	name, ok := EditOf(e[0])
	if !ok {
		t.Fatalf("not an edit: %s", e[0])
	}
	_, b, _, _ = body(e[0], -5, false)
	got, err := (&Sender{}).withMessageID(context.Background(), -5, name, b)
	if err != nil || !strings.HasPrefix(string(got), `{"message_id":88,"chat_id":-5,`) {
		t.Errorf("edit by id: %s %v", got, err)
	}
}

// A file of ours is uploaded as multipart/form-data: a calendar entry by
// sendDocument, a picture (a QR code) by sendPhoto, each in its own field.
func TestRenderUploads(t *testing.T) {
	for _, tc := range []struct {
		photo         bool
		method, field string
	}{
		{false, "sendDocument", `name="document"; filename="x.bin"`},
		{true, "sendPhoto", `name="photo"; filename="x.bin"`},
	} {
		p := Render(conversation.Message{Text: "QR <b>Café</b>", Document: &conversation.Document{Name: "x.bin", Data: []byte("DATA"), Photo: tc.photo}})
		if len(p) != 1 {
			t.Fatalf("%s: %d payloads", tc.method, len(p))
		}
		method, b, contentType, err := body(p[0], 42, false)
		if err != nil || method != tc.method || !strings.HasPrefix(contentType, "multipart/form-data") || !strings.Contains(string(b), tc.field) ||
			!strings.Contains(string(b), "QR <b>Café</b>") || !strings.Contains(string(b), "\r\n\r\nDATA\r\n") {
			t.Errorf("%s: %s %s\n%s %v", tc.method, method, contentType, b, err)
		}
	}
}
