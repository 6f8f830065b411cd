package telegram

import (
	"strings"
	"unicode/utf16"

	"github.com/integrationsagentur-marl/integrabot/internal/conversation"
)

// Telegram's limits.
const (
	maxMessageUTF16 = 4096 // characters of a message, counted in UTF-16 code units
	maxCaptionUTF16 = 1024 // characters of a caption
	maxCallbackData = 64   // bytes
	maxButtonLabel  = 64   // characters we allow on a button; longer labels are cut
)

// inlineKeyboard is the reply_markup for inline buttons. go-telegram/bot's own
// models.InlineKeyboardButton always sends "copy_text":{"text":""}, which
// Telegram may reject; these types send only what is set.
type inlineKeyboard struct {
	InlineKeyboard [][]inlineButton `json:"inline_keyboard"`
}

type inlineButton struct {
	Text         string `json:"text"`
	CallbackData string `json:"callback_data,omitempty"`
	URL          string `json:"url,omitempty"`
}

// Message is one API call's worth of a reply.
type Message struct {
	Text     string // HTML, at most 4096 characters (1024 as a document's caption)
	Markup   *inlineKeyboard
	Contact  *conversation.Contact
	Document *conversation.Document
	Media    *conversation.Media
	ReplyTo  int // a reply to this message of the chat (0: none)
}

// Messages turns the core's replies into API calls: long texts are split at
// paragraph boundaries, buttons go under the last part, button data that
// Telegram would refuse is dropped rather than failing the whole reply.
func Messages(replies []conversation.Reply) []Message {
	var out []Message
	for _, r := range replies {
		markup := keyboard(r.Buttons)
		if r.Contact != nil {
			out = append(out, Message{Contact: r.Contact, Markup: markup})
			continue
		}
		if r.Document != nil || r.Media != nil {
			caption, _ := cutUTF16(stripTags(r.Text), maxCaptionUTF16) // a caption is short; the file says it all
			if utf16Len(r.Text) <= maxCaptionUTF16 {
				caption = r.Text
			}
			out = append(out, Message{Document: r.Document, Media: r.Media, Text: caption, Markup: markup})
			continue
		}
		parts := split(r.Text, maxMessageUTF16)
		for i, p := range parts {
			m := Message{Text: p}
			if i == 0 {
				m.ReplyTo = r.ReplyTo
			}
			if i == len(parts)-1 {
				m.Markup = markup
			}
			out = append(out, m)
		}
	}
	return out
}

func keyboard(rows [][]conversation.Button) *inlineKeyboard {
	var kb inlineKeyboard
	for _, row := range rows {
		var r []inlineButton
		for _, b := range row {
			label := strings.TrimSpace(b.Label)
			if label == "" || (b.URL == "" && (b.Data == "" || len(b.Data) > maxCallbackData)) {
				continue
			}
			if l := []rune(label); len(l) > maxButtonLabel {
				label = string(l[:maxButtonLabel-1]) + "…"
			}
			r = append(r, inlineButton{Text: label, CallbackData: b.Data, URL: b.URL})
		}
		if len(r) > 0 {
			kb.InlineKeyboard = append(kb.InlineKeyboard, r)
		}
	}
	if len(kb.InlineKeyboard) == 0 {
		return nil
	}
	return &kb
}

func splitName(name string) (first, last string) {
	i := strings.LastIndex(name, " ")
	if i < 0 {
		return name, ""
	}
	return name[:i], name[i+1:]
}

// split cuts HTML text into parts of at most limit UTF-16 units, at blank
// lines, then line breaks, so that no tag is cut (the core closes every tag
// within a line). A single line longer than the limit is cut between characters
// after its tags are removed.
func split(text string, limit int) []string {
	if utf16Len(text) <= limit {
		return []string{text}
	}
	var parts []string
	var cur strings.Builder
	flush := func() {
		if s := strings.TrimSpace(cur.String()); s != "" {
			parts = append(parts, s)
		}
		cur.Reset()
	}
	for _, line := range strings.SplitAfter(text, "\n") {
		if utf16Len(cur.String())+utf16Len(line) > limit {
			flush()
		}
		for utf16Len(line) > limit {
			plain := stripTags(line)
			head, rest := cutUTF16(plain, limit)
			parts = append(parts, head)
			line = rest
		}
		cur.WriteString(line)
	}
	flush()
	return parts
}

func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r)
	}
	return n
}

// cutUTF16 cuts s after at most limit UTF-16 units, between characters and
// never inside an HTML entity (&amp; &lt; &#39; &#x1F600;…): a cut "&am" |
// "p;" would show as text, or be refused, instead of one "&".
func cutUTF16(s string, limit int) (string, string) {
	n := 0
	for i, r := range s {
		if n+utf16.RuneLen(r) > limit {
			i = entityStart(s, i)
			return s[:i], s[i:]
		}
		n += utf16.RuneLen(r)
	}
	return s, ""
}

// maxEntity is longer than any entity Telegram decodes (&#x10FFFF; is 10 bytes).
const maxEntity = 16

// entityStart returns where the entity that a cut at i would split begins,
// or i when the cut splits none.
func entityStart(s string, i int) int {
	from := max(0, i-maxEntity)
	j := strings.LastIndexByte(s[from:i], '&')
	if j < 0 {
		return i
	}
	j += from
	k := j + 1
	if k < len(s) && s[k] == '#' {
		k++
		if k < len(s) && (s[k] == 'x' || s[k] == 'X') {
			k++
		}
	}
	for k < len(s) && isAlnum(s[k]) {
		k++
	}
	if k == j+1 {
		return i // a lone "&" is no entity
	}
	if k < len(s) && s[k] == ';' {
		k++
	}
	if k <= i || j == 0 {
		return i // the entity ends before the cut; or it fills the part and the line must still shrink
	}
	return j
}

func isAlnum(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}

// stripTags removes tags but keeps entities (&lt; stays &lt;), so the text stays valid HTML.
func stripTags(s string) string {
	var b strings.Builder
	in := false
	for _, r := range s {
		switch {
		case r == '<':
			in = true
		case r == '>' && in:
			in = false
		case !in:
			b.WriteRune(r)
		}
	}
	return b.String()
}
