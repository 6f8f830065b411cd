package telegram

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"github.com/integrationsagentur-marl/integrabot/internal/conversation"
)

func msg(chatType models.ChatType, text string, command bool) *models.Update {
	m := &models.Message{ID: 1, Chat: models.Chat{ID: 5, Type: chatType}, From: &models.User{ID: 5, LanguageCode: "de"}, Text: text}
	if command {
		n := strings.IndexFunc(text+" ", unicode.IsSpace) // Telegram's entity ends at the first space or line break
		m.Entities = []models.MessageEntity{{Type: models.MessageEntityTypeBotCommand, Offset: 0, Length: n}}
	}
	return &models.Update{ID: 1, Message: m}
}

func TestMap(t *testing.T) {
	now := time.Now()
	tests := []struct {
		name      string
		upd       *models.Update
		answer    bool
		kind      conversation.Kind
		command   string
		arg       string
		wantGroup bool
	}{
		{"command", msg(models.ChatTypePrivate, "/start", true), true, conversation.KindCommand, "start", "", false},
		{"deep link", msg(models.ChatTypePrivate, "/start contacts", true), true, conversation.KindCommand, "start", "contacts", false},
		{"command, then text on the next line", msg(models.ChatTypePrivate, "/start\nhello", true), true, conversation.KindCommand, "start", "hello", false},
		{"command and a line break", msg(models.ChatTypePrivate, "/help\n", true), true, conversation.KindCommand, "help", "", false},
		{"command, tab and spaces", msg(models.ChatTypePrivate, "/start\t  contacts \n", true), true, conversation.KindCommand, "start", "contacts", false},
		{"command and a no-break space", msg(models.ChatTypePrivate, "/start\u00a0contacts", true), true, conversation.KindCommand, "start", "contacts", false},
		{"argument over several lines", msg(models.ChatTypePrivate, "/start\r\nfirst\nsecond\n", true), true, conversation.KindCommand, "start", "first\nsecond", false},
		{"our name, then a line break", msg(models.ChatTypeSupergroup, "/Help@IntegraBot\nbitte", true), true, conversation.KindCommand, "help", "bitte", true},
		{"another bot's command on its own line", msg(models.ChatTypeGroup, "/help@otherbot\n", true), false, 0, "", "", false},
		{"command with our name in a group", msg(models.ChatTypeSupergroup, "/Help@IntegraBot", true), true, conversation.KindCommand, "help", "", true},
		{"another bot's command", msg(models.ChatTypeGroup, "/help@otherbot", true), false, 0, "", "", false},
		{"text", msg(models.ChatTypePrivate, "Telefon?", false), true, conversation.KindText, "", "", false},
		{"a slash without command entity is text", msg(models.ChatTypePrivate, "/ 2", false), true, conversation.KindText, "", "", false},
		{"sticker", msg(models.ChatTypePrivate, "", false), true, conversation.KindUnsupported, "", "", false},
		{"edited message", &models.Update{ID: 2, EditedMessage: &models.Message{Text: "x"}}, false, 0, "", "", false},
		{"channel post", &models.Update{ID: 3, ChannelPost: &models.Message{Text: "x"}}, false, 0, "", "", false},
		{"message from a bot", &models.Update{ID: 4, Message: &models.Message{From: &models.User{ID: 9, IsBot: true}, Text: "hi"}}, false, 0, "", "", false},
		{"message without sender", &models.Update{ID: 5, Message: &models.Message{Text: "hi"}}, false, 0, "", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := Map(tt.upd, "integrabot", nil, now)
			if in.Answer != tt.answer {
				t.Fatalf("answer = %v, want %v", in.Answer, tt.answer)
			}
			if !tt.answer {
				return
			}
			if in.Event.Kind != tt.kind || in.Event.Command != tt.command || in.Event.Group != tt.wantGroup {
				t.Errorf("event = %+v", in.Event)
			}
			if tt.kind == conversation.KindCommand && in.Event.Text != tt.arg {
				t.Errorf("arg = %q, want %q", in.Event.Text, tt.arg)
			}
		})
	}
}

func TestMapButtonOnInaccessibleMessage(t *testing.T) {
	upd := &models.Update{ID: 9, CallbackQuery: &models.CallbackQuery{ID: "q", From: models.User{ID: 77}, Data: "m:help",
		Message: models.MaybeInaccessibleMessage{Type: models.MaybeInaccessibleMessageTypeInaccessibleMessage, InaccessibleMessage: &models.InaccessibleMessage{Chat: models.Chat{ID: 77}}}}}
	in := Map(upd, "b", nil, time.Now())
	if !in.Answer || in.ChatID != 77 || in.CallbackID != "q" || in.Event.Kind != conversation.KindButton || in.Event.Data != "m:help" {
		t.Errorf("got %+v", in)
	}
}

// An event says where it happened, which message it is or answers, and
// whether its sender is staff; a button in a group belongs to the group.
func TestMapCarriesChatMessageAndRole(t *testing.T) {
	staff := Staff(func(id int64) bool { return id == 42 })
	m := msg(models.ChatTypePrivate, "hallo", false)
	m.Message.From.ID, m.Message.Chat.ID, m.Message.ID = 42, 42, 17
	m.Message.ReplyToMessage = &models.Message{ID: 16}
	ev := Map(m, "b", staff, time.Now()).Event
	if ev.ChatID != 42 || ev.MessageID != 17 || ev.ReplyTo != 16 || ev.Role != conversation.RoleStaff {
		t.Errorf("staff message: %+v", ev)
	}
	if ev := Map(msg(models.ChatTypePrivate, "hallo", false), "b", staff, time.Now()).Event; ev.Role != conversation.RoleResident {
		t.Errorf("a resident came out as %v", ev.Role)
	}
	press := &models.Update{ID: 9, CallbackQuery: &models.CallbackQuery{ID: "q", From: models.User{ID: 77}, Data: "m:help",
		Message: models.MaybeInaccessibleMessage{Type: models.MaybeInaccessibleMessageTypeMessage, Message: &models.Message{ID: 5, Chat: models.Chat{ID: -300, Type: models.ChatTypeGroup}}}}}
	in := Map(press, "b", staff, time.Now())
	if in.ChatID != -300 || in.Event.ChatID != -300 || !in.Event.Group || in.Event.MessageID != 5 || in.Event.UserID != 77 {
		t.Errorf("a button in a group: %+v", in)
	}
	if c := ChatOf(press); c != -300 {
		t.Errorf("a button in a group is ordered with chat %d, want the group's", c)
	}
	// the first name reaches the core (staff see it with a question passed on); nothing else of the name does
	named := msg(models.ChatTypePrivate, "hallo", false)
	named.Message.From.FirstName, named.Message.From.LastName, named.Message.From.Username = "Amira", "Haddad", "amira_h"
	if ev := Map(named, "b", staff, time.Now()).Event; ev.FirstName != "Amira" || strings.Contains(fmt.Sprintf("%+v", ev), "Haddad") || strings.Contains(fmt.Sprintf("%+v", ev), "amira_h") {
		t.Errorf("a message's names: %+v", ev)
	}
	// a resident's reply to the team's answer names its thread (from the answer's Reply button)
	reply := msg(models.ChatTypePrivate, "danke", false)
	reply.Message.ReplyToMessage = &models.Message{ID: 30, From: &models.User{ID: 1, IsBot: true}, ReplyMarkup: &models.InlineKeyboardMarkup{
		InlineKeyboard: [][]models.InlineKeyboardButton{{{Text: "Reply", CallbackData: "ho:re:12"}}, {{Text: "Menu", CallbackData: "m:main"}}}}}
	if ev := Map(reply, "b", staff, time.Now()).Event; ev.ReplyThread != "12" || ev.ReplyTo != 30 {
		t.Errorf("a reply to the team's answer: %+v", ev)
	}
	reply.Message.ReplyToMessage.ReplyMarkup.InlineKeyboard[0][0].CallbackData = "m:help"
	if ev := Map(reply, "b", staff, time.Now()).Event; ev.ReplyThread != "" {
		t.Errorf("a reply to another message names thread %q", ev.ReplyThread)
	}
	press.CallbackQuery.From.FirstName = "Petra"
	if ev := Map(press, "b", staff, time.Now()).Event; ev.FirstName != "Petra" {
		t.Errorf("a button's first name: %q", ev.FirstName)
	}
}

func TestMessagesStayWithinTelegramsLimits(t *testing.T) {
	para := strings.Repeat("Begegnung 😀 ", 40) // emoji count as two UTF-16 units
	long := strings.Repeat("<b>Titel</b>\n"+para+"\n\n", 30)
	oneLine := strings.Repeat("ж", 10000)
	replies := []conversation.Reply{
		{Text: long, Buttons: [][]conversation.Button{{{Label: "ok", Data: "m:main"}, {Label: "too long", Data: strings.Repeat("x", 65)}, {Label: " ", Data: "m:x"}}}},
		{Text: oneLine},
		{Contact: &conversation.Contact{Name: "Jens Flachmeier", Phone: "+4915117466885"}},
	}
	msgs := Messages(replies)
	if len(msgs) < 5 {
		t.Fatalf("got %d messages; the long texts were not split", len(msgs))
	}
	for i, m := range msgs {
		if n := utf16Len(m.Text); n > 4096 {
			t.Errorf("message %d has %d UTF-16 units", i, n)
		}
		if m.Contact == nil && strings.Count(m.Text, "<b>") != strings.Count(m.Text, "</b>") {
			t.Errorf("message %d cuts a tag: %q…", i, m.Text[:40])
		}
		if m.Markup != nil {
			data, _ := json.Marshal(m.Markup)
			if strings.Contains(string(data), "copy_text") || strings.Contains(string(data), "xxxxx") || strings.Contains(string(data), `"m:x"`) {
				t.Errorf("markup Telegram would reject: %s", data)
			}
		}
	}
	var withButtons int
	for _, m := range msgs {
		if m.Markup != nil {
			withButtons++
		}
	}
	if withButtons != 1 {
		t.Errorf("%d messages carry the buttons, want only the last part of the first reply", withButtons)
	}
	if last := msgs[len(msgs)-1]; last.Contact == nil || last.Contact.Phone != "+4915117466885" {
		t.Errorf("contact card lost: %+v", last)
	}
}

func TestRedactKeepsErrorTypes(t *testing.T) {
	const token = "123:ABCdefSECRET"
	inner := fmt.Errorf("error do request for method sendMessage, Post \"https://api.telegram.org/bot%s/sendMessage\": %w", token, bot.ErrorForbidden)
	err := Redact(inner, token)
	if strings.Contains(err.Error(), token) {
		t.Errorf("token still in %q", err)
	}
	if !errors.Is(err, bot.ErrorForbidden) {
		t.Error("errors.Is lost after redaction")
	}
}

func TestRedactCleansTheURLInside(t *testing.T) {
	const token = "123:ABCdefSECRET"
	inner := &url.Error{Op: "Post", URL: "https://api.telegram.org/bot" + token + "/sendMessage", Err: errors.New("connection reset")}
	err := Redact(fmt.Errorf("sendMessage: %w", inner), token)
	var ue *url.Error
	if !errors.As(err, &ue) {
		t.Fatal("the *url.Error is no longer reachable")
	}
	if strings.Contains(ue.URL, token) || strings.Contains(err.Error(), token) {
		t.Errorf("token still in the URL %q or the text %q", ue.URL, err)
	}
}
