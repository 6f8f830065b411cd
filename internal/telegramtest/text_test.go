package telegramtest

import (
	"reflect"
	"strings"
	"testing"
)

func TestParseHTMLLikeTelegram(t *testing.T) {
	tests := []struct {
		name     string
		in       string
		text     string
		entities []Entity
		err      string
	}{
		{name: "plain", in: "hello", text: "hello"},
		{name: "bold and escapes", in: "<b>Hi</b> &lt;you&gt; &amp; &quot;me&quot;", text: `Hi <you> & "me"`,
			entities: []Entity{{Type: "bold", Offset: 0, Length: 2}}},
		{name: "numeric references", in: "&#65;&#x42;&#67", text: "ABC"},
		{name: "unknown named entity stays literal", in: "a&nbsp;b &copy; R&D", text: "a&nbsp;b &copy; R&D"},
		{name: "tags are case-insensitive", in: "<B>x</B>", text: "x", entities: []Entity{{Type: "bold", Offset: 0, Length: 1}}},
		{name: "all simple tags", in: "<strong>a</strong><i>b</i><em>c</em><u>d</u><ins>e</ins><s>f</s><strike>g</strike><del>h</del><tg-spoiler>i</tg-spoiler>",
			text: "abcdefghi", entities: []Entity{
				{Type: "bold", Offset: 0, Length: 1}, {Type: "italic", Offset: 1, Length: 1}, {Type: "italic", Offset: 2, Length: 1},
				{Type: "underline", Offset: 3, Length: 1}, {Type: "underline", Offset: 4, Length: 1},
				{Type: "strikethrough", Offset: 5, Length: 1}, {Type: "strikethrough", Offset: 6, Length: 1},
				{Type: "strikethrough", Offset: 7, Length: 1}, {Type: "spoiler", Offset: 8, Length: 1}}},
		{name: "nested tags (fixEntities drops the bold later)", in: "<code><b>x</b></code>", text: "x",
			entities: []Entity{{Type: "code", Offset: 0, Length: 1}, {Type: "bold", Offset: 0, Length: 1}}},
		{name: "link", in: `<a href="https://example.com/x?a=1&amp;b=2">here</a>`, text: "here",
			entities: []Entity{{Type: "text_link", Offset: 0, Length: 4, URL: "https://example.com/x?a=1&b=2"}}},
		{name: "bare host link gets a slash", in: `<a href="https://example.com">x</a>`, text: "x",
			entities: []Entity{{Type: "text_link", Offset: 0, Length: 1, URL: "https://example.com/"}}},
		{name: "pre with language", in: `<pre><code class="language-go">x := 1</code></pre>`, text: "x := 1",
			entities: []Entity{{Type: "pre", Offset: 0, Length: 6, Language: "go"}}},
		{name: "code alone loses its language", in: `<code class="language-go">x</code>`, text: "x",
			entities: []Entity{{Type: "code", Offset: 0, Length: 1}}},
		{name: "spoiler span", in: `<span class="tg-spoiler">s</span>`, text: "s", entities: []Entity{{Type: "spoiler", Offset: 0, Length: 1}}},
		{name: "expandable blockquote", in: `<blockquote expandable>q</blockquote>`, text: "q",
			entities: []Entity{{Type: "expandable_blockquote", Offset: 0, Length: 1}}},
		{name: "custom emoji", in: `<tg-emoji emoji-id="5368324170671202286">👍</tg-emoji>`, text: "👍",
			entities: []Entity{{Type: "custom_emoji", Offset: 0, Length: 2, CustomEmojiID: "5368324170671202286"}}},
		{name: "offsets in UTF-16", in: "😀 <b>ä😀</b>", text: "😀 ä😀", entities: []Entity{{Type: "bold", Offset: 3, Length: 3}}},
		{name: "empty tag makes no entity", in: "<b></b>x", text: "x"},
		{name: "unsupported tag", in: "ok <x>", err: `Unsupported start tag "x" at byte offset 3`},
		{name: "br is not supported", in: "a<br>b", err: `Unsupported start tag "br" at byte offset 1`},
		{name: "bare less-than", in: "1 < 2", err: `Unsupported start tag "" at byte offset 2`},
		{name: "less-than at the end", in: "a<b", err: "Unclosed start tag at byte offset 1"},
		{name: "unclosed tag", in: "<b>bold", err: `Can't find end tag corresponding to start tag "b"`},
		{name: "mismatched tags", in: "<b>x</i>", err: `Unmatched end tag at byte offset 4, expected "</b>", found "</i>"`},
		{name: "stray end tag", in: "x</b>", err: "Unexpected end tag at byte offset 1"},
		{name: "unclosed end tag", in: "<b>x</b", err: "Unclosed end tag at byte offset 4"},
		{name: "span without class", in: "<span>x</span>", err: `Tag "span" must have class "tg-spoiler" at byte offset 0`},
		{name: "self-closing slash", in: "<b />", err: `Empty attribute name in the tag "b" at byte offset 0`},
		{name: "bad custom emoji", in: `<tg-emoji emoji-id="x">y</tg-emoji>`, err: "Invalid custom emoji identifier specified"},
		{name: "surrogate reference", in: "&#xD83D;", err: "Text contains invalid Unicode characters after decoding HTML entities, check for unmatched surrogate code units"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			text, entities, err := parseHTML(tt.in)
			if tt.err != "" {
				if err == nil || err.Error() != tt.err {
					t.Fatalf("error = %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if text != tt.text {
				t.Errorf("text = %q, want %q", text, tt.text)
			}
			if len(entities) != 0 || len(tt.entities) != 0 {
				if !reflect.DeepEqual(entities, tt.entities) {
					t.Errorf("entities = %+v, want %+v", entities, tt.entities)
				}
			}
		})
	}
}

func TestParseMarkdownV2LikeTelegram(t *testing.T) {
	tests := []struct {
		in, text, err string
		entities      []Entity
	}{
		{in: "*bold* _it_ __u__ ~s~ ||sp|| `c`", text: "bold it u s sp c", entities: []Entity{
			{Type: "bold", Offset: 0, Length: 4}, {Type: "italic", Offset: 5, Length: 2}, {Type: "underline", Offset: 8, Length: 1},
			{Type: "strikethrough", Offset: 10, Length: 1}, {Type: "spoiler", Offset: 12, Length: 2}, {Type: "code", Offset: 15, Length: 1}}},
		{in: `Version 1\.0\!`, text: "Version 1.0!"},
		{in: "[site](https://example.com/a)", text: "site", entities: []Entity{{Type: "text_link", Offset: 0, Length: 4, URL: "https://example.com/a"}}},
		{in: "```go\nx\n```", text: "x\n", entities: []Entity{{Type: "pre", Offset: 0, Length: 2, Language: "go"}}},
		{in: "Version 1.0", err: `Character '.' is reserved and must be escaped with the preceding '\'`},
		{in: "a-b", err: `Character '-' is reserved and must be escaped with the preceding '\'`},
		{in: "*bold", err: "Can't find end of Bold entity at byte offset 0"},
		{in: "x _y", err: "Can't find end of Italic entity at byte offset 2"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			text, entities, err := parseMarkdownV2(tt.in)
			if tt.err != "" {
				if err == nil || err.Error() != tt.err {
					t.Fatalf("error = %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if text != tt.text || (len(entities)+len(tt.entities) > 0 && !reflect.DeepEqual(entities, tt.entities)) {
				t.Errorf("got %q %+v, want %q %+v", text, entities, tt.text, tt.entities)
			}
		})
	}
}

func TestFormatTextTrimsAndCountsLikeTelegram(t *testing.T) {
	text, ents, err := formatText("\n\n  <b>Hi</b> there \n", "HTML", "")
	if err != nil || text != "Hi there" || !reflect.DeepEqual(ents, []Entity{{Type: "bold", Offset: 0, Length: 2}}) {
		t.Fatalf("got %q %+v %v", text, ents, err)
	}
	// As in Telegram's answer, touching formatting of one type is merged,
	// formatting inside code disappears and code-like entities do not nest.
	_, ents, err = formatText("<i>a</i><em>b</em> <b>x<code>y</code>z</b> <pre><code>c</code></pre>", "HTML", "")
	want := []Entity{{Type: "italic", Offset: 0, Length: 2}, {Type: "bold", Offset: 3, Length: 1}, {Type: "code", Offset: 4, Length: 1},
		{Type: "bold", Offset: 5, Length: 1}, {Type: "pre", Offset: 7, Length: 1}}
	if err != nil || !reflect.DeepEqual(ents, want) {
		t.Fatalf("fixed entities = %+v %v", ents, err)
	}
	// Leading whitespace inside the first entity stays.
	text, ents, err = formatText("<b> Hi</b>", "HTML", "")
	if err != nil || text != " Hi" || !reflect.DeepEqual(ents, []Entity{{Type: "bold", Offset: 0, Length: 3}}) {
		t.Fatalf("got %q %+v %v", text, ents, err)
	}
	if _, _, err := formatText("x", "html5", ""); err == nil || err.desc != "Bad Request: unsupported parse_mode" {
		t.Fatalf("unknown parse mode: %+v", err)
	}
	if got := utf16Len(strings.Repeat("😀", 3) + "ä"); got != 7 {
		t.Fatalf("utf16Len = %d", got)
	}
	cmds := incomingEntities("/start@test_bot hi /help, a/b @ann")
	want = []Entity{{Type: "bot_command", Offset: 0, Length: 15}, {Type: "bot_command", Offset: 19, Length: 5}, {Type: "mention", Offset: 30, Length: 4}}
	if !reflect.DeepEqual(cmds, want) {
		t.Fatalf("entities = %+v", cmds)
	}
}
