package telegramtest

import (
	"fmt"
	"strconv"
	"strings"
)

// mdEntityAPIType maps tdlib's entity type names, used in its Markdown error
// messages, to Bot API entity types.
var mdEntityAPIType = map[string]string{
	"Bold": "bold", "Italic": "italic", "Underline": "underline",
	"Strikethrough": "strikethrough", "Spoiler": "spoiler", "TextUrl": "text_link",
	"Code": "code", "Pre": "pre", "PreCode": "pre", "CustomEmoji": "custom_emoji",
	"BlockQuote": "blockquote", "ExpandableBlockQuote": "expandable_blockquote",
}

func reservedCharError(c byte) error {
	return htmlParseError(fmt.Sprintf("Character '%c' is reserved and must be escaped with the preceding '\\'", c))
}

// parseMarkdownV2 is a port of tdlib's parse_markdown_v2, the parser behind
// parse_mode "MarkdownV2", with its error messages.
func parseMarkdownV2(str string) (string, []Entity, error) {
	text := cstr(str)
	type open struct {
		typ      string
		arg      string
		offset   int
		byteOff  int
		beginPos int
	}
	var (
		result        []byte
		entities      []Entity
		nested        []open
		utf16Offset   int
		haveQuote     bool
		canStartQuote = true
	)
	endErr := func(o open) error {
		return htmlParseError(fmt.Sprintf("Can't find end of %s entity at byte offset %d", o.typ, o.byteOff))
	}
	for i := 0; i < len(text); i++ {
		c := text[i]
		if c == '\\' && text.at(i+1) > 0 && text.at(i+1) <= 126 {
			i++
			utf16Offset++
			result = append(result, text[i])
			if text[i] != '\r' {
				canStartQuote = text[i] == '\n'
			}
			continue
		}
		reserved := "_*[]()~`>#+-=|{}.!\n"
		if len(nested) > 0 {
			switch nested[len(nested)-1].typ {
			case "Code", "Pre", "PreCode":
				reserved = "`"
			}
		}
		if c == 0 || !strings.ContainsRune(reserved, rune(c)) {
			if c&0xc0 != 0x80 {
				utf16Offset++
				if c >= 0xf0 {
					utf16Offset++
				}
				if c != '\r' {
					canStartQuote = false
				}
			}
			result = append(result, c)
			continue
		}

		isEnd := false
		if len(nested) > 0 {
			if haveQuote && c == '\n' && (i+1 == len(text) || text[i+1] != '>') {
				isEnd = true
			} else {
				switch nested[len(nested)-1].typ {
				case "Bold":
					isEnd = c == '*'
				case "Italic":
					isEnd = c == '_' && text.at(i+1) != '_'
				case "Code":
					isEnd = c == '`'
				case "Pre", "PreCode":
					isEnd = c == '`' && text.at(i+1) == '`' && text.at(i+2) == '`'
				case "TextUrl", "CustomEmoji":
					isEnd = c == ']'
				case "Underline":
					isEnd = c == '_' && text.at(i+1) == '_'
				case "Strikethrough":
					isEnd = c == '~'
				case "Spoiler":
					isEnd = c == '|' && text.at(i+1) == '|'
				}
			}
		}

		if !isEnd {
			typ, arg := "", ""
			byteOff := i
			switch c {
			case '_':
				if text.at(i+1) == '_' {
					typ = "Underline"
					i++
				} else {
					typ = "Italic"
				}
			case '*':
				typ = "Bold"
			case '~':
				typ = "Strikethrough"
			case '|':
				if text.at(i+1) != '|' {
					return "", nil, reservedCharError(c)
				}
				i++
				typ = "Spoiler"
			case '[':
				typ = "TextUrl"
			case '`':
				if text.at(i+1) == '`' && text.at(i+2) == '`' {
					i += 3
					typ = "Pre"
					le := i
					for !isSpaceC(text.at(le)) && text.at(le) != '`' {
						le++
					}
					if i != le && le < len(text) && text.at(le) != '`' {
						typ = "PreCode"
						arg = string(text[i:le])
						i = le
					}
					if text.at(i) == '\n' || text.at(i) == '\r' {
						if (text.at(i+1) == '\n' || text.at(i+1) == '\r') && text.at(i) != text.at(i+1) {
							i += 2
						} else {
							i++
						}
					}
					i--
				} else {
					typ = "Code"
				}
			case '!':
				if text.at(i+1) != '[' {
					return "", nil, reservedCharError(c)
				}
				i++
				typ = "CustomEmoji"
			case '\n':
				utf16Offset++
				result = append(result, '\n')
				canStartQuote = true
				continue
			case '>':
				if !canStartQuote {
					return "", nil, reservedCharError(c)
				}
				if haveQuote {
					continue
				}
				typ = "BlockQuote"
				haveQuote = true
			default:
				return "", nil, reservedCharError(c)
			}
			nested = append(nested, open{typ: typ, arg: arg, offset: utf16Offset, byteOff: byteOff, beginPos: len(result)})
			continue
		}

		// the end of an entity
		top := nested[len(nested)-1]
		typ := top.typ
		if c == '\n' && typ != "BlockQuote" {
			if typ != "Spoiler" || !(top.byteOff == i-2 || (top.byteOff == i-3 && len(result) != 0 && result[len(result)-1] == '\r')) {
				return "", nil, endErr(top)
			}
			nested = nested[:len(nested)-1]
			top = nested[len(nested)-1]
			if top.typ != "BlockQuote" {
				return "", nil, endErr(top)
			}
			typ = "ExpandableBlockQuote"
		}
		arg := top.arg
		skip := utf16Offset == top.offset
		switch typ {
		case "Underline", "Spoiler":
			i++
		case "Pre", "PreCode":
			i += 2
		case "TextUrl":
			var link string
			if text.at(i+1) != '(' {
				link = string(result[top.beginPos:])
			} else {
				i += 2
				urlBegin := i
				var b []byte
				for i < len(text) && text[i] != ')' {
					if text[i] == '\\' && text.at(i+1) > 0 && text.at(i+1) <= 126 {
						b = append(b, text[i+1])
						i += 2
						continue
					}
					b = append(b, text[i])
					i++
				}
				if text.at(i) != ')' {
					return "", nil, htmlParseError(fmt.Sprintf("Can't find end of a URL at byte offset %d", urlBegin))
				}
				link = string(b)
			}
			if checked, ok := checkLink(link); ok {
				arg = checked
			} else {
				skip = true
			}
		case "CustomEmoji":
			if text.at(i+1) != '(' {
				return "", nil, htmlParseError("Custom emoji entity must contain a tg://emoji URL")
			}
			i += 2
			urlBegin := i
			var b []byte
			for i < len(text) && text[i] != ')' {
				if text[i] == '\\' && text.at(i+1) > 0 && text.at(i+1) <= 126 {
					b = append(b, text[i+1])
					i += 2
					continue
				}
				b = append(b, text[i])
				i++
			}
			if text.at(i) != ')' {
				return "", nil, htmlParseError(fmt.Sprintf("Can't find end of a custom emoji URL at byte offset %d", urlBegin))
			}
			id, ok := strings.CutPrefix(string(b), "tg://emoji?id=")
			n, err := strconv.ParseInt(id, 10, 64)
			if !ok || err != nil || n == 0 {
				return "", nil, htmlParseError("Invalid custom emoji identifier specified")
			}
			arg = id
		case "BlockQuote", "ExpandableBlockQuote":
			haveQuote = false
			result = append(result, text[i])
			canStartQuote = true
			utf16Offset++
			skip = false
		}
		if !skip {
			e := Entity{Type: mdEntityAPIType[typ], Offset: top.offset, Length: utf16Offset - top.offset}
			switch typ {
			case "TextUrl":
				e.URL = arg
			case "PreCode":
				e.Language = arg
			case "CustomEmoji":
				e.CustomEmojiID = arg
			}
			entities = append(entities, e)
		}
		nested = nested[:len(nested)-1]
	}
	if haveQuote {
		typ := "BlockQuote"
		if top := nested[len(nested)-1]; top.typ == "Spoiler" && top.byteOff == len(text)-2 {
			nested = nested[:len(nested)-1]
			typ = "ExpandableBlockQuote"
		}
		if top := nested[len(nested)-1]; top.typ == "BlockQuote" {
			if length := utf16Offset - top.offset; length != 0 {
				entities = append(entities, Entity{Type: mdEntityAPIType[typ], Offset: top.offset, Length: length})
			}
			nested = nested[:len(nested)-1]
		}
	}
	if len(nested) > 0 {
		return "", nil, endErr(nested[len(nested)-1])
	}
	sortEntities(entities)
	return string(result), entities, nil
}

// parseMarkdownV1 is a port of tdlib's parse_markdown, the parser behind the
// legacy parse_mode "Markdown".
func parseMarkdownV1(str string) (string, []Entity, error) {
	text := cstr(str)
	size := len(text)
	var result []byte
	var entities []Entity
	utf16Offset := 0
	for i := 0; i < size; i++ {
		c := text[i]
		if c == '\\' && (text.at(i+1) == '_' || text.at(i+1) == '*' || text.at(i+1) == '`' || text.at(i+1) == '[') {
			i++
			result = append(result, text[i])
			utf16Offset++
			continue
		}
		if c != '_' && c != '*' && c != '`' && c != '[' {
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
		endChar := c
		if c == '[' {
			endChar = ']'
		}
		isPre := false
		language := ""
		i++
		if c == '`' && text.at(i) == '`' && text.at(i+1) == '`' {
			i += 2
			isPre = true
			le := i
			for !isSpaceC(text.at(le)) && text.at(le) != '`' {
				le++
			}
			if i != le && le < size && text.at(le) != '`' {
				language = string(text[i:le])
				i = le
			}
			if text.at(i) == '\n' || text.at(i) == '\r' {
				if (text.at(i+1) == '\n' || text.at(i+1) == '\r') && text.at(i) != text.at(i+1) {
					i += 2
				} else {
					i++
				}
			}
		}
		entityOffset := utf16Offset
		entityBegin := len(result)
		for i < size && (text[i] != endChar || (isPre && !(text.at(i+1) == '`' && text.at(i+2) == '`'))) {
			cur := text[i]
			if cur&0xc0 != 0x80 {
				utf16Offset++
				if cur >= 0xf0 {
					utf16Offset++
				}
			}
			result = append(result, cur)
			i++
		}
		if i >= size {
			return "", nil, htmlParseError(fmt.Sprintf("Can't find end of the entity starting at byte offset %d", beginPos))
		}
		if entityOffset != utf16Offset {
			length := utf16Offset - entityOffset
			switch c {
			case '_':
				entities = append(entities, Entity{Type: "italic", Offset: entityOffset, Length: length})
			case '*':
				entities = append(entities, Entity{Type: "bold", Offset: entityOffset, Length: length})
			case '[':
				link := string(result[entityBegin:])
				if text.at(i+1) == '(' {
					i += 2
					var b []byte
					for i < size && text[i] != ')' {
						b = append(b, text[i])
						i++
					}
					link = string(b)
				}
				if checked, ok := checkLink(link); ok {
					entities = append(entities, Entity{Type: "text_link", Offset: entityOffset, Length: length, URL: checked})
				}
			case '`':
				if isPre {
					entities = append(entities, Entity{Type: "pre", Offset: entityOffset, Length: length, Language: language})
				} else {
					entities = append(entities, Entity{Type: "code", Offset: entityOffset, Length: length})
				}
			}
		}
		if isPre {
			i += 2
		}
	}
	sortEntities(entities)
	return string(result), entities, nil
}
