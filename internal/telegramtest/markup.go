package telegramtest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
)

// markup is a validated reply_markup.
type markup struct {
	// inline is the inline keyboard as Telegram echoes it in Message
	// objects (text plus the one action it uses); nil when none.
	inline     [][]map[string]any
	buttons    [][]Button
	keyboard   [][]string
	remove     bool
	forceReply bool
	key        string // canonical form, to detect "message is not modified"
}

func (m *markup) equal(o *markup) bool {
	ik := func(m *markup) string {
		if m == nil || m.inline == nil {
			return ""
		}
		return m.key
	}
	return ik(m) == ik(o)
}

type fieldError string

func fieldTypeError(name, typ string) fieldError {
	return fieldError(fmt.Sprintf("Field \"%s\" must be of type %s", name, typ))
}

// optString reads an optional string field like tdlib's JsonObject does.
func optString(obj map[string]any, name string) (string, bool, fieldError) {
	v, ok := obj[name]
	if !ok || v == nil {
		return "", false, ""
	}
	switch t := v.(type) {
	case string:
		return t, true, ""
	case json.Number:
		return t.String(), true, ""
	}
	return "", true, fieldTypeError(name, "String")
}

func reqString(obj map[string]any, name string) (string, fieldError) {
	s, ok, err := optString(obj, name)
	if err != "" {
		return "", err
	}
	if !ok {
		return "", fieldError(fmt.Sprintf("Can't find field \"%s\"", name))
	}
	return s, ""
}

func optBool(obj map[string]any, name string) (bool, fieldError) {
	v, ok := obj[name]
	if !ok || v == nil {
		return false, ""
	}
	switch t := v.(type) {
	case bool:
		return t, ""
	case json.Number:
		return t.String() != "0", ""
	case string:
		return t == "true" || t == "1", ""
	}
	return false, fieldTypeError(name, "Boolean")
}

// parseReplyMarkup validates a reply_markup parameter the way the Bot API
// (parsing), tdlib (button checks) and Telegram's server (BUTTON_* errors)
// do, in that order. inlineOnly is for the edit methods, which accept only
// inline keyboards.
func parseReplyMarkup(raw string, inlineOnly bool) (*markup, *apiError) {
	if raw == "" {
		return nil, nil
	}
	dec := json.NewDecoder(strings.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil || dec.More() {
		return nil, badRequest("can't parse reply keyboard markup JSON object")
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return nil, badRequest("object expected as reply markup")
	}
	m := &markup{}

	var rows [][]string
	if kb, ok := obj["keyboard"]; ok && kb != nil {
		arr, ok := kb.([]any)
		if !ok {
			return nil, badRequest(lowerFirst(string(fieldTypeError("keyboard", "Array"))))
		}
		for _, row := range arr {
			r, ok := row.([]any)
			if !ok {
				return nil, badRequest("field \"keyboard\" must be an Array of Arrays")
			}
			var texts []string
			for _, b := range r {
				switch bt := b.(type) {
				case string:
					texts = append(texts, bt)
				case map[string]any:
					text, ferr := reqString(bt, "text")
					if ferr != "" {
						return nil, badRequest("can't parse keyboard button: " + string(ferr))
					}
					texts = append(texts, text)
				default:
					return nil, badRequest("can't parse keyboard button: KeyboardButton must be a String or an Object")
				}
			}
			rows = append(rows, texts)
		}
	}

	type pending struct {
		text, action, value string
	}
	var inlineRows [][]pending
	if ik, ok := obj["inline_keyboard"]; ok && ik != nil {
		arr, ok := ik.([]any)
		if !ok {
			return nil, badRequest(lowerFirst(string(fieldTypeError("inline_keyboard", "Array"))))
		}
		for _, row := range arr {
			r, ok := row.([]any)
			if !ok {
				return nil, badRequest("field \"inline_keyboard\" of the InlineKeyboardMarkup must be an Array of Arrays")
			}
			var out []pending
			for _, b := range r {
				bo, ok := b.(map[string]any)
				if !ok {
					return nil, badRequest("can't parse InlineKeyboardButton: InlineKeyboardButton must be an Object")
				}
				pb, ferr := parseInlineButton(bo)
				if ferr != "" {
					return nil, badRequest("can't parse InlineKeyboardButton: " + string(ferr))
				}
				out = append(out, pending{text: pb[0], action: pb[1], value: pb[2]})
			}
			inlineRows = append(inlineRows, out)
		}
	}
	removeKb, ferr := optBool(obj, "remove_keyboard")
	if ferr != "" {
		return nil, badRequest(lowerFirst(string(ferr)))
	}
	hideKb, _ := optBool(obj, "hide_keyboard")
	forceReply, ferr := optBool(obj, "force_reply")
	if ferr != "" {
		return nil, badRequest(lowerFirst(string(ferr)))
	}

	switch {
	case len(rows) > 0:
		m.keyboard = rows
	case len(inlineRows) > 0:
		m.inline = [][]map[string]any{}
		m.buttons = [][]Button{}
	case removeKb || hideKb:
		m.remove = true
	case forceReply:
		m.forceReply = true
	default:
		return nil, nil
	}
	if inlineOnly && m.inline == nil {
		return nil, badRequest("inline keyboard expected")
	}
	if m.keyboard != nil {
		for _, r := range rows {
			for _, t := range r {
				if t == "" {
					return nil, badRequest("keyboard button text must be non-empty")
				}
			}
		}
		return m, nil
	}
	if m.inline == nil {
		return m, nil
	}
	// tdlib's checks, then the server's.
	for _, r := range inlineRows {
		for _, b := range r {
			if b.text == "" {
				return nil, badRequest("inline keyboard button text must be non-empty")
			}
		}
	}
	for _, r := range inlineRows {
		var row []map[string]any
		var btns []Button
		for _, b := range r {
			echo := map[string]any{"text": b.text}
			btn := Button{Text: b.text}
			switch b.action {
			case "copy_text":
				if b.value == "" {
					return nil, badRequest("BUTTON_COPY_TEXT_INVALID")
				}
				echo["copy_text"] = map[string]any{"text": b.value}
				btn.CopyText = b.value
			case "url":
				if !validButtonURL(b.value) {
					return nil, badRequest("BUTTON_URL_INVALID")
				}
				echo["url"] = b.value
				btn.URL = b.value
			case "callback_data":
				if len(b.value) > 64 {
					return nil, badRequest("BUTTON_DATA_INVALID")
				}
				echo["callback_data"] = b.value
				btn.CallbackData = b.value
			case "callback_game":
				echo["callback_game"] = map[string]any{}
			case "pay":
				echo["pay"] = true
			case "web_app", "login_url":
				if !validButtonURL(b.value) {
					return nil, badRequest("BUTTON_URL_INVALID")
				}
				echo[b.action] = map[string]any{"url": b.value}
				btn.URL = b.value
			default:
				echo[b.action] = b.value
			}
			row = append(row, echo)
			btns = append(btns, btn)
		}
		if row == nil {
			row = []map[string]any{}
		}
		m.inline = append(m.inline, row)
		m.buttons = append(m.buttons, btns)
	}
	key, _ := json.Marshal(m.inline)
	m.key = string(key)
	return m, nil
}

var buttonStyles = map[string]bool{"": true, "default": true, "primary": true, "success": true, "danger": true}

// parseInlineButton returns text, action field and its value of one inline
// keyboard button. The action is chosen as the Bot API chooses it when
// several are given: copy_text, then url, callback_data and the rest.
func parseInlineButton(obj map[string]any) ([3]string, fieldError) {
	var none [3]string
	text, ferr := reqString(obj, "text")
	if ferr != "" {
		return none, ferr
	}
	style, _, ferr := optString(obj, "style")
	if ferr != "" {
		return none, ferr
	}
	if !buttonStyles[style] {
		return none, "invalid button style specified"
	}
	if ct, ok := obj["copy_text"]; ok && ct != nil {
		cto, ok := ct.(map[string]any)
		if !ok {
			return none, fieldTypeError("copy_text", "Object")
		}
		t, ferr := reqString(cto, "text")
		if ferr != "" {
			return none, ferr
		}
		return [3]string{text, "copy_text", t}, ""
	}
	for _, f := range []string{"url", "callback_data"} {
		v, _, ferr := optString(obj, f)
		if ferr != "" {
			return none, ferr
		}
		if v != "" {
			return [3]string{text, f, v}, ""
		}
	}
	if v, ok := obj["callback_game"]; ok && v != nil {
		return [3]string{text, "callback_game", ""}, ""
	}
	if v, ok := obj["pay"]; ok && v != nil {
		if b, _ := v.(bool); b {
			return [3]string{text, "pay", ""}, ""
		}
	}
	for _, f := range []string{"switch_inline_query", "switch_inline_query_current_chat"} {
		if _, ok := obj[f]; ok {
			v, ferr := reqString(obj, f)
			if ferr != "" {
				return none, ferr
			}
			return [3]string{text, f, v}, ""
		}
	}
	for _, f := range []string{"switch_inline_query_chosen_chat", "login_url", "web_app"} {
		v, ok := obj[f]
		if !ok || v == nil {
			continue
		}
		o, ok := v.(map[string]any)
		if !ok {
			return none, fieldTypeError(f, "Object")
		}
		if f == "switch_inline_query_chosen_chat" {
			q, _, _ := optString(o, "query")
			return [3]string{text, f, q}, ""
		}
		u, ferr := reqString(o, "url")
		if ferr != "" {
			return none, ferr
		}
		return [3]string{text, f, u}, ""
	}
	return none, "Text buttons are not allowed in the inline keyboard"
}

// validButtonURL accepts the links Telegram accepts in URL buttons: http,
// https and tg links (a bare host means http). tel:, mailto: and the like
// are rejected with BUTTON_URL_INVALID.
func validButtonURL(raw string) bool {
	raw = strings.TrimSpace(raw)
	lower := strings.ToLower(raw)
	if strings.HasPrefix(lower, "tg://") {
		return len(raw) > len("tg://")
	}
	if !strings.Contains(lower, "://") {
		if strings.Contains(lower, ":") && !strings.Contains(lower, ".") {
			return false // scheme:opaque such as tel:+49...
		}
		if strings.HasPrefix(lower, "mailto:") || strings.HasPrefix(lower, "tel:") || strings.HasPrefix(lower, "sms:") {
			return false
		}
		raw = "http://" + raw
		lower = "http://" + lower
	}
	if !strings.HasPrefix(lower, "http://") && !strings.HasPrefix(lower, "https://") {
		return false
	}
	u, err := url.Parse(raw)
	if err != nil || u.Hostname() == "" || strings.ContainsAny(u.Host, " <>\"") {
		return false
	}
	return true
}

func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	b := []byte(s)
	if len(b) >= 2 && (b[1] == '_' || ('A' <= b[1] && b[1] <= 'Z')) {
		return s
	}
	b[0] = bytes.ToLower(b[:1])[0]
	return string(b)
}
