package telegram

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/go-telegram/bot"
)

func TestWholeBodiesSendsOneBodyWithItsLength(t *testing.T) {
	type seen struct {
		length  int64
		chunked bool
		text    string
		chatID  string
	}
	got := make(chan seen, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := r.ParseMultipartForm(8 << 20); err != nil {
			t.Errorf("body is not a multipart form: %v", err)
		}
		got <- seen{length: r.ContentLength, chunked: len(r.TransferEncoding) > 0, text: r.FormValue("text"), chatID: r.FormValue("chat_id")}
		_, _ = w.Write([]byte(`{"ok":true,"result":{"message_id":1,"date":0,"chat":{"id":5,"type":"private"}}}`))
	}))
	defer srv.Close()
	api, err := bot.New("1:test", bot.WithServerURL(srv.URL), bot.WithSkipGetMe(),
		bot.WithHTTPClient(5*time.Second, &http.Client{Timeout: 5 * time.Second, Transport: WholeBodies(http.DefaultTransport)}))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		text    string
		chunked bool
	}{
		{"a reply", "Merhaba! <b>Danışma</b> saatleri: Pazartesi 10:00", false},
		{"a body over the buffer (an upload) is streamed", strings.Repeat("я", maxWholeBody), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := api.SendMessage(context.Background(), &bot.SendMessageParams{ChatID: 5, Text: tt.text}); err != nil {
				t.Fatal(err)
			}
			s := <-got
			if s.text != tt.text || s.chatID != "5" {
				t.Errorf("the message arrived changed: chat %q, %d bytes of text, want %d", s.chatID, len(s.text), len(tt.text))
			}
			if s.chunked != tt.chunked {
				t.Errorf("chunked = %v, want %v", s.chunked, tt.chunked)
			}
			if !tt.chunked && s.length <= int64(len(tt.text)) {
				t.Errorf("Content-Length = %d, want the whole form's length", s.length)
			}
		})
	}
}
