package telegramtest

import (
	"encoding/json"
	"hash/fnv"
	"strconv"
	"time"
)

// chat is a chat the server knows from an update.
type chat struct {
	id        int64
	typ       string // private, group, supergroup or channel
	title     string
	username  string
	firstName string
	lastName  string
	nextMsgID int
	messages  map[int]*message
	// gone, when set, is the 403 description for any send to the chat
	// (the bot was kicked from or left the group).
	gone string
}

// message is a message in a chat, sent by the bot or by a resident.
type message struct {
	id       int
	fromBot  bool
	from     User
	date     int64
	editDate int64
	kind     string // "text", "contact", "document" or "other"
	text     string // text, or caption of a document
	entities []Entity
	markup   *markup
	contact  *Contact
	doc      *Document
	deleted  bool
	raw      map[string]json.RawMessage // for messages pushed as raw JSON
}

func (c *chat) newMessageID() int {
	c.nextMsgID++
	return c.nextMsgID
}

func (c *chat) json() map[string]any {
	out := map[string]any{"id": c.id, "type": c.typ}
	switch c.typ {
	case "private":
		out["first_name"] = c.firstName
		if c.lastName != "" {
			out["last_name"] = c.lastName
		}
	default:
		out["title"] = c.title
	}
	if c.username != "" {
		out["username"] = c.username
	}
	return out
}

func userJSON(u User, isBot bool) map[string]any {
	out := map[string]any{"id": u.ID, "is_bot": isBot, "first_name": u.FirstName}
	if u.LastName != "" {
		out["last_name"] = u.LastName
	}
	if u.Username != "" {
		out["username"] = u.Username
	}
	if u.LanguageCode != "" {
		out["language_code"] = u.LanguageCode
	}
	return out
}

func (s *Server) botUser() User {
	return User{ID: s.cfg.botID, FirstName: s.cfg.botFirstName, Username: s.cfg.botUsername}
}

// messageJSON renders a message as the Bot API's Message object.
func (s *Server) messageJSON(c *chat, m *message) map[string]any {
	if m.raw != nil {
		out := map[string]any{}
		for k, v := range m.raw {
			out[k] = v
		}
		return out
	}
	out := map[string]any{"message_id": m.id, "chat": c.json(), "date": m.date}
	if m.fromBot {
		out["from"] = userJSON(s.botUser(), true)
	} else {
		out["from"] = userJSON(m.from, false)
	}
	if m.editDate != 0 {
		out["edit_date"] = m.editDate
	}
	switch m.kind {
	case "text":
		out["text"] = m.text
		if len(m.entities) > 0 {
			out["entities"] = m.entities
		}
	case "contact":
		ct := map[string]any{"phone_number": m.contact.PhoneNumber, "first_name": m.contact.FirstName}
		if m.contact.LastName != "" {
			ct["last_name"] = m.contact.LastName
		}
		if m.contact.VCard != "" {
			ct["vcard"] = m.contact.VCard
		}
		out["contact"] = ct
	case "document":
		d := map[string]any{
			"file_id":        fileID(c.id, m.id),
			"file_unique_id": "AgAD" + strconv.Itoa(m.id),
			"file_size":      m.doc.Size,
		}
		if m.doc.FileID != "" && m.doc.FileName == "" {
			d["file_id"] = m.doc.FileID
		}
		if m.doc.FileName != "" {
			d["file_name"] = m.doc.FileName
		}
		out["document"] = d
		if m.text != "" {
			out["caption"] = m.text
			if len(m.entities) > 0 {
				out["caption_entities"] = m.entities
			}
		}
	case "photo":
		id := m.doc.FileID
		if id == "" { // uploaded: Telegram gives it an id of its own
			id = "AgAC" + strconv.Itoa(m.id)
		}
		out["photo"] = []map[string]any{{"file_id": id, "file_unique_id": "AQAD" + strconv.Itoa(m.id), "width": 1280, "height": 960}}
		if m.text != "" {
			out["caption"] = m.text
			if len(m.entities) > 0 {
				out["caption_entities"] = m.entities
			}
		}
	}
	if m.markup != nil && m.markup.inline != nil {
		out["reply_markup"] = map[string]any{"inline_keyboard": m.markup.inline}
	}
	return out
}

func fileID(chatID int64, msgID int) string {
	return "BQACAgIAAx" + strconv.FormatInt(chatID, 36) + "_" + strconv.Itoa(msgID)
}

// chatInstance is the opaque, per-chat stable chat_instance of callback
// queries.
func chatInstance(botID, chatID int64) string {
	h := fnv.New64a()
	_, _ = h.Write([]byte(strconv.FormatInt(botID, 10) + "/" + strconv.FormatInt(chatID, 10)))
	return strconv.FormatInt(int64(h.Sum64()>>1)*-1, 10)
}

func now() int64 { return time.Now().Unix() }

// rememberUser records a user seen in an update. s.mu must be held.
func (s *Server) rememberUser(u User) {
	if u.ID != 0 {
		s.users[u.ID] = u
	}
}

// privateChat returns the private chat with u, creating it. s.mu must be
// held.
func (s *Server) privateChat(u User) *chat {
	c := s.chats[u.ID]
	if c == nil {
		c = &chat{id: u.ID, typ: "private", messages: map[int]*message{}}
		s.chats[u.ID] = c
	}
	c.firstName, c.lastName, c.username = u.FirstName, u.LastName, u.Username
	return c
}

// groupChat returns the group with id, creating it. s.mu must be held.
func (s *Server) groupChat(id int64) *chat {
	c := s.chats[id]
	if c == nil {
		typ := "group"
		if id <= -1000000000000 {
			typ = "supergroup"
		}
		c = &chat{id: id, typ: typ, title: "Test Group", messages: map[int]*message{}}
		s.chats[id] = c
	}
	return c
}
