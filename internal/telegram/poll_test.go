package telegram

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

func TestFetchSkipsKnownAndSurvivesOddUpdates(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte(`{"ok":true,"result":[` +
			`{"update_id":10,"message":{"message_id":1,"date":1,"chat":{"id":5,"type":"private"},"text":"known"}},` +
			`{"update_id":11,"message":"not an object"},` +
			`{"update_id":12,"message":{"message_id":2,"date":1,"chat":{"id":5,"type":"private"},"text":"Merhaba"}}]}`))
	}))
	defer srv.Close()
	ups, err := NewPoller(srv.URL, "1:t", time.Second).Fetch(context.Background(), 10, 100, false, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(ups) != 2 || ups[0].ID != 11 || ups[1].ID != 12 {
		t.Fatalf("got %d updates %+v; want 11 and 12 (10 is known)", len(ups), ups)
	}
	if ups[0].Message != nil {
		t.Errorf("the odd update came with content: %+v", ups[0].Message)
	}
	if ups[1].Message == nil || ups[1].Message.Text != "Merhaba" {
		t.Errorf("the update after the odd one lost its text: %+v", ups[1].Message)
	}
}
