package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/integrationsagentur-marl/integrabot/internal/config"
	"github.com/integrationsagentur-marl/integrabot/internal/conversation"
	"github.com/integrationsagentur-marl/integrabot/internal/store"
	"github.com/integrationsagentur-marl/integrabot/internal/store/storetest"
)

// export-user prints what is stored about one resident, as JSON, from the
// Redis serve uses; it names nobody else.
func TestExportUser(t *testing.T) {
	rdb, url, prefix := storetest.Redis(t, "")
	ctx := context.Background()
	s := store.New(rdb, prefix, config.DefaultTiming)
	commit := func(id, chat, user int64, st conversation.State, follow ...string) {
		c, err := s.Claim(ctx, store.UpdateRef{ID: id, Chat: chat, User: user}, false)
		if err != nil {
			t.Fatal(err)
		}
		msgs := []store.Outgoing{{ID: fmt.Sprint(id, ".0"), Chat: chat, Payload: []byte(`{}`)}}
		if err := s.Commit(ctx, store.Commit{Claimed: c, State: &st, Follow: follow, Messages: msgs}, time.Unix(1_800_000_000, 0)); err != nil {
			t.Fatal(err)
		}
	}
	commit(1, 5101, 5101, conversation.State{Lang: "ar", Subs: []string{"news"}, Dialogue: &conversation.Dialogue{Name: "link", Expires: time.Unix(1_800_003_600, 0)}}, "news")
	commit(2, -5200, 5101, conversation.State{Lang: "ar", Screen: "privacy"})
	commit(3, 5102, 5102, conversation.State{Lang: "de", Subs: []string{"all"}}, "all")
	if err := s.SetGone(ctx, 5101, true); err != nil {
		t.Fatal(err)
	}

	code, out, errOut := run(t, "", map[string]string{"REDIS_URL": url, "REDIS_KEY_PREFIX": prefix}, "export-user", "5101")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var got store.Export
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	if got.ID != 5101 || got.Private == nil || got.Private.Language != "ar" || strings.Join(got.Private.Subscriptions, ",") != "news" ||
		got.Private.Dialogue == nil || got.Private.Dialogue.Name != "link" || got.Private.KeptUntil == nil {
		t.Errorf("private chat: %s", out)
	}
	if g, ok := got.Groups["-5200"]; !ok || g.Screen != "privacy" || len(got.Groups) != 1 {
		t.Errorf("group states: %s", out)
	}
	if strings.Join(got.Following, ",") != "news" || !got.Gone || got.Pending != 1 || got.LastSeen == nil || got.LastSeen.Unix() != 1_800_000_000 || got.Updates != 1 {
		t.Errorf("export: %s", out)
	}
	if strings.Contains(out, "5102") || strings.Contains(out, `"de"`) {
		t.Errorf("another resident's data in the export:\n%s", out)
	}

	for _, tt := range []struct {
		env  map[string]string
		args []string
		want string
	}{
		{map[string]string{"REDIS_URL": url}, []string{"export-user"}, "usage"},
		{map[string]string{"REDIS_URL": url}, []string{"export-user", "abc"}, "usage"},
		{nil, []string{"export-user", "5101"}, "REDIS_URL"},
		{map[string]string{"REDIS_URL": "mysql://x"}, []string{"export-user", "5101"}, "REDIS_URL"},
	} {
		if code, _, errOut := run(t, "", tt.env, tt.args...); code != 2 || !strings.Contains(errOut, tt.want) {
			t.Errorf("%v: exit %d, %q; want 2 naming %s", tt.args, code, errOut, tt.want)
		}
	}
}
