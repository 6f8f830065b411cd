package app_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/integrationsagentur-marl/integrabot/internal/app"
	"github.com/integrationsagentur-marl/integrabot/internal/config"
	"github.com/integrationsagentur-marl/integrabot/internal/deliver"
	"github.com/integrationsagentur-marl/integrabot/internal/telegramtest"
)

// A resident who sends 100 messages in 5 s gets the first 20 answered, one
// kind request to slow down, then nothing until the window has passed;
// after it they are answered again. Meanwhile every other resident is
// answered within a second, and the flood leaves a bounded number of keys
// in Redis, each with a TTL. The window is shortened from a minute to 8 s.
func TestAFloodIsSlowedDownOnceThenSilent(t *testing.T) {
	api := telegramLimits()
	defer api.Close()
	timing := config.DefaultTiming
	timing.FloodWindow = 8 * time.Second
	h := startWithOptions(t, api, "", "", app.Options{Limits: deliver.DefaultLimits(25, 20), Timing: timing})
	h.api.SendText(telegramtest.User{ID: 3090, FirstName: "W", LanguageCode: "de"}, "/start")
	h.waitSent(3090, 1) // the bot is up

	const flooder = 3100
	f := telegramtest.User{ID: flooder, FirstName: "F", LanguageCode: "de"}
	wrote := map[int64]time.Time{}
	start := time.Now()
	for i := 0; i < 100; i++ {
		time.Sleep(time.Until(start.Add(time.Duration(i) * 50 * time.Millisecond)))
		api.SendText(f, "Hilfe")
		if i%10 == 5 { // another resident writes every half second of the flood
			u := telegramtest.User{ID: int64(3200 + i/10), FirstName: "R", LanguageCode: "de"}
			wrote[u.ID] = time.Now()
			api.SendText(u, "Wann ist das nächste Treffen?")
		}
	}
	for id, at := range wrote {
		if waited := h.waitSent(id, 1)[0].At.Sub(at); waited > time.Second {
			t.Errorf("resident %d waited %v during the flood, want at most 1 s", id, waited)
		}
	}
	checkResidentKeys(t, h, flooder, config.DefaultFloodLimit+6)

	time.Sleep(time.Until(start.Add(timing.FloodWindow + 500*time.Millisecond)))
	api.SendText(f, "Telefon") // after the window: answered again
	got := waitSentUntil(t, h, flooder, "Flachmeier", 60*time.Second)
	slowDown := knowledge(t).Catalog.T("de", "flood.slow_down")
	answers, slowDowns := 0, 0
	for i, s := range got[:len(got)-1] {
		switch {
		case strings.Contains(s.Text, slowDown):
			slowDowns++
			if i != answers {
				t.Errorf("the slow-down came as message %d, after %d answers; want it right after them", i+1, answers)
			}
		case strings.Contains(s.Text, "/language"): // the help
			answers++
		default:
			t.Errorf("an unexpected message to the flooder: %s", texts([]telegramtest.Sent{s}))
		}
	}
	if answers > config.DefaultFloodLimit || answers == 0 || slowDowns != 1 {
		t.Errorf("the flooder got %d answers and %d slow-downs, want at most %d and exactly 1", answers, slowDowns, config.DefaultFloodLimit)
	}
	time.Sleep(300 * time.Millisecond)
	if n := len(h.waitSent(flooder, 1)); n != len(got) {
		t.Errorf("%d more messages to the flooder after the answer to their last", n-len(got))
	}
	if n := len(tooMany(api)); n > 0 {
		t.Errorf("Telegram answered 429 %d times", n)
	}
	if p := api.Pending(); p != 0 {
		t.Errorf("%d updates not confirmed: a silenced update must still be confirmed", p)
	}
	checkResidentKeys(t, h, flooder, config.DefaultFloodLimit+6)
}

// waitSentUntil waits until chat received a message holding want and returns
// the chat's messages up to it.
func waitSentUntil(t *testing.T, h *harness, chat int64, want string, d time.Duration) []telegramtest.Sent {
	t.Helper()
	deadline := time.Now().Add(d)
	for {
		var got []telegramtest.Sent
		for _, s := range h.api.Sent() {
			if s.ChatID == chat {
				got = append(got, s)
				if strings.Contains(s.Text, want) {
					return got
				}
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("chat %d got no message with %q in %v (%d messages)", chat, want, d, len(got))
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// checkResidentKeys checks that the keys carrying a resident's id are at
// most most, each with a TTL.
func checkResidentKeys(t *testing.T, h *harness, id int64, most int) {
	t.Helper()
	rdb := rawRedis(t)
	ctx := context.Background()
	keys, err := rdb.Keys(ctx, h.prefix+"*").Result()
	if err != nil {
		t.Fatal(err)
	}
	var theirs []string
	for _, k := range keys {
		if strings.Contains(k, fmt.Sprintf("{u%d}", id)) || strings.HasSuffix(k, fmt.Sprintf(":%d", id)) {
			theirs = append(theirs, k)
			if ttl := rdb.PTTL(ctx, k).Val(); ttl < 0 {
				t.Errorf("%s has no TTL", k)
			}
		}
	}
	if len(theirs) > most {
		t.Errorf("%d keys carry the flooder's id, want at most %d: %v", len(theirs), most, theirs)
	}
	t.Logf("%d keys carry the flooder's id", len(theirs))
}
