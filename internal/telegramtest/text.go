package telegramtest

import (
	"encoding/json"
	"fmt"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Entity is a formatting or auto-detected entity of a message text, with
// offset and length counted in UTF-16 code units as Telegram does.
type Entity struct {
	Type          string `json:"type"`
	Offset        int    `json:"offset"`
	Length        int    `json:"length"`
	URL           string `json:"url,omitempty"`
	Language      string `json:"language,omitempty"`
	CustomEmojiID string `json:"custom_emoji_id,omitempty"`
}

// maxMessageLength and maxCaptionLength are Telegram's limits in UTF-16 code
// units after entity parsing.
const (
	maxMessageLength = 4096
	maxCaptionLength = 1024
)

// utf16Len counts a string in UTF-16 code units, the unit of Telegram's
// length limits and entity offsets.
func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		if r > 0xffff {
			n += 2
		} else {
			n++
		}
	}
	return n
}

// htmlParseError is what tdlib's parse_html reports; the API prefixes it
// with "can't parse entities: ".
type htmlParseError string

func (e htmlParseError) Error() string { return string(e) }

// formatText turns a text with a parse mode (or explicit entities) into the
// text a user sees and its entities, as the Bot API does before sending:
// parse, then trim spaces and newlines at both ends. It returns an API error
// description on failure.
func formatText(text, parseMode, entitiesJSON string) (string, []Entity, *apiError) {
	var entities []Entity
	switch strings.ToLower(parseMode) {
	case "", "none":
		if entitiesJSON != "" {
			if err := json.Unmarshal([]byte(entitiesJSON), &entities); err != nil {
				return "", nil, badRequest("can't parse entities JSON object")
			}
			n := utf16Len(text)
			kept := entities[:0]
			for _, e := range entities {
				if e.Offset < 0 || e.Length <= 0 || e.Offset+e.Length > n {
					continue
				}
				kept = append(kept, e)
			}
			entities = kept
		}
	case "html":
		var err error
		text, entities, err = parseHTML(text)
		if err != nil {
			return "", nil, badRequest("can't parse entities: " + err.Error())
		}
	case "markdownv2":
		var err error
		text, entities, err = parseMarkdownV2(text)
		if err != nil {
			return "", nil, badRequest("can't parse entities: " + err.Error())
		}
	case "markdown":
		var err error
		text, entities, err = parseMarkdownV1(text)
		if err != nil {
			return "", nil, badRequest("can't parse entities: " + err.Error())
		}
	default:
		return "", nil, badRequest("unsupported parse_mode")
	}
	entities = fixEntities(entities)
	text, entities = trimText(text, entities)
	sortEntities(entities)
	return text, entities, nil
}

func isSplittable(t string) bool {
	switch t {
	case "bold", "italic", "underline", "strikethrough", "spoiler":
		return true
	}
	return false
}

// fixEntities applies the main rules of tdlib's fix_entities to parsed
// entities: formatting of one type that touches or overlaps is merged,
// formatting does not apply inside code and pre, and code-like entities
// (code, pre, links, ...) do not intersect each other.
func fixEntities(es []Entity) []Entity {
	type span struct{ from, to int }
	var continuous, quotes, out []Entity
	ranges := map[string][]span{}
	var order []string
	for _, e := range es {
		switch {
		case e.Length <= 0:
		case isSplittable(e.Type):
			if _, ok := ranges[e.Type]; !ok {
				order = append(order, e.Type)
			}
			ranges[e.Type] = append(ranges[e.Type], span{e.Offset, e.Offset + e.Length})
		case e.Type == "blockquote" || e.Type == "expandable_blockquote":
			quotes = append(quotes, e)
		default:
			continuous = append(continuous, e)
		}
	}
	dropIntersecting := func(list []Entity) []Entity {
		sortEntities(list)
		var kept []Entity
		end := -1
		for _, e := range list {
			if e.Offset < end {
				continue
			}
			kept = append(kept, e)
			end = e.Offset + e.Length
		}
		return kept
	}
	continuous = dropIntersecting(continuous)
	quotes = dropIntersecting(quotes)
	var pre []span
	for _, e := range continuous {
		if e.Type == "code" || e.Type == "pre" {
			pre = append(pre, span{e.Offset, e.Offset + e.Length})
		}
	}
	for _, t := range order {
		rs := ranges[t]
		sort.Slice(rs, func(i, j int) bool { return rs[i].from < rs[j].from })
		var merged []span
		for _, r := range rs {
			if n := len(merged); n > 0 && r.from <= merged[n-1].to {
				merged[n-1].to = max(merged[n-1].to, r.to)
				continue
			}
			merged = append(merged, r)
		}
		for _, r := range merged {
			pieces := []span{r}
			for _, p := range pre {
				var next []span
				for _, x := range pieces {
					if p.to <= x.from || p.from >= x.to {
						next = append(next, x)
						continue
					}
					if x.from < p.from {
						next = append(next, span{x.from, p.from})
					}
					if p.to < x.to {
						next = append(next, span{p.to, x.to})
					}
				}
				pieces = next
			}
			for _, x := range pieces {
				out = append(out, Entity{Type: t, Offset: x.from, Length: x.to - x.from})
			}
		}
	}
	out = append(out, continuous...)
	out = append(out, quotes...)
	sortEntities(out)
	return out
}

// trimText removes leading and trailing spaces and newlines the way tdlib's
// fix_formatted_text does: trailing always, leading only up to the first
// entity.
func trimText(text string, entities []Entity) (string, []Entity) {
	end := len(text)
	for end > 0 && (text[end-1] == ' ' || text[end-1] == '\n') {
		end--
	}
	text = text[:end]
	n := utf16Len(text)
	kept := entities[:0]
	for _, e := range entities {
		if e.Offset >= n {
			continue
		}
		if e.Offset+e.Length > n {
			e.Length = n - e.Offset
		}
		kept = append(kept, e)
	}
	entities = kept
	limit := len(text)
	if len(entities) > 0 {
		first := entities[0].Offset
		for _, e := range entities {
			first = min(first, e.Offset)
		}
		limit = min(limit, first)
	}
	start := 0
	for start < limit && (text[start] == ' ' || text[start] == '\n') {
		start++
	}
	if start > 0 {
		text = text[start:]
		for i := range entities {
			entities[i].Offset -= start
		}
	}
	return text, entities
}

var entityPriority = map[string]int{
	"blockquote": 0, "expandable_blockquote": 0, "pre": 11, "code": 20,
	"text_link": 49, "text_mention": 49, "mention": 50, "hashtag": 50,
	"cashtag": 50, "bot_command": 50, "url": 50, "email": 50,
	"phone_number": 50, "bold": 90, "italic": 91, "underline": 92,
	"strikethrough": 93, "spoiler": 94, "custom_emoji": 99,
}

func sortEntities(es []Entity) {
	sort.SliceStable(es, func(i, j int) bool {
		a, b := es[i], es[j]
		if a.Offset != b.Offset {
			return a.Offset < b.Offset
		}
		if a.Length != b.Length {
			return a.Length > b.Length
		}
		return entityPriority[a.Type] < entityPriority[b.Type]
	})
}

// isSpaceC is tdlib's is_space, which also treats the terminating NUL as a
// space.
func isSpaceC(c byte) bool {
	switch c {
	case ' ', '\t', '\r', '\n', 0, '\v', '\f':
		return true
	}
	return false
}

func isAlnumC(c byte) bool {
	return ('0' <= c && c <= '9') || ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z')
}

func isAlphaC(c byte) bool { return ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z') }

func isHexC(c byte) bool {
	return ('0' <= c && c <= '9') || ('a' <= c && c <= 'f') || ('A' <= c && c <= 'F')
}

func hexVal(c byte) uint64 {
	switch {
	case c <= '9':
		return uint64(c - '0')
	case c >= 'a':
		return uint64(c-'a') + 10
	default:
		return uint64(c-'A') + 10
	}
}

// cstr gives C-string access to s: bytes past the end read as NUL.
type cstr string

func (s cstr) at(i int) byte {
	if i < len(s) {
		return s[i]
	}
	return 0
}

// decodeHTMLEntity is tdlib's decode_html_entity: it understands &lt; &gt;
// &amp; &quot; and numeric references (the ';' is optional) and returns 0 for
// anything else, which then stays in the text literally.
func decodeHTMLEntity(s cstr, pos *int) rune {
	p := *pos
	if s.at(p) != '&' {
		return 0
	}
	end := p + 1
	var res uint64
	if s.at(p+1) == '#' {
		end++
		if s.at(p+2) == 'x' {
			end++
			for isHexC(s.at(end)) {
				if res < 1<<32 {
					res = res*16 + hexVal(s.at(end))
				}
				end++
			}
		} else {
			for '0' <= s.at(end) && s.at(end) <= '9' {
				if res < 1<<32 {
					res = res*10 + uint64(s.at(end)-'0')
				}
				end++
			}
		}
		if res == 0 || res >= 0x10ffff || end-p >= 10 {
			return 0
		}
	} else {
		for isAlphaC(s.at(end)) {
			end++
		}
		switch string(s[p+1 : end]) {
		case "lt":
			res = '<'
		case "gt":
			res = '>'
		case "amp":
			res = '&'
		case "quot":
			res = '"'
		default:
			return 0
		}
	}
	if s.at(end) == ';' {
		*pos = end + 1
	} else {
		*pos = end
	}
	return rune(res)
}

type htmlOpen struct {
	tag      string
	argument string
	offset   int // UTF-16 offset in the result
	begin    int // byte offset in the result
}

// parseHTML is a port of tdlib's parse_html, the parser behind the Bot API's
// parse_mode "HTML", with its error messages and byte offsets.
func parseHTML(str string) (string, []Entity, error) {
	text := cstr(str)
	var result []byte
	var entities []Entity
	utf16Offset := 0
	var nested []htmlOpen
	for i := 0; i < len(text); i++ {
		c := text[i]
		if c == '&' {
			j := i
			if code := decodeHTMLEntity(text, &j); code != 0 {
				if code >= 0xd800 && code <= 0xdfff {
					return "", nil, htmlParseError("Text contains invalid Unicode characters after decoding HTML entities, check for unmatched surrogate code units")
				}
				i = j - 1
				if code > 0xffff {
					utf16Offset += 2
				} else {
					utf16Offset++
				}
				result = utf8.AppendRune(result, code)
				continue
			}
		}
		if c != '<' {
			if c&0xc0 != 0x80 {
				utf16Offset++
				if c >= 0xf0 {
					utf16Offset++
				}
			}
			result = append(result, c)
			continue
		}

		beginPos := i
		i++
		if text.at(i) != '/' {
			for !isSpaceC(text.at(i)) && text.at(i) != '>' {
				i++
			}
			if text.at(i) == 0 {
				return "", nil, htmlParseError(fmt.Sprintf("Unclosed start tag at byte offset %d", beginPos))
			}
			tag := strings.ToLower(string(text[beginPos+1 : i]))
			switch tag {
			case "a", "b", "strong", "i", "em", "s", "strike", "del", "u", "ins",
				"tg-spoiler", "tg-emoji", "span", "pre", "code", "blockquote":
			default:
				return "", nil, htmlParseError(fmt.Sprintf("Unsupported start tag \"%s\" at byte offset %d", tag, beginPos))
			}
			argument := ""
			for text.at(i) != '>' {
				for text.at(i) != 0 && isSpaceC(text.at(i)) {
					i++
				}
				if text.at(i) == '>' {
					break
				}
				attrBegin := i
				for !isSpaceC(text.at(i)) && text.at(i) != '=' && text.at(i) != '>' && text.at(i) != '/' &&
					text.at(i) != '"' && text.at(i) != '\'' {
					i++
				}
				attr := string(text[attrBegin:min(i, len(text))])
				if attr == "" {
					return "", nil, htmlParseError(fmt.Sprintf("Empty attribute name in the tag \"%s\" at byte offset %d", tag, beginPos))
				}
				for text.at(i) != 0 && isSpaceC(text.at(i)) {
					i++
				}
				if text.at(i) != '=' {
					if text.at(i) == 0 {
						return "", nil, htmlParseError(fmt.Sprintf("Unclosed start tag \"%s\" at byte offset %d", tag, beginPos))
					}
					if tag == "blockquote" && attr == "expandable" {
						argument = "1"
					}
					continue
				}
				i++
				for text.at(i) != 0 && isSpaceC(text.at(i)) {
					i++
				}
				if text.at(i) == 0 {
					return "", nil, htmlParseError(fmt.Sprintf("Unclosed start tag \"%s\" at byte offset %d", tag, beginPos))
				}
				var value string
				if text.at(i) != '\'' && text.at(i) != '"' {
					tokenBegin := i
					for isAlnumC(text.at(i)) || text.at(i) == '.' || text.at(i) == '-' {
						i++
					}
					value = strings.ToLower(string(text[tokenBegin:i]))
					if !isSpaceC(text.at(i)) && text.at(i) != '>' {
						return "", nil, htmlParseError(fmt.Sprintf("Unexpected end of name token at byte offset %d", tokenBegin))
					}
				} else {
					quote := text.at(i)
					i++
					var v []byte
					for text.at(i) != quote && text.at(i) != 0 {
						if text.at(i) == '&' {
							j := i
							if code := decodeHTMLEntity(text, &j); code != 0 {
								v = utf8.AppendRune(v, code)
								i = j
								continue
							}
						}
						v = append(v, text.at(i))
						i++
					}
					if text.at(i) == quote {
						i++
					}
					value = string(v)
				}
				if text.at(i) == 0 {
					return "", nil, htmlParseError(fmt.Sprintf("Unclosed start tag at byte offset %d", beginPos))
				}
				switch {
				case tag == "a" && attr == "href":
					argument = value
				case tag == "code" && attr == "class" && strings.HasPrefix(value, "language-"):
					argument = value[len("language-"):]
				case tag == "span" && attr == "class" && strings.HasPrefix(value, "tg-"):
					argument = value[len("tg-"):]
				case tag == "tg-emoji" && attr == "emoji-id":
					argument = value
				case tag == "blockquote" && attr == "expandable":
					argument = "1"
				}
			}
			if tag == "span" && argument != "spoiler" {
				return "", nil, htmlParseError(fmt.Sprintf("Tag \"span\" must have class \"tg-spoiler\" at byte offset %d", beginPos))
			}
			nested = append(nested, htmlOpen{tag: tag, argument: argument, offset: utf16Offset, begin: len(result)})
			continue
		}

		// an end tag
		if len(nested) == 0 {
			return "", nil, htmlParseError(fmt.Sprintf("Unexpected end tag at byte offset %d", beginPos))
		}
		for !isSpaceC(text.at(i)) && text.at(i) != '>' {
			i++
		}
		endTag := strings.ToLower(string(text[beginPos+2 : min(i, len(text))]))
		for isSpaceC(text.at(i)) && text.at(i) != 0 {
			i++
		}
		if text.at(i) != '>' {
			return "", nil, htmlParseError(fmt.Sprintf("Unclosed end tag at byte offset %d", beginPos))
		}
		open := nested[len(nested)-1]
		if endTag != "" && endTag != open.tag {
			return "", nil, htmlParseError(fmt.Sprintf("Unmatched end tag at byte offset %d, expected \"</%s>\", found \"</%s>\"", beginPos, open.tag, endTag))
		}
		if utf16Offset > open.offset {
			off, length := open.offset, utf16Offset-open.offset
			add := func(t string) { entities = append(entities, Entity{Type: t, Offset: off, Length: length}) }
			switch open.tag {
			case "i", "em":
				add("italic")
			case "b", "strong":
				add("bold")
			case "s", "strike", "del":
				add("strikethrough")
			case "u", "ins":
				add("underline")
			case "tg-spoiler", "span":
				add("spoiler")
			case "tg-emoji":
				id, err := strconv.ParseInt(open.argument, 10, 64)
				if err != nil || id == 0 {
					return "", nil, htmlParseError("Invalid custom emoji identifier specified")
				}
				entities = append(entities, Entity{Type: "custom_emoji", Offset: off, Length: length, CustomEmojiID: strconv.FormatInt(id, 10)})
			case "a":
				link := open.argument
				if link == "" {
					link = string(result[open.begin:])
				}
				if checked, ok := checkLink(link); ok {
					entities = append(entities, Entity{Type: "text_link", Offset: off, Length: length, URL: checked})
				}
			case "pre":
				if n := len(entities); n > 0 && entities[n-1].Type == "code" && entities[n-1].Offset == off &&
					entities[n-1].Length == length && entities[n-1].Language != "" {
					entities[n-1].Type = "pre"
				} else {
					add("pre")
				}
			case "code":
				if n := len(entities); n > 0 && entities[n-1].Type == "pre" && entities[n-1].Offset == off &&
					entities[n-1].Length == length && open.argument != "" {
					entities[n-1].Language = open.argument
				} else {
					entities = append(entities, Entity{Type: "code", Offset: off, Length: length, Language: open.argument})
				}
			case "blockquote":
				if open.argument != "" {
					add("expandable_blockquote")
				} else {
					add("blockquote")
				}
			}
		}
		nested = nested[:len(nested)-1]
	}
	if len(nested) > 0 {
		return "", nil, htmlParseError(fmt.Sprintf("Can't find end tag corresponding to start tag \"%s\"", nested[len(nested)-1].tag))
	}
	for i := range entities {
		if entities[i].Type == "code" {
			entities[i].Language = ""
		}
	}
	sortEntities(entities)
	return string(result), entities, nil
}

// checkLink approximates tdlib's LinkManager::get_checked_link for text
// links: http(s), tg and ton links are kept (a missing scheme means http,
// a bare host gets a trailing slash); anything else is dropped.
func checkLink(link string) (string, bool) {
	link = strings.TrimSpace(link)
	if link == "" {
		return "", false
	}
	lower := strings.ToLower(link)
	if strings.HasPrefix(lower, "tg:") || strings.HasPrefix(lower, "ton:") {
		return link, true
	}
	if !strings.Contains(lower, "://") {
		link = "http://" + link
		lower = "http://" + lower
	}
	if !strings.HasPrefix(lower, "http://") && !strings.HasPrefix(lower, "https://") {
		return "", false
	}
	u, err := url.Parse(link)
	if err != nil || u.Host == "" || strings.ContainsAny(u.Host, " <>") {
		return "", false
	}
	if u.Path == "" && u.RawQuery == "" && u.Fragment == "" && !strings.HasSuffix(link, "/") {
		link += "/"
	}
	return link, true
}

// isWordChar is tdlib's is_word_character: letters, digits and '_'.
func isWordChar(r rune) bool {
	return r == '_' || unicode.IsLetter(r) || unicode.IsNumber(r)
}

func isASCIIWord(c byte) bool { return isAlnumC(c) || c == '_' }

// findCommands finds bot_command entities as tdlib's match_bot_commands
// does: "/cmd" or "/cmd@botname" not glued to a word or to '/', '<', '>'.
func findCommands(text string) []Entity {
	var out []Entity
	for i := 0; i < len(text); i++ {
		if text[i] != '/' {
			continue
		}
		if i > 0 {
			prev, _ := utf8.DecodeLastRuneInString(text[:i])
			if isWordChar(prev) || prev == '/' || prev == '<' || prev == '>' {
				continue
			}
		}
		j := i + 1
		for j < len(text) && isASCIIWord(text[j]) {
			j++
		}
		if n := j - i - 1; n < 1 || n > 64 {
			continue
		}
		end := j
		if j < len(text) && text[j] == '@' {
			k := j + 1
			for k < len(text) && isASCIIWord(text[k]) {
				k++
			}
			if n := k - j - 1; n < 3 || n > 32 {
				continue
			}
			end = k
		}
		if end < len(text) {
			next, _ := utf8.DecodeRuneInString(text[end:])
			if isWordChar(next) || next == '/' || next == '<' || next == '>' {
				continue
			}
		}
		out = append(out, Entity{Type: "bot_command", Offset: utf16Len(text[:i]), Length: utf16Len(text[i:end])})
		i = end - 1
	}
	return out
}

// findMentions finds @username mentions as tdlib's match_mentions does.
func findMentions(text string) []Entity {
	var out []Entity
	for i := 0; i < len(text); i++ {
		if text[i] != '@' {
			continue
		}
		if i > 0 {
			prev, _ := utf8.DecodeLastRuneInString(text[:i])
			if isWordChar(prev) {
				continue
			}
		}
		j := i + 1
		for j < len(text) && isASCIIWord(text[j]) {
			j++
		}
		if n := j - i - 1; n < 2 || n > 32 {
			continue
		}
		if j < len(text) {
			next, _ := utf8.DecodeRuneInString(text[j:])
			if isWordChar(next) {
				continue
			}
		}
		out = append(out, Entity{Type: "mention", Offset: utf16Len(text[:i]), Length: utf16Len(text[i:j])})
		i = j - 1
	}
	return out
}

// incomingEntities are the entities Telegram attaches to a message a user
// typed: bot commands and mentions.
func incomingEntities(text string) []Entity {
	es := append(findCommands(text), findMentions(text)...)
	sortEntities(es)
	return es
}
