package telegram

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"strings"

	"github.com/integrationsagentur-marl/integrabot/internal/conversation"
)

// Signer signs the data of buttons that carry authority (staff buttons,
// "bc:…", "sf:…"), so that a crafted button press cannot reach a staff function
// even with a staff member's id: Telegram sends back exactly the data the
// bot put on a button, and nobody without the key can make a valid one. The
// key is derived from the bot token, so all replicas share it and it
// changes with the token. Residents' buttons need none: they only ever act
// for whoever presses them.
type Signer struct{ key []byte }

// signedPrefixes are the button data that carry authority.
var signedPrefixes = []string{"bc:", "ed:", "hc:", "sf:"}

// sigLen is how many characters of the signature a button carries (48 bits):
// the data must stay within Telegram's 64 bytes.
const sigLen = 8

// Forged is what a button with a missing or wrong signature becomes: the core
// refuses it like any staff button pressed by someone who may not.
const Forged = "bc:forged"

// NewSigner returns the signer of a bot's token.
func NewSigner(token string) *Signer {
	m := hmac.New(sha256.New, []byte("integrabot button data"))
	m.Write([]byte(token))
	return &Signer{key: m.Sum(nil)}
}

func needsSignature(data string) bool {
	for _, p := range signedPrefixes {
		if strings.HasPrefix(data, p) {
			return true
		}
	}
	return false
}

func (s *Signer) sig(data string) string {
	m := hmac.New(sha256.New, s.key)
	m.Write([]byte(data))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))[:sigLen]
}

// Sign returns data with its signature when it needs one.
func (s *Signer) Sign(data string) string {
	if s == nil || !needsSignature(data) {
		return data
	}
	return data + "~" + s.sig(data)
}

// Verify returns the data without its signature, or Forged when it needs one
// and lacks a valid one.
func (s *Signer) Verify(data string) string {
	if s == nil || !needsSignature(data) {
		return data
	}
	i := strings.LastIndexByte(data, '~')
	if i < 0 || !hmac.Equal([]byte(data[i+1:]), []byte(s.sig(data[:i]))) {
		return Forged
	}
	return data[:i]
}

// Render renders m (as Render does) with its buttons' data signed.
func (s *Signer) Render(m conversation.Message) [][]byte {
	if s != nil && len(m.Buttons) > 0 {
		rows := make([][]conversation.Button, len(m.Buttons))
		for i, row := range m.Buttons {
			rows[i] = make([]conversation.Button, len(row))
			for j, b := range row {
				b.Data = s.Sign(b.Data)
				rows[i][j] = b
			}
		}
		m.Buttons = rows
	}
	return Render(m)
}
