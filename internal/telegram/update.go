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

// maxText is how much of a message is passed on; nobody asks a question in more.
const maxText = 4096

// Map turns an update into an event. botUsername is the bot's own name, to
// recognise /start@botname, which Telegram sends in groups.
func Map(upd *models.Update, botUsername string, now time.Time) Incoming {
	switch {
	case upd.Message != nil:
		return mapMessage(upd.Message, botUsername, now)
	case upd.CallbackQuery != nil:
		q := upd.CallbackQuery
		in := Incoming{CallbackID: q.ID, ChatID: q.From.ID, Answer: true}
		if q.Message.Message != nil { // nil when the message is too old to be accessible
			in.ChatID = q.Message.Message.Chat.ID
		} else if q.Message.InaccessibleMessage != nil {
			in.ChatID = q.Message.InaccessibleMessage.Chat.ID
		}
		in.Event = conversation.Event{UserID: q.From.ID, LanguageCode: q.From.LanguageCode, Kind: conversation.KindButton, Data: q.Data, Now: now}
		return in // a button is always meant for the bot, also in a group
	}
	return Incoming{} // edited messages, channel posts, inline queries, member updates: no reply
}

func mapMessage(m *models.Message, botUsername string, now time.Time) Incoming {
	if m.From == nil || m.From.IsBot {
		return Incoming{}
	}
	group := m.Chat.Type != models.ChatTypePrivate
	ev := conversation.Event{UserID: m.From.ID, LanguageCode: m.From.LanguageCode, Group: group, Now: now}
	in := Incoming{ChatID: m.Chat.ID, Answer: true}
	text := truncate(m.Text, maxText)
	switch {
	case text == "":
		ev.Kind = conversation.KindUnsupported // sticker, photo, voice, location…
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
