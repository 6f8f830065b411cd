package telegram

import (
	"context"
	"html"
	"net/http"
	"strings"
	"testing"

	"github.com/integrationsagentur-marl/integrabot/internal/conversation"
	"github.com/integrationsagentur-marl/integrabot/internal/deliver"
	"github.com/integrationsagentur-marl/integrabot/internal/telegramtest"
)

// A line longer than a message is cut between characters; a cut inside an
// HTML entity ("&am" | "p;") leaves text Telegram does not render as meant (or
// refuses), and the rest of the reply is lost. Every part must be accepted by
// the fake Bot API server, whose HTML parser is a port of Telegram's, and the
// parts together must read as the whole line.
func TestSplitNeverCutsAnEntity(t *testing.T) {
	srv := telegramtest.New("123456:TEST")
	defer srv.Close()
	resident := telegramtest.User{ID: 42, FirstName: "Ann"}
	srv.SendText(resident, "/start") // the chat exists once the resident wrote
	sender := NewSender(NewClient(srv.URL, srv.Token, &http.Client{}), false, nil)
	ctx := context.Background()

	entities := []string{"&amp;", "&lt;", "&gt;", "&quot;", "&#39;", "&#x1F600;", "&#1046;"}
	for _, ent := range entities {
		for prefix := 0; prefix < len(ent); prefix++ { // the cut falls at every offset of the entity
			line := strings.Repeat("a", prefix) + strings.Repeat(ent, 2*maxMessageUTF16/len(ent)+3)
			if ent == "&amp;" {
				line = strings.Repeat("a", prefix) + strings.Repeat("<b>x</b>"+ent, maxMessageUTF16/3)
			}
			before := len(srv.Sent())
			parts := Render(conversation.Message{Text: line})
			if len(parts) < 2 {
				t.Fatalf("%s, prefix %d: %d parts; the line was not split", ent, prefix, len(parts))
			}
			for i, p := range parts {
				if res := sender.Send(ctx, resident.ID, p, false); res.Kind != deliver.Delivered {
					t.Fatalf("%s, prefix %d: part %d of %d refused: %v", ent, prefix, i+1, len(parts), res.Err)
				}
			}
			var seen strings.Builder
			for _, s := range srv.Sent()[before:] {
				seen.WriteString(s.Text)
			}
			if want := html.UnescapeString(stripTags(line)); seen.String() != want {
				t.Errorf("%s, prefix %d: the parts read %d characters, want %d as the line; an entity was cut", ent, prefix, len([]rune(seen.String())), len([]rune(want)))
			}
		}
	}
}

func TestCutUTF16(t *testing.T) {
	tests := []struct {
		s          string
		limit      int
		head, rest string
	}{
		{"abcdef", 4, "abcd", "ef"},
		{"abc", 4, "abc", ""},
		{"ab&amp;cd", 4, "ab", "&amp;cd"},
		{"ab&amp;cd", 7, "ab&amp;", "cd"},
		{"ab&amp;cd", 6, "ab", "&amp;cd"},
		{"&lt;&lt;", 6, "&lt;", "&lt;"},
		{"a&#39;b", 4, "a", "&#39;b"},
		{"a&#x1F600;b", 9, "a", "&#x1F600;b"},
		{"a & b", 3, "a &", " b"}, // a lone ampersand is no entity
		{"ж😀x", 2, "ж", "😀x"},     // never between the halves of a surrogate pair
	}
	for _, tt := range tests {
		head, rest := cutUTF16(tt.s, tt.limit)
		if head != tt.head || rest != tt.rest {
			t.Errorf("cutUTF16(%q, %d) = %q, %q; want %q, %q", tt.s, tt.limit, head, rest, tt.head, tt.rest)
		}
	}
}
