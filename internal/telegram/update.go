// Package telegram is the Telegram adapter: it maps Bot API updates to the
// core's events and the core's replies to Bot API calls, fetches updates and
// keeps the token out of every error.
package telegram

import (
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/go-telegram/bot/models"

	"github.com/integrationsagentur-marl/integrabot/internal/conversation"
)

// Incoming is an update as the core sees it, with what is needed to answer.
type Incoming struct {
	Event      conversation.Event
	ChatID     int64
	CallbackID string // a button press must be answered, or the app shows a spinner
	Answer     bool   // false: nothing to answer (edited message, channel post, another bot's command…)
}

// Staff tells whether a Telegram user id is one of the agency's staff
// (ADMIN_IDS); it is asked for every event.
type Staff func(userID int64) bool

func (s Staff) role(userID int64) conversation.Role {
	if s != nil && s(userID) {
		return conversation.RoleStaff
	}
	return conversation.RoleResident
}

// maxText is how much of a message is passed on; nobody asks a question in more.
const maxText = 4096

// maxCaption is Telegram's limit for a photo's or file's caption.
const maxCaption = 1024

// Map turns an update into an event. botUsername is the bot's own name, to
// recognise /start@botname, which Telegram sends in groups.
func Map(upd *models.Update, botUsername string, staff Staff, now time.Time) Incoming {
	switch {
	case upd.Message != nil:
		return mapMessage(upd.Message, botUsername, staff, now)
	case upd.CallbackQuery != nil:
		q := upd.CallbackQuery
		in := Incoming{CallbackID: q.ID, ChatID: q.From.ID, Answer: true}
		ev := conversation.Event{UserID: q.From.ID, LanguageCode: q.From.LanguageCode, FirstName: q.From.FirstName, Role: staff.role(q.From.ID), Kind: conversation.KindButton, Data: q.Data, Now: now}
		if m := q.Message.Message; m != nil { // nil when the message is too old to be accessible
			in.ChatID, ev.MessageID = m.Chat.ID, m.ID
			ev.Group = m.Chat.Type != models.ChatTypePrivate
		} else if m := q.Message.InaccessibleMessage; m != nil {
			in.ChatID, ev.MessageID = m.Chat.ID, m.MessageID
			ev.Group = m.Chat.Type != models.ChatTypePrivate
		}
		ev.ChatID = in.ChatID
		in.Event = ev
		return in // a button is always meant for the bot, also in a group
	}
	return Incoming{} // edited messages, channel posts, inline queries, member updates: no reply
}

// ChatOf is the chat an update belongs to: its updates are handled in order,
// and its keys share a slot. Updates without a chat get a key of their own.
func ChatOf(u *models.Update) int64 {
	switch {
	case u.Message != nil:
		return u.Message.Chat.ID
	case u.CallbackQuery != nil:
		q := u.CallbackQuery
		if q.Message.Message != nil {
			return q.Message.Message.Chat.ID
		}
		if q.Message.InaccessibleMessage != nil {
			return q.Message.InaccessibleMessage.Chat.ID
		}
		return q.From.ID
	case u.MyChatMember != nil:
		return u.MyChatMember.Chat.ID
	}
	return -u.ID // nothing to order it with
}

// SenderOf is the user an update comes from (0 if none).
func SenderOf(u *models.Update) int64 {
	switch {
	case u.Message != nil && u.Message.From != nil:
		return u.Message.From.ID
	case u.CallbackQuery != nil:
		return u.CallbackQuery.From.ID
	case u.MyChatMember != nil:
		return u.MyChatMember.From.ID
	}
	return 0
}

func mapMessage(m *models.Message, botUsername string, staff Staff, now time.Time) Incoming {
	if m.From == nil || m.From.IsBot {
		return Incoming{}
	}
	group := m.Chat.Type != models.ChatTypePrivate
	// the first name only: the core shows it to staff when a question is passed on; last and user names never reach it
	ev := conversation.Event{UserID: m.From.ID, ChatID: m.Chat.ID, MessageID: m.ID, Role: staff.role(m.From.ID), LanguageCode: m.From.LanguageCode, FirstName: m.From.FirstName, Group: group, Now: now}
	if m.ReplyToMessage != nil {
		ev.ReplyTo = m.ReplyToMessage.ID
		ev.ReplyThread = replyThread(m.ReplyToMessage)
	}
	in := Incoming{ChatID: m.Chat.ID, Answer: true}
	text := truncate(m.Text, maxText)
	switch {
	case len(m.Photo) > 0: // the largest size comes last
		ev.Kind, ev.Text = conversation.KindUnsupported, truncate(m.Caption, maxCaption)
		ev.Media = &conversation.Media{Kind: conversation.MediaPhoto, FileID: m.Photo[len(m.Photo)-1].FileID}
	case m.Document != nil:
		ev.Kind, ev.Text = conversation.KindUnsupported, truncate(m.Caption, maxCaption)
		ev.Media = &conversation.Media{Kind: conversation.MediaDocument, FileID: m.Document.FileID}
	case text == "":
		ev.Kind = conversation.KindUnsupported // sticker, voice, location…
	case isCommand(m):
		name, arg := splitCommand(text)
		cmd, to, addressed := strings.Cut(name, "@")
		if addressed && !strings.EqualFold(to, botUsername) {
			return Incoming{} // meant for another bot in the group
		}
		ev.Kind, ev.Command, ev.Text = conversation.KindCommand, strings.ToLower(cmd), arg
	default:
		ev.Kind, ev.Text = conversation.KindText, text
	}
	in.Event = ev
	return in
}

// replyThread is the thread a reply to the team's relayed answer belongs
// to: Telegram sends the answered message along, with its buttons, one of
// which names the thread. Only the bot's own messages count.
func replyThread(m *models.Message) string {
	if m.From == nil || !m.From.IsBot || m.ReplyMarkup == nil {
		return ""
	}
	for _, row := range m.ReplyMarkup.InlineKeyboard {
		for _, b := range row {
			if id, ok := conversation.ReplyThreadOf(b.CallbackData); ok {
				return id
			}
		}
	}
	return ""
}

func isCommand(m *models.Message) bool {
	return len(m.Entities) > 0 && m.Entities[0].Type == models.MessageEntityTypeBotCommand && m.Entities[0].Offset == 0
}

// splitCommand splits "/start@bot payload" into "start@bot" and "payload".
// The command ends at the first Unicode whitespace — a space, but also the
// line break of "/start" with text on the next line; the argument is the
// rest, trimmed.
func splitCommand(text string) (name, arg string) {
	text = strings.TrimPrefix(text, "/")
	i := strings.IndexFunc(text, unicode.IsSpace)
	if i < 0 {
		return text, ""
	}
	return text[:i], strings.TrimSpace(text[i:])
}

// truncate cuts s to at most n bytes without splitting a character.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
