package telegramtest

import (
	"encoding/json"
	"fmt"
	"strconv"
)

// SendText simulates user writing text to the bot in their private chat and
// returns the update_id it queued (0 if the bot's allowed_updates exclude
// messages). Bot commands ("/start", "/help@test_bot") and @mentions get
// their entities as Telegram attaches them.
func (s *Server) SendText(user User, text string) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rememberUser(user)
	c := s.privateChat(user)
	return s.userMessageLocked(c, user, text)
}

// SendGroupText simulates user writing text in the group chatID (a
// supergroup when chatID <= -1000000000000) and returns the update_id.
func (s *Server) SendGroupText(chatID int64, user User, text string) int64 {
	if chatID >= 0 {
		panic("telegramtest: SendGroupText needs a negative group chat id")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rememberUser(user)
	c := s.groupChat(chatID)
	return s.userMessageLocked(c, user, text)
}

func (s *Server) userMessageLocked(c *chat, user User, text string) int64 {
	m := &message{id: c.newMessageID(), from: user, date: now(), kind: "text", text: text, entities: incomingEntities(text)}
	c.messages[m.id] = m
	return s.enqueueLocked("message", s.messageJSON(c, m), c.id)
}

// ReplyText simulates user answering the bot's message messageID in their
// private chat with Telegram's Reply: the update carries that message as
// reply_to_message, buttons included, as Telegram sends it.
func (s *Server) ReplyText(user User, messageID int, text string) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rememberUser(user)
	c := s.privateChat(user)
	replied := c.messages[messageID]
	if replied == nil || replied.deleted {
		panic(fmt.Sprintf("telegramtest: reply: no message %d in chat %d", messageID, c.id))
	}
	m := &message{id: c.newMessageID(), from: user, date: now(), kind: "text", text: text, entities: incomingEntities(text)}
	c.messages[m.id] = m
	body := s.messageJSON(c, m)
	body["reply_to_message"] = s.messageJSON(c, replied)
	return s.enqueueLocked("message", body, c.id)
}

// PressButton simulates user pressing the inline button with callback data
// data under the bot's message messageID in their private chat. It queues a
// callback_query with a fresh id and the message it belongs to, and returns
// its update_id. It panics when that message has no such button: a real
// user cannot press a button the bot did not show.
func (s *Server) PressButton(user User, messageID int, data string) int64 {
	return s.press(user.ID, user, messageID, data)
}

// PressGroupButton is PressButton for a button under a bot message in the
// group chatID.
func (s *Server) PressGroupButton(chatID int64, user User, messageID int, data string) int64 {
	return s.press(chatID, user, messageID, data)
}

func (s *Server) press(chatID int64, user User, messageID int, data string) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.chats[chatID]
	if c == nil {
		panic(fmt.Sprintf("telegramtest: press: chat %d is unknown", chatID))
	}
	m := c.messages[messageID]
	if m == nil || m.deleted {
		panic(fmt.Sprintf("telegramtest: press: no message %d in chat %d", messageID, chatID))
	}
	found := false
	if m.markup != nil {
		for _, row := range m.markup.buttons {
			for _, b := range row {
				if b.CallbackData == data && b.URL == "" && b.CopyText == "" {
					found = true
				}
			}
		}
	}
	if !found {
		panic(fmt.Sprintf("telegramtest: press: message %d in chat %d has no button with callback_data %q", messageID, chatID, data))
	}
	s.rememberUser(user)
	s.callbackSeq++
	// Telegram's callback query ids are large decimal numbers.
	id := strconv.FormatUint(4300000000000000000+uint64(s.callbackSeq)*1000003, 10)
	body := map[string]any{
		"id":            id,
		"from":          userJSON(user, false),
		"message":       s.messageJSON(c, m),
		"chat_instance": chatInstance(s.cfg.botID, chatID),
		"data":          data,
	}
	upd := s.enqueueLocked("callback_query", body, user.ID+3<<33)
	s.callbacks[id] = &callbackState{chatID: chatID, messageID: messageID, updateID: upd}
	if upd != 0 {
		s.callbackByUpdate[upd] = id
	}
	return upd
}

// PushUpdate queues any update, given as a map, a struct or raw JSON
// (json.RawMessage, []byte or string) without update_id, e.g.
// {"edited_message": {...}} or {"my_chat_member": {...}}. The server sets
// update_id and returns it (0 when allowed_updates exclude the kind).
// Chats and users found in the update become known, so the bot may answer
// them; a my_chat_member update with status "kicked" in a private chat
// blocks the chat, as a user blocking the bot does.
func (s *Server) PushUpdate(update any) int64 {
	var raw []byte
	switch u := update.(type) {
	case json.RawMessage:
		raw = u
	case []byte:
		raw = u
	case string:
		raw = []byte(u)
	default:
		var err error
		if raw, err = json.Marshal(u); err != nil {
			panic("telegramtest: PushUpdate: " + err.Error())
		}
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(raw, &obj); err != nil {
		panic("telegramtest: PushUpdate: not a JSON object: " + err.Error())
	}
	delete(obj, "update_id")
	if len(obj) != 1 {
		panic(fmt.Sprintf("telegramtest: PushUpdate: an update has exactly one field besides update_id, got %d", len(obj)))
	}
	var kind string
	var body json.RawMessage
	for k, v := range obj {
		kind, body = k, v
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	key := s.learnLocked(kind, body)
	return s.enqueueLocked(kind, body, key)
}

type rawChat struct {
	ID        int64  `json:"id"`
	Type      string `json:"type"`
	Title     string `json:"title"`
	Username  string `json:"username"`
	FirstName string `json:"first_name"`
	LastName  string `json:"last_name"`
}

type rawUser struct {
	ID           int64  `json:"id"`
	IsBot        bool   `json:"is_bot"`
	FirstName    string `json:"first_name"`
	LastName     string `json:"last_name"`
	Username     string `json:"username"`
	LanguageCode string `json:"language_code"`
}

func (u rawUser) user() User {
	return User{ID: u.ID, FirstName: u.FirstName, LastName: u.LastName, LanguageCode: u.LanguageCode, Username: u.Username}
}

// learnLocked records the chats, users and messages of a pushed update and
// returns its webhook queue key.
func (s *Server) learnLocked(kind string, body json.RawMessage) int64 {
	var u struct {
		Chat      *rawChat                   `json:"chat"`
		From      *rawUser                   `json:"from"`
		MessageID int                        `json:"message_id"`
		Message   map[string]json.RawMessage `json:"message"`
		NewMember *struct {
			Status string `json:"status"`
		} `json:"new_chat_member"`
	}
	_ = json.Unmarshal(body, &u)
	if u.From != nil && !u.From.IsBot {
		s.rememberUser(u.From.user())
	}
	if u.Chat == nil || u.Chat.ID == 0 {
		if u.From != nil {
			return u.From.ID
		}
		return 0
	}
	c := s.chats[u.Chat.ID]
	if c == nil {
		c = &chat{id: u.Chat.ID, typ: u.Chat.Type, messages: map[int]*message{}}
		if c.typ == "" {
			c.typ = "private"
			if c.id < 0 {
				c.typ = "group"
			}
		}
		s.chats[c.id] = c
	}
	if u.Chat.Title != "" {
		c.title = u.Chat.Title
	}
	if u.Chat.Username != "" {
		c.username = u.Chat.Username
	}
	if u.Chat.FirstName != "" {
		c.firstName, c.lastName = u.Chat.FirstName, u.Chat.LastName
	}
	switch kind {
	case "message", "edited_message", "channel_post", "edited_channel_post", "business_message", "edited_business_message":
		if u.MessageID > 0 {
			var m map[string]json.RawMessage
			_ = json.Unmarshal(body, &m)
			old := c.messages[u.MessageID]
			msg := &message{id: u.MessageID, kind: "other", date: now(), raw: m}
			if u.From != nil {
				msg.from = u.From.user()
			}
			if old == nil || !old.fromBot {
				c.messages[u.MessageID] = msg
			}
			if u.MessageID > c.nextMsgID {
				c.nextMsgID = u.MessageID
			}
		}
	case "my_chat_member":
		if u.NewMember != nil {
			switch u.NewMember.Status {
			case "kicked":
				if c.typ == "private" {
					s.blocked[c.id] = true
				} else {
					c.gone = "bot was kicked from the " + c.typ + " chat"
				}
			case "left":
				if c.typ != "private" {
					c.gone = "bot is not a member of the " + c.typ + " chat"
				}
			case "member", "administrator", "creator":
				delete(s.blocked, c.id)
				c.gone = ""
			}
		}
	}
	return c.id
}
