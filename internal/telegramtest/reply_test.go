package telegramtest

import (
	"context"
	"encoding/json"
	"testing"
)

// A send's reply_parameters is recorded as ReplyTo; a user's Reply to a bot
// message carries that message, buttons included, as Telegram sends it.
func TestRepliesBothWays(t *testing.T) {
	srv := newServer(t)
	ctx := context.Background()
	srv.SendText(ann, "hi")
	status, env := callJSON(t, ctx, srv, "sendMessage", map[string]any{"chat_id": ann.ID, "text": "answer",
		"reply_parameters": map[string]any{"message_id": 1},
		"reply_markup":     map[string]any{"inline_keyboard": [][]map[string]any{{{"text": "Reply", "callback_data": "ho:re:12"}}}}})
	if status != 200 || !env.OK {
		t.Fatalf("send: %d %+v", status, env)
	}
	sent := srv.SentTo(ann.ID)
	if len(sent) != 1 || sent[0].ReplyTo != 1 {
		t.Fatalf("ReplyTo not recorded: %+v", sent)
	}
	srv.ReplyText(ann, sent[0].MessageID, "thanks")
	_, env = callJSON(t, ctx, srv, "getUpdates", map[string]any{"timeout": 0})
	var updates []struct {
		Message struct {
			Text  string `json:"text"`
			Reply struct {
				MessageID int `json:"message_id"`
				From      struct {
					IsBot bool `json:"is_bot"`
				} `json:"from"`
				Markup struct {
					Keyboard [][]struct {
						Data string `json:"callback_data"`
					} `json:"inline_keyboard"`
				} `json:"reply_markup"`
			} `json:"reply_to_message"`
		} `json:"message"`
	}
	if err := json.Unmarshal(env.Result, &updates); err != nil || len(updates) != 2 {
		t.Fatalf("updates %s: %v", env.Result, err)
	}
	r := updates[1].Message
	if r.Text != "thanks" || r.Reply.MessageID != sent[0].MessageID || !r.Reply.From.IsBot || len(r.Reply.Markup.Keyboard) != 1 || r.Reply.Markup.Keyboard[0][0].Data != "ho:re:12" {
		t.Errorf("the reply does not carry the answered message: %+v", r)
	}
}
