package telegram

import (
	"encoding/json"
	"fmt"

	"github.com/integrationsagentur-marl/integrabot/internal/conversation"
)

// Render turns one of the core's messages into the Bot API calls that send
// it, each as a payload to commit: a text over Telegram's length is split,
// its buttons under the last part.
func Render(m conversation.Message) [][]byte {
	calls := Messages([]conversation.Reply{m})
	out := make([][]byte, 0, len(calls))
	for _, c := range calls {
		data, err := json.Marshal(c)
		if err != nil {
			continue // cannot happen: plain strings and numbers
		}
		out = append(out, data)
	}
	return out
}

// decodePayload reads a payload Render made.
func decodePayload(data []byte) (Message, error) {
	var m Message
	if err := json.Unmarshal(data, &m); err != nil {
		return m, fmt.Errorf("payload not readable: %w", err)
	}
	if m.Text == "" && m.Contact == nil {
		return m, fmt.Errorf("payload holds no message")
	}
	return m, nil
}
