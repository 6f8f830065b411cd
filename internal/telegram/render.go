package telegram

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/integrationsagentur-marl/integrabot/internal/conversation"
)

// Render turns one of the core's messages into the Bot API calls that send
// it, each as a payload to commit: a text over Telegram's length is split,
// its buttons under the last part. A payload is the method's name, a space
// and the call's JSON body without the chat: sending it later costs no
// decoding.
func Render(m conversation.Message) [][]byte {
	if m.Edit != "" {
		return [][]byte{renderEdit(m)}
	}
	calls := Messages([]conversation.Reply{m})
	out := make([][]byte, 0, len(calls))
	for _, c := range calls {
		method, params := callOf(c)
		var buf bytes.Buffer
		buf.WriteString(method + " ")
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(params); err != nil {
			continue // cannot happen: plain strings and numbers
		}
		out = append(out, bytes.TrimRight(buf.Bytes(), "\n"))
	}
	return out
}

// The calls' bodies without the chat, which is filled in when sent.
type messageCall struct {
	Text        string          `json:"text"`
	ParseMode   string          `json:"parse_mode"`
	LinkPreview linkPreview     `json:"link_preview_options"`
	ReplyMarkup *inlineKeyboard `json:"reply_markup,omitempty"`
	Reply       *replyTo        `json:"reply_parameters,omitempty"`
}

// replyTo makes a message a reply; it is sent even when the message it
// answers was deleted meanwhile.
type replyTo struct {
	MessageID int  `json:"message_id"`
	Allow     bool `json:"allow_sending_without_reply"`
}

type linkPreview struct {
	IsDisabled bool `json:"is_disabled"`
}

// documentCall is sent as multipart/form-data (a file goes with it) by
// sendDocument, or sendPhoto for a picture; Name and Data are the file.
type documentCall struct {
	Caption     string          `json:"caption,omitempty"`
	ParseMode   string          `json:"parse_mode,omitempty"`
	ReplyMarkup *inlineKeyboard `json:"reply_markup,omitempty"`
	Name        string          `json:"file_name"`
	Data        []byte          `json:"file_data"`
}

// mediaCall sends a photo or file Telegram already has, by its file id.
type mediaCall struct {
	Photo       string          `json:"photo,omitempty"`
	Document    string          `json:"document,omitempty"`
	Caption     string          `json:"caption,omitempty"`
	ParseMode   string          `json:"parse_mode,omitempty"`
	ReplyMarkup *inlineKeyboard `json:"reply_markup,omitempty"`
}

type contactCall struct {
	PhoneNumber string          `json:"phone_number"`
	FirstName   string          `json:"first_name"`
	LastName    string          `json:"last_name,omitempty"`
	ReplyMarkup *inlineKeyboard `json:"reply_markup,omitempty"`
}

// callOf is the Bot API call that sends m.
func callOf(m Message) (string, any) {
	if m.Media != nil {
		c := mediaCall{Caption: m.Text, ReplyMarkup: m.Markup}
		if c.Caption != "" {
			c.ParseMode = "HTML"
		}
		if m.Media.Kind == conversation.MediaPhoto {
			c.Photo = m.Media.FileID
			return "sendPhoto", c
		}
		c.Document = m.Media.FileID
		return "sendDocument", c
	}
	if m.Document != nil {
		c := documentCall{Caption: m.Text, ReplyMarkup: m.Markup, Name: m.Document.Name, Data: m.Document.Data}
		if c.Caption != "" {
			c.ParseMode = "HTML"
		}
		if m.Document.Photo { // a picture of ours, such as a QR code: shown, not a file to open
			return "sendPhoto", c
		}
		return "sendDocument", c
	}
	if m.Contact != nil {
		first, last := splitName(m.Contact.Name)
		return "sendContact", contactCall{PhoneNumber: m.Contact.Phone, FirstName: first, LastName: last, ReplyMarkup: m.Markup}
	}
	// previews cost data on slow networks
	c := messageCall{Text: m.Text, ParseMode: "HTML", LinkPreview: linkPreview{IsDisabled: true}, ReplyMarkup: m.Markup}
	if m.ReplyTo > 0 {
		c.Reply = &replyTo{MessageID: m.ReplyTo, Allow: true}
	}
	return "sendMessage", c
}

var paidField = []byte(`"allow_paid_broadcast":true,`)

// body makes a payload's call for chat: its method, body and content type.
func body(payload []byte, chat int64, paid bool) (string, []byte, string, error) {
	method, params, ok := bytes.Cut(payload, []byte(" "))
	if edit, _, isEdit := bytes.Cut(method, []byte("@")); isEdit && string(edit) == "editMessageText" {
		method, paid = edit, false // an edit is not a broadcast: no paid flag
	}
	switch string(method) {
	case "sendMessage", "sendContact", "sendDocument", "sendPhoto", "editMessageText":
	default:
		ok = false
	}
	if !ok || len(params) < 2 || params[0] != '{' {
		return "", nil, "", fmt.Errorf("payload not readable")
	}
	if (string(method) == "sendDocument" || string(method) == "sendPhoto") && bytes.Contains(params, []byte(`"file_data":`)) { // a file of ours: multipart
		b, contentType, err := documentBody(string(method), params, chat, paid)
		return string(method), b, contentType, err
	}
	b := make([]byte, 0, len(params)+48)
	b = append(b, `{"chat_id":`...)
	b = strconv.AppendInt(b, chat, 10)
	b = append(b, ',')
	if paid {
		b = append(b, paidField...)
	}
	if params[1] == '}' { // no other field
		b = b[:len(b)-1]
	}
	b = append(b, params[1:]...)
	return string(method), b, "application/json", nil
}

// renderEdit is the call that replaces a recorded message's text and
// buttons: "editMessageText@<name> {…}"; the sender puts in the message's id.
func renderEdit(m conversation.Message) []byte {
	text := m.Text
	if parts := split(text, maxMessageUTF16); len(parts) > 0 {
		text = parts[0] // an edit is one message
	}
	c := messageCall{Text: text, ParseMode: "HTML", LinkPreview: linkPreview{IsDisabled: true}, ReplyMarkup: keyboard(m.Buttons)}
	var buf bytes.Buffer
	buf.WriteString("editMessageText@" + m.Edit + " ")
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(c) // plain strings: cannot fail
	return bytes.TrimRight(buf.Bytes(), "\n")
}

// EditOf reads the name of the message a payload edits, if it is an edit.
func EditOf(payload []byte) (string, bool) {
	method, _, _ := bytes.Cut(payload, []byte(" "))
	name, ok := bytes.CutPrefix(method, []byte("editMessageText@"))
	return string(name), ok && len(name) > 0
}
