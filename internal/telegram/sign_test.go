package telegram

import (
	"strings"
	"testing"

	"github.com/integrationsagentur-marl/integrabot/internal/conversation"
)

// Staff buttons carry a signature nobody without the token can make; a
// crafted, altered or foreign one is refused; residents' buttons are as
// they were.
func TestSignedButtons(t *testing.T) {
	s, other := NewSigner("123:token-a"), NewSigner("123:token-b")
	signed := s.Sign("bc:ctl:cancelled:3uw-40")
	if !strings.HasPrefix(signed, "bc:ctl:cancelled:3uw-40~") || len(signed) > maxCallbackData {
		t.Fatalf("signed %q", signed)
	}
	for _, tc := range []struct{ in, want string }{
		{signed, "bc:ctl:cancelled:3uw-40"},
		{"bc:ctl:cancelled:3uw-40", Forged},                      // no signature
		{strings.Replace(signed, "3uw-40", "3uw-41", 1), Forged}, // another broadcast
		{other.Sign("bc:ctl:cancelled:3uw-40"), Forged},          // another bot's key
		{signed[:len(signed)-1] + "x", Forged},                   // altered
		{"bc:send~", Forged},                                     // empty signature
		{"ed:open:naehcafe-abc123", Forged},                      // an encounter's staff button, unsigned
		{s.Sign("ed:open:naehcafe-abc123"), "ed:open:naehcafe-abc123"},
		{s.Sign("hc:close"), "hc:close"}, // staff close a question in the group
		{"hc:close", Forged},
		{"m:main", "m:main"}, // a resident's button
		{"uns:e:cafe", "uns:e:cafe"},
	} {
		if got := s.Verify(tc.in); got != tc.want {
			t.Errorf("Verify(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	if longest := s.Sign("ed:open:" + strings.Repeat("a", 32)); len(longest) > maxCallbackData { // ids are 32 characters at most
		t.Errorf("an encounter's button is %d bytes", len(longest))
	}
	p := s.Render(conversation.Message{Text: "x", Buttons: [][]conversation.Button{{{Label: "Send", Data: "bc:send"}, {Label: "Menu", Data: "m:main"}}}})
	if got := string(p[0]); !strings.Contains(got, `"callback_data":"`+s.Sign("bc:send")+`"`) || !strings.Contains(got, `"callback_data":"m:main"`) {
		t.Errorf("rendered %s", got)
	}
}
