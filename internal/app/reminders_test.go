package app_test

import (
	"context"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/integrationsagentur-marl/integrabot/internal/app"
	"github.com/integrationsagentur-marl/integrabot/internal/config"
	"github.com/integrationsagentur-marl/integrabot/internal/store"
	"github.com/integrationsagentur-marl/integrabot/internal/telegramtest"
)

// Residents in several languages follow an encounter from a poster's link;
// with REMINDER_OFFSETS of seconds they are reminded twice, each time in
// their language and before the encounter begins, although every replica
// was killed (kill -9) between the two reminders. Real time, the real
// binary, a real Redis.
func TestRemindersEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and kills the real binary; waits for an encounter a minute ahead")
	}
	bin := buildBinary(t) // first: on a busy machine building takes a while
	berlin, _ := time.LoadLocation("Europe/Berlin")
	// encounter starts are written to the minute: the next minute at least 95 s
	// ahead, so that the first reminder (75 s before) is still to come when the
	// bot has started. The two offsets lie further apart than the lease by
	// which a chat the killed process was sending to stays held: a reminder
	// held past the start is dropped, never sent late.
	const early, late = 75 * time.Second, 15 * time.Second
	start := time.Now().In(berlin).Add(95 * time.Second).Truncate(time.Minute).Add(time.Minute)
	if early-late <= config.DefaultTiming.Lease {
		t.Fatalf("the offsets %v and %v must lie more than the lease (%v) apart", early, late, config.DefaultTiming.Lease)
	}
	dir := contentFolder(t, func(name string, data []byte) []byte {
		if name != "encounters.yaml" {
			return data
		}
		return []byte(fmt.Sprintf(`- id: soon
  title:
    de: "Probetreffen"
    tr: "Deneme buluşması"
    uk: "Пробна зустріч"
  description:
    de: "Ein Treffen für diesen Test."
  start: %s
  end: %s
  place: "Testort"
`, start.Format("2006-01-02T15:04"), start.Add(time.Hour).Format("2006-01-02T15:04")))
	})
	api := telegramtest.New(token, telegramtest.WithBotUser(999, "integrabot"), telegramtest.WithFirstUpdateID(time.Now().UnixNano()%1e9))
	defer api.Close()
	prefix := fmt.Sprintf("ibtest:%d:", time.Now().UnixNano())
	defer cleanRedis(redisURL(t), prefix)
	logs := &syncBuffer{} // written by the processes' output, read by the test
	run := func() *exec.Cmd {
		cmd := exec.Command(bin, "serve")
		cmd.Env = append(os.Environ(), "TELEGRAM_BOT_TOKEN="+token, "TELEGRAM_API_URL="+api.URL, "CONTENT_DIR="+dir,
			"REDIS_URL="+redisURL(t), "REDIS_KEY_PREFIX="+prefix, "LISTEN_ADDR=127.0.0.1:0", "REMINDER_OFFSETS="+early.String()+","+late.String())
		cmd.Stdout, cmd.Stderr = logs, logs
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		return cmd
	}
	first := run()
	h := &harness{t: t, api: api}
	residents := map[int64]string{4101: "de", 4102: "tr", 4103: "ar", 4104: "uk"}
	for id, lang := range residents {
		api.SendText(telegramtest.User{ID: id, FirstName: "R", LanguageCode: lang}, "/start e_soon")
	}
	// one more follows and then blocks the bot: their reminder meets 403,
	// and they follow nothing any more
	const blocker = 4105
	api.SendText(telegramtest.User{ID: blocker, FirstName: "R", LanguageCode: "pl"}, "/start e_soon")
	for _, id := range append(slices.Collect(maps.Keys(residents)), blocker) {
		mustContain(t, texts(h.waitSentWithin(id, 1, 20*time.Second)), "|uns:e:soon]")
	}
	api.Block(blocker)
	st := store.New(rawRedis(t), prefix, config.DefaultTiming)
	k, err := app.LoadKnowledge("", false)
	if err != nil {
		t.Fatal(err)
	}
	reminders := func(id int64) []telegramtest.Sent {
		var out []telegramtest.Sent
		for _, s := range api.SentTo(id) {
			if strings.Contains(s.Text, k.Catalog.T(residents[id], "reminder.title")) {
				out = append(out, s)
			}
		}
		return out
	}
	until := func(what string, by time.Time, cond func() bool) time.Time {
		t.Helper()
		for !cond() {
			if time.Now().After(by) {
				dumpRedis(t, prefix)
				t.Fatalf("%s: not by %v; rejected %v; logs:\n%s", what, by, api.Rejected(), logs.String())
			}
			time.Sleep(20 * time.Millisecond)
		}
		return time.Now()
	}
	each := func(n int) func() bool {
		return func() bool {
			for id := range residents {
				if len(reminders(id)) < n {
					return false
				}
			}
			return true
		}
	}
	until("the first reminders", start.Add(-late), each(1))
	until("the blocked follower's subscriptions ended", start.Add(-late), func() bool {
		s, err := st.LoadState(context.Background(), blocker)
		return err == nil && s.Lang == "pl" && len(s.Subs) == 0
	})
	_ = first.Process.Kill() // every replica gone between the two offsets
	_ = first.Wait()
	second := run()
	defer func() { _ = second.Process.Signal(os.Interrupt); _ = second.Wait() }()

	// A chat the killed process was sending to stays its until the lease
	// ends (it may have been mid-call): its next message may wait that long,
	// which the offsets leave room for.
	secondAt := until("the second reminders after kill -9, before the start", start, each(2))
	t.Logf("second reminders delivered %v before the start", start.Sub(secondAt).Round(time.Second))
	// a barrier: a later message's answer, so that nothing more is on its way
	for id, lang := range residents {
		n := len(api.SentTo(id))
		api.SendText(telegramtest.User{ID: id, FirstName: "R", LanguageCode: lang}, "/subscriptions")
		h.waitSentWithin(id, n+1, 10*time.Second)
	}
	for id, lang := range residents {
		got := reminders(id)
		if len(got) != 2 {
			t.Errorf("resident %d (%s): %d reminders, want 2:\n%s", id, lang, len(got), texts(got))
			continue
		}
		clock := start.Format("15:04")
		mustContain(t, got[0].Text+got[1].Text, clock, "Testort")
	}
	if n, err := st.FollowerCount(context.Background(), "e:soon"); err != nil || n != int64(len(residents)) {
		t.Errorf("the encounter has %d followers (%v), want %d: the one who blocked the bot left", n, err, len(residents))
	}
	mustContain(t, texts(reminders(4102)), "Deneme buluşması")
	mustContain(t, texts(reminders(4104)), "Пробна зустріч")
	mustContain(t, texts(reminders(4103)), "Probetreffen", k.Catalog.T("ar", "encounters.german_only"))
	if t.Failed() {
		t.Logf("logs:\n%s", logs.String())
	}
}

// dumpRedis logs the keys under prefix and the sizes of lists and sets.
func dumpRedis(t *testing.T, prefix string) {
	o, _ := redis.ParseURL(redisURL(t))
	rdb := redis.NewClient(o)
	defer rdb.Close()
	ctx := context.Background()
	keys, _ := rdb.Keys(ctx, prefix+"*").Result()
	for _, k := range keys {
		typ, _ := rdb.Type(ctx, k).Result()
		switch typ {
		case "zset":
			z, _ := rdb.ZRangeWithScores(ctx, k, 0, -1).Result()
			t.Logf("%s zset %v", k, z)
		case "list":
			n, _ := rdb.LLen(ctx, k).Result()
			t.Logf("%s list %d", k, n)
		case "string":
			v, _ := rdb.Get(ctx, k).Result()
			if len(v) > 60 {
				v = v[:60]
			}
			t.Logf("%s = %q", k, v)
		default:
			t.Logf("%s %s", k, typ)
		}
	}
}

// Staff take an encounter out of the content folder and reload it (the
// reload button and SIGHUP do the same): its followers are told, in their
// language, through the same way out as every message. (That it is once,
// whatever the replicas and reloads, the reminder package's tests show.)
func TestReloadTellsFollowersOfARemovedEncounter(t *testing.T) {
	h := start(t, nil, "")
	followers := map[int64]string{4201: "tr", 4202: "uk"}
	for id, lang := range followers {
		h.api.SendText(telegramtest.User{ID: id, FirstName: "F", LanguageCode: lang}, "/start e_sample-cafe")
		mustContain(t, texts(h.waitSent(id, 1)), "|uns:e:sample-cafe]")
	}
	dir := contentFolder(t, func(name string, data []byte) []byte {
		if name == "encounters.yaml" {
			return []byte("# none at the moment\n")
		}
		return data
	})
	load := func() (*app.Knowledge, error) { return app.LoadKnowledge(dir, false) }
	if err := h.app.Reload(load); err != nil {
		t.Fatal(err)
	}
	k := knowledge(t)
	for id, lang := range followers {
		got := h.waitSent(id, 2)
		title := k.Content.Encounters[0].Title.Or(lang)
		if k.Content.Encounters[0].ID != "sample-cafe" {
			t.Fatalf("the sample content changed: %s first", k.Content.Encounters[0].ID)
		}
		want := k.Catalog.Format(lang, "notice.series_cancelled", map[string]any{"Title": title})
		mustContain(t, texts(got[1:2]), want)
	}
}
