package telegramtest

import (
	"context"
	"encoding/json"
	"reflect"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

type callbackState struct {
	chatID    int64
	messageID int
	updateID  int64
	answered  bool
	answer    CallbackAnswer
}

func (s *Server) getMe(_ context.Context, _ *params) (okResult, *apiError) {
	u := userJSON(s.botUser(), true)
	u["can_join_groups"] = true
	u["can_read_all_group_messages"] = false
	u["supports_inline_queries"] = false
	u["can_connect_to_business"] = false
	u["has_main_web_app"] = false
	return okResult{result: u}, nil
}

// resolveChatLocked finds the chat a chat_id parameter names. Telegram
// knows a chat only from updates; a user the bot has seen elsewhere but
// who never wrote to it privately cannot be messaged.
func (s *Server) resolveChatLocked(p *params) (*chat, *apiError) {
	v := strings.TrimSpace(p.get("chat_id"))
	if v == "" {
		return nil, badRequest("chat_id is empty")
	}
	if name, ok := strings.CutPrefix(v, "@"); ok {
		for _, c := range s.chats {
			if c.typ != "private" && strings.EqualFold(c.username, name) {
				return c, nil
			}
		}
		return nil, badRequest("chat not found")
	}
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return nil, badRequest("chat not found")
	}
	c := s.chats[id]
	if c == nil {
		if _, seen := s.users[id]; seen && id > 0 {
			return nil, forbidden("bot can't initiate conversation with a user")
		}
		return nil, badRequest("chat not found")
	}
	return c, nil
}

// writableLocked refuses sends to chats that blocked or removed the bot.
func (s *Server) writableLocked(c *chat) *apiError {
	if s.blocked[c.id] {
		if c.typ == "private" {
			return forbidden("bot was blocked by the user")
		}
		return forbidden("bot was kicked from the " + c.typ + " chat")
	}
	if c.gone != "" {
		return forbidden(c.gone)
	}
	return nil
}

// replyCheckLocked applies reply_parameters / reply_to_message_id.
func (s *Server) replyCheckLocked(c *chat, p *params) *apiError {
	msgID := p.int("reply_to_message_id", 0)
	allow := p.bool("allow_sending_without_reply")
	if raw := p.get("reply_parameters"); raw != "" {
		var rp struct {
			MessageID int64 `json:"message_id"`
			ChatID    any   `json:"chat_id"`
			Allow     bool  `json:"allow_sending_without_reply"`
		}
		if err := json.Unmarshal([]byte(raw), &rp); err != nil {
			return badRequest("can't parse reply parameters JSON object")
		}
		msgID, allow = rp.MessageID, rp.Allow
		if rp.ChatID != nil && rp.ChatID != "" {
			return nil // replies to other chats are not modelled
		}
	}
	if msgID <= 0 {
		return nil
	}
	if m := c.messages[int(msgID)]; (m == nil || m.deleted) && !allow {
		return badRequest("message to be replied not found")
	}
	return nil
}

// replyID is the message a send replies to (0: none), as replyCheckLocked read it.
func replyID(p *params) int {
	var rp struct {
		MessageID int `json:"message_id"`
	}
	if raw := p.get("reply_parameters"); raw != "" && json.Unmarshal([]byte(raw), &rp) == nil {
		return rp.MessageID
	}
	return int(p.int("reply_to_message_id", 0))
}

func (s *Server) recordLocked(sent Sent) {
	sent.At = time.Now()
	s.sent = append(s.sent, sent)
	s.signalLocked()
}

func applyMarkup(sent *Sent, mk *markup) {
	if mk == nil {
		return
	}
	sent.Buttons = mk.buttons
	sent.Keyboard = mk.keyboard
	sent.RemoveKeyboard = mk.remove
}

func (s *Server) sendMessage(_ context.Context, p *params) (okResult, *apiError) {
	raw := p.get("text")
	if raw == "" {
		return okResult{}, badRequest("message text is empty")
	}
	text, ents, aerr := formatText(raw, p.get("parse_mode"), p.get("entities"))
	if aerr != nil {
		return okResult{}, aerr
	}
	if text == "" {
		return okResult{}, badRequest("message text is empty")
	}
	mk, aerr := parseReplyMarkup(p.get("reply_markup"), false)
	if aerr != nil {
		return okResult{}, aerr
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c, aerr := s.resolveChatLocked(p)
	if aerr != nil {
		return okResult{}, aerr
	}
	if aerr := s.replyCheckLocked(c, p); aerr != nil {
		return okResult{}, aerr
	}
	if aerr := s.writableLocked(c); aerr != nil {
		return okResult{}, aerr
	}
	if utf16Len(text) > maxMessageLength {
		return okResult{}, badRequest("message is too long")
	}
	if aerr := s.rateCheckLocked(c, p.bool("allow_paid_broadcast")); aerr != nil {
		return okResult{}, aerr
	}
	m := &message{id: c.newMessageID(), fromBot: true, date: now(), kind: "text", text: text, entities: ents, markup: mk}
	c.messages[m.id] = m
	sent := Sent{Method: "sendMessage", ChatID: c.id, MessageID: m.id, Text: text, RawText: raw, ParseMode: p.get("parse_mode"), Entities: ents, PaidBroadcast: p.bool("allow_paid_broadcast"), ReplyTo: replyID(p)}
	applyMarkup(&sent, mk)
	s.recordLocked(sent)
	return okResult{result: s.messageJSON(c, m)}, nil
}

func (s *Server) sendContact(_ context.Context, p *params) (okResult, *apiError) {
	phone, first := p.get("phone_number"), p.get("first_name")
	if phone == "" {
		return okResult{}, badRequest(`parameter "phone_number" is required`)
	}
	if first == "" {
		return okResult{}, badRequest(`parameter "first_name" is required`)
	}
	mk, aerr := parseReplyMarkup(p.get("reply_markup"), false)
	if aerr != nil {
		return okResult{}, aerr
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c, aerr := s.resolveChatLocked(p)
	if aerr != nil {
		return okResult{}, aerr
	}
	if aerr := s.replyCheckLocked(c, p); aerr != nil {
		return okResult{}, aerr
	}
	if aerr := s.writableLocked(c); aerr != nil {
		return okResult{}, aerr
	}
	if aerr := s.rateCheckLocked(c, p.bool("allow_paid_broadcast")); aerr != nil {
		return okResult{}, aerr
	}
	ct := &Contact{PhoneNumber: phone, FirstName: first, LastName: p.get("last_name"), VCard: p.get("vcard")}
	m := &message{id: c.newMessageID(), fromBot: true, date: now(), kind: "contact", contact: ct, markup: mk}
	c.messages[m.id] = m
	sent := Sent{Method: "sendContact", ChatID: c.id, MessageID: m.id, Contact: ct, PaidBroadcast: p.bool("allow_paid_broadcast")}
	applyMarkup(&sent, mk)
	s.recordLocked(sent)
	return okResult{result: s.messageJSON(c, m)}, nil
}

func (s *Server) sendDocument(_ context.Context, p *params) (okResult, *apiError) {
	doc, aerr := fileParam(p, "document")
	if aerr != nil {
		return okResult{}, aerr
	}
	return s.sendFile(p, "sendDocument", "document", doc)
}

// sendPhoto sends a photo, by file_id (the bot passes on what staff sent
// it) or uploaded (a picture the bot made, such as a QR code), with a
// caption. An uploaded photo must be an image Telegram can read: a PNG,
// JPEG, GIF or WebP, at most 10 MB.
func (s *Server) sendPhoto(_ context.Context, p *params) (okResult, *apiError) {
	doc, aerr := fileParam(p, "photo")
	if aerr != nil {
		return okResult{}, aerr
	}
	if doc.FileID == "" {
		if len(doc.Data) > maxPhotoBytes {
			return okResult{}, badRequest("PHOTO_INVALID_DIMENSIONS")
		}
		if !isImage(doc.Data) {
			return okResult{}, badRequest("IMAGE_PROCESS_FAILED")
		}
	}
	return s.sendFile(p, "sendPhoto", "photo", doc)
}

const maxPhotoBytes = 10 << 20

// isImage tells whether data starts like a PNG, JPEG, GIF or WebP file.
func isImage(data []byte) bool {
	for _, magic := range []string{"\x89PNG\r\n\x1a\n", "\xff\xd8\xff", "GIF8"} {
		if strings.HasPrefix(string(data), magic) {
			return true
		}
	}
	return len(data) > 12 && string(data[:4]) == "RIFF" && string(data[8:12]) == "WEBP"
}

// fileParam reads the file of a send method: an upload (attach://name or
// the field itself as a file part) or a file_id / URL.
func fileParam(p *params, field string) (*Document, *apiError) {
	doc := &Document{}
	ref := p.get(field)
	switch {
	case strings.HasPrefix(ref, "attach://"):
		f := p.files[strings.TrimPrefix(ref, "attach://")]
		if f == nil {
			return nil, badRequest("there is no " + field + " in the request")
		}
		doc.FileName, doc.Data, doc.Size = f.filename, f.data, int64(len(f.data))
	case ref != "":
		doc.FileID = ref
	case p.files[field] != nil:
		f := p.files[field]
		doc.FileName, doc.Data, doc.Size = f.filename, f.data, int64(len(f.data))
	default:
		return nil, badRequest("there is no " + field + " in the request")
	}
	return doc, nil
}

// sendFile is what sending a document and a photo share: the caption, the
// buttons, the chat's checks and limits, and the record.
func (s *Server) sendFile(p *params, method, kind string, doc *Document) (okResult, *apiError) {
	rawCaption := p.get("caption")
	caption, ents, aerr := formatText(rawCaption, p.get("parse_mode"), p.get("caption_entities"))
	if aerr != nil {
		return okResult{}, aerr
	}
	doc.Caption = caption
	mk, aerr := parseReplyMarkup(p.get("reply_markup"), false)
	if aerr != nil {
		return okResult{}, aerr
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c, aerr := s.resolveChatLocked(p)
	if aerr != nil {
		return okResult{}, aerr
	}
	if aerr := s.replyCheckLocked(c, p); aerr != nil {
		return okResult{}, aerr
	}
	if aerr := s.writableLocked(c); aerr != nil {
		return okResult{}, aerr
	}
	if utf16Len(caption) > maxCaptionLength {
		return okResult{}, badRequest("message caption is too long")
	}
	if aerr := s.rateCheckLocked(c, p.bool("allow_paid_broadcast")); aerr != nil {
		return okResult{}, aerr
	}
	m := &message{id: c.newMessageID(), fromBot: true, date: now(), kind: kind, doc: doc, text: caption, entities: ents, markup: mk}
	c.messages[m.id] = m
	sent := Sent{Method: method, ChatID: c.id, MessageID: m.id, Text: caption, RawText: rawCaption, ParseMode: p.get("parse_mode"), Entities: ents, Document: doc, PaidBroadcast: p.bool("allow_paid_broadcast")}
	applyMarkup(&sent, mk)
	s.recordLocked(sent)
	return okResult{result: s.messageJSON(c, m)}, nil
}

var chatActions = map[string]bool{
	"cancel": true, "typing": true, "record_video": true, "upload_video": true,
	"record_audio": true, "record_voice": true, "upload_audio": true,
	"upload_voice": true, "upload_photo": true, "upload_document": true,
	"choose_sticker": true, "pick_up_location": true, "find_location": true,
	"record_video_note": true, "upload_video_note": true,
}

func (s *Server) sendChatAction(_ context.Context, p *params) (okResult, *apiError) {
	if !chatActions[strings.ToLower(p.get("action"))] {
		return okResult{}, badRequest("wrong parameter action in request")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c, aerr := s.resolveChatLocked(p)
	if aerr != nil {
		return okResult{}, aerr
	}
	if aerr := s.writableLocked(c); aerr != nil {
		return okResult{}, aerr
	}
	return okResult{result: true}, nil
}

const notModified = "message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message"

// editTargetLocked finds the bot message an edit method addresses.
func (s *Server) editTargetLocked(p *params) (*chat, *message, *apiError) {
	msgID := p.int("message_id", 0)
	if p.get("chat_id") == "" && msgID == 0 {
		if p.get("inline_message_id") == "" {
			return nil, nil, badRequest("message identifier is not specified")
		}
		return nil, nil, badRequest("MESSAGE_ID_INVALID") // inline messages are not modelled
	}
	c, aerr := s.resolveChatLocked(p)
	if aerr != nil {
		return nil, nil, aerr
	}
	m := c.messages[int(msgID)]
	if m == nil || m.deleted {
		return nil, nil, badRequest("message to edit not found")
	}
	if !m.fromBot || (m.markup != nil && m.markup.keyboard != nil) {
		return nil, nil, badRequest("message can't be edited")
	}
	return c, m, nil
}

func (s *Server) editMessageText(_ context.Context, p *params) (okResult, *apiError) {
	raw := p.get("text")
	if raw == "" {
		return okResult{}, badRequest("message text is empty")
	}
	text, ents, aerr := formatText(raw, p.get("parse_mode"), p.get("entities"))
	if aerr != nil {
		return okResult{}, aerr
	}
	if text == "" {
		return okResult{}, badRequest("message text is empty")
	}
	mk, aerr := parseReplyMarkup(p.get("reply_markup"), true)
	if aerr != nil {
		return okResult{}, aerr
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c, m, aerr := s.editTargetLocked(p)
	if aerr != nil {
		return okResult{}, aerr
	}
	if m.kind != "text" {
		return okResult{}, badRequest("there is no text in the message to edit")
	}
	if aerr := s.writableLocked(c); aerr != nil {
		return okResult{}, aerr
	}
	if utf16Len(text) > maxMessageLength {
		return okResult{}, badRequest("message is too long")
	}
	if m.text == text && sameEntities(m.entities, ents) && m.markup.equal(mk) {
		return okResult{}, badRequest(notModified)
	}
	m.text, m.entities, m.markup, m.editDate = text, ents, mk, now()
	sent := Sent{Method: "editMessageText", ChatID: c.id, MessageID: m.id, Text: text, RawText: raw, ParseMode: p.get("parse_mode"), Entities: ents}
	applyMarkup(&sent, mk)
	s.recordLocked(sent)
	return okResult{result: s.messageJSON(c, m)}, nil
}

func (s *Server) editMessageReplyMarkup(_ context.Context, p *params) (okResult, *apiError) {
	mk, aerr := parseReplyMarkup(p.get("reply_markup"), true)
	if aerr != nil {
		return okResult{}, aerr
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c, m, aerr := s.editTargetLocked(p)
	if aerr != nil {
		return okResult{}, aerr
	}
	if aerr := s.writableLocked(c); aerr != nil {
		return okResult{}, aerr
	}
	if m.markup.equal(mk) {
		return okResult{}, badRequest(notModified)
	}
	m.markup, m.editDate = mk, now()
	sent := Sent{Method: "editMessageReplyMarkup", ChatID: c.id, MessageID: m.id, Text: m.text, Entities: m.entities, Contact: m.contact, Document: m.doc}
	applyMarkup(&sent, mk)
	s.recordLocked(sent)
	return okResult{result: s.messageJSON(c, m)}, nil
}

func sameEntities(a, b []Entity) bool {
	if len(a) == 0 && len(b) == 0 {
		return true
	}
	return reflect.DeepEqual(a, b)
}

func (s *Server) deleteMessage(_ context.Context, p *params) (okResult, *apiError) {
	if p.get("chat_id") == "" {
		return okResult{}, badRequest("chat identifier is not specified")
	}
	msgID := p.int("message_id", 0)
	if msgID == 0 {
		return okResult{}, badRequest("message identifier is not specified")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c, aerr := s.resolveChatLocked(p)
	if aerr != nil {
		return okResult{}, aerr
	}
	m := c.messages[int(msgID)]
	if m == nil || m.deleted {
		return okResult{}, badRequest("message to delete not found")
	}
	m.deleted = true
	s.signalLocked()
	return okResult{result: true}, nil
}

func (s *Server) answerCallbackQuery(_ context.Context, p *params) (okResult, *apiError) {
	id := p.get("callback_query_id")
	text := p.get("text")
	s.mu.Lock()
	defer s.mu.Unlock()
	cb := s.callbacks[id]
	if cb == nil || cb.answered {
		return okResult{}, badRequest("query is too old and response timeout expired or query ID is invalid")
	}
	if utf8.RuneCountInString(text) > 200 {
		return okResult{}, badRequest("MESSAGE_TOO_LONG")
	}
	cb.answered = true
	cb.answer = CallbackAnswer{QueryID: id, Text: text, ShowAlert: p.bool("show_alert"), URL: p.get("url"), CacheTime: int(p.int("cache_time", 0))}
	s.signalLocked()
	return okResult{result: true}, nil
}

// commandScopeKeyLocked validates scope and language_code of the *MyCommands
// methods and returns the storage key.
func (s *Server) commandScopeKeyLocked(p *params) (string, *apiError) {
	scope := "default"
	if raw := p.get("scope"); raw != "" {
		var sc struct {
			Type   string `json:"type"`
			ChatID any    `json:"chat_id"`
			UserID int64  `json:"user_id"`
		}
		if err := json.Unmarshal([]byte(raw), &sc); err != nil {
			return "", badRequest("can't parse BotCommandScope JSON object")
		}
		switch sc.Type {
		case "default", "all_private_chats", "all_group_chats", "all_chat_administrators":
			scope = sc.Type
		case "chat", "chat_administrators", "chat_member":
			cp := &params{values: map[string]string{"chat_id": strings.Trim(jsonText(sc.ChatID), `"`)}}
			c, aerr := s.resolveChatLocked(cp)
			if aerr != nil {
				return "", aerr
			}
			scope = sc.Type + ":" + strconv.FormatInt(c.id, 10)
			if sc.Type == "chat_member" {
				scope += ":" + strconv.FormatInt(sc.UserID, 10)
			}
		default:
			return "", badRequest("unsupported bot command scope type specified")
		}
	}
	lang, aerr := languageCode(p)
	if aerr != nil {
		return "", aerr
	}
	return scope + "|" + lang, nil
}

func jsonText(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func languageCode(p *params) (string, *apiError) {
	lang := p.get("language_code")
	if lang == "" || (len(lang) == 2 && 'a' <= lang[0] && lang[0] <= 'z' && 'a' <= lang[1] && lang[1] <= 'z') {
		return lang, nil
	}
	return "", badRequest("invalid language code specified")
}

func (s *Server) setMyCommands(_ context.Context, p *params) (okResult, *apiError) {
	var list []json.RawMessage
	if err := json.Unmarshal([]byte(p.get("commands")), &list); err != nil {
		var v any
		if json.Unmarshal([]byte(p.get("commands")), &v) == nil {
			return okResult{}, badRequest("expected an Array of BotCommand")
		}
		return okResult{}, badRequest("can't parse commands JSON object")
	}
	var cmds []BotCommand
	for _, raw := range list {
		var obj map[string]any
		dec := json.NewDecoder(strings.NewReader(string(raw)))
		dec.UseNumber()
		if err := dec.Decode(&obj); err != nil || obj == nil {
			return okResult{}, badRequest("expected BotCommand to be an Object")
		}
		cmd, ferr := reqString(obj, "command")
		if ferr != "" {
			return okResult{}, badRequest(lowerFirst(string(ferr)))
		}
		desc, ferr := reqString(obj, "description")
		if ferr != "" {
			return okResult{}, badRequest(lowerFirst(string(ferr)))
		}
		cmds = append(cmds, BotCommand{Command: cmd, Description: desc})
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	key, aerr := s.commandScopeKeyLocked(p)
	if aerr != nil {
		return okResult{}, aerr
	}
	for i, c := range cmds {
		c.Command = strings.TrimPrefix(strings.TrimSpace(c.Command), "/")
		if c.Command == "" {
			return okResult{}, badRequest("command must be non-empty")
		}
		if utf8.RuneCountInString(c.Command) > 32 {
			return okResult{}, badRequest("command length must not exceed 32")
		}
		c.Description = strings.TrimSpace(c.Description)
		if c.Description == "" {
			return okResult{}, badRequest("command description must be non-empty")
		}
		if utf8.RuneCountInString(c.Description) > 256 {
			return okResult{}, badRequest("command description length must not exceed 256")
		}
		cmds[i] = c
	}
	if len(cmds) > 100 {
		return okResult{}, badRequest("BOT_COMMANDS_TOO_MUCH")
	}
	for _, c := range cmds {
		for i := 0; i < len(c.Command); i++ {
			ch := c.Command[i]
			if !('a' <= ch && ch <= 'z') && !('0' <= ch && ch <= '9') && ch != '_' {
				return okResult{}, badRequest("BOT_COMMAND_INVALID")
			}
		}
	}
	if len(cmds) == 0 {
		delete(s.commands, key)
	} else {
		s.commands[key] = cmds
	}
	s.signalLocked()
	return okResult{result: true}, nil
}

func (s *Server) getMyCommands(_ context.Context, p *params) (okResult, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	key, aerr := s.commandScopeKeyLocked(p)
	if aerr != nil {
		return okResult{}, aerr
	}
	out := append([]BotCommand{}, s.commands[key]...)
	return okResult{result: out}, nil
}

func (s *Server) deleteMyCommands(_ context.Context, p *params) (okResult, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	key, aerr := s.commandScopeKeyLocked(p)
	if aerr != nil {
		return okResult{}, aerr
	}
	delete(s.commands, key)
	return okResult{result: true}, nil
}

// setText stores a per-language bot text (name, description, short
// description); an empty value removes the language's own text.
func (s *Server) setText(store map[string]string, p *params, field string, limit int) (okResult, *apiError) {
	lang, aerr := languageCode(p)
	if aerr != nil {
		return okResult{}, aerr
	}
	v := p.get(field)
	if utf8.RuneCountInString(v) > limit {
		return okResult{}, badRequest(strings.ToUpper(field) + "_INVALID")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if v == "" {
		delete(store, lang)
	} else {
		store[lang] = v
	}
	return okResult{result: true}, nil
}

func (s *Server) getText(store map[string]string, p *params, field string) (okResult, *apiError) {
	lang, aerr := languageCode(p)
	if aerr != nil {
		return okResult{}, aerr
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := store[lang]
	if !ok {
		v = store[""]
	}
	if field == "name" && v == "" {
		v = s.cfg.botFirstName
	}
	return okResult{result: map[string]string{field: v}}, nil
}

func (s *Server) setMyName(_ context.Context, p *params) (okResult, *apiError) {
	return s.setText(s.names, p, "name", 64)
}

func (s *Server) getMyName(_ context.Context, p *params) (okResult, *apiError) {
	return s.getText(s.names, p, "name")
}

func (s *Server) setMyDescription(_ context.Context, p *params) (okResult, *apiError) {
	return s.setText(s.descriptions, p, "description", 512)
}

func (s *Server) getMyDescription(_ context.Context, p *params) (okResult, *apiError) {
	return s.getText(s.descriptions, p, "description")
}

func (s *Server) setMyShortDescription(_ context.Context, p *params) (okResult, *apiError) {
	return s.setText(s.shortDescriptions, p, "short_description", 120)
}

func (s *Server) getMyShortDescription(_ context.Context, p *params) (okResult, *apiError) {
	return s.getText(s.shortDescriptions, p, "short_description")
}
