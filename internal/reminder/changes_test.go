package reminder_test

import (
	"encoding/json"
	"html"
	"strings"
	"testing"
	"time"

	"github.com/integrationsagentur-marl/integrabot/internal/reminder"
)

// A date called off, on again and off again within the hour, taken up by
// three replicas planning and sending at once: every follower is told each
// change once (off, on after all, off), and reminded of nothing.
func TestCancelRestoreCancelOnceAcrossReplicas(t *testing.T) {
	e := newEnv(t)
	start := local(2026, 12, 8, 15, 0)
	now := start.Add(-48 * time.Hour)
	on := café(start)
	off := café(start)
	off.Except = []time.Time{local(2026, 12, 8, 0, 0)}
	e.plan(e.runner(e.source(local(2026, 12, 1, 0, 0), on), reminder.Options{}), now)
	for u := int64(1); u <= 30; u++ {
		e.follow(u, []string{"de", "en", "tr"}[u%3], "e:cafe")
	}
	for i, c := range []struct {
		src  reminder.Source
		want string
	}{
		{e.source(local(2026, 12, 5, 9, 0), off), "does not take place"},
		{e.source(local(2026, 12, 5, 9, 10), on), "takes place after all"},
		{e.source(local(2026, 12, 5, 9, 20), off), "does not take place"},
	} {
		at := now.Add(time.Duration(i) * 10 * time.Minute)
		e.planAndPassAtOnce(e.replicas(3, c.src), at)
		for u := int64(1); u <= 30; u += 3 { // the English readers
			got := e.inbox(u)
			if len(got) != i+1 || !strings.Contains(got[i], c.want) || !strings.Contains(got[i], "Tuesday") {
				t.Fatalf("step %d, resident %d: want %q once more, got %d:\n%q", i+1, u, c.want, len(got), got)
			}
		}
		for u := int64(1); u <= 30; u++ {
			if got := e.inbox(u); len(got) != i+1 {
				t.Fatalf("step %d, resident %d got %d messages, want %d", i+1, u, len(got), i+1)
			}
		}
	}
	r := e.runner(e.source(local(2026, 12, 5, 9, 20), off), reminder.Options{})
	if n := e.pass(r, start.Add(-2*time.Hour)); n != 0 {
		t.Errorf("%d reminders of the date called off", n)
	}
}

// A replica whose content is older than the one the plans came from (a
// rolling deploy; it took up its folder after the other replica did) changes
// nothing however late it loaded it: no notice moves the date back, an
// encounter only the newer content has is not called off, the reminder of
// the new time goes out when this replica takes it, and none of the old time.
// Stored encounters count the same way: a replica that has not yet seen the
// newest change to them leaves their plans alone.
func TestOlderContentChangesNothing(t *testing.T) {
	e := newEnv(t)
	start := local(2026, 12, 8, 15, 0)
	now := start.Add(-48 * time.Hour)
	extra := café(start.Add(2 * time.Hour))
	extra.ID = "extra"
	e.follow(1, "en", "e:cafe", "e:extra")
	newer := e.runner(e.source(local(2026, 12, 2, 0, 0), café(start.Add(time.Hour)), extra), reminder.Options{})
	e.plan(newer, now)
	older := e.runner(e.source(local(2026, 12, 1, 0, 0), café(start)), reminder.Options{}) // loaded after the newer one
	e.plan(older, now.Add(time.Minute))
	e.plan(older, now.Add(2*time.Minute))
	if n := e.pass(older, now.Add(2*time.Minute)); n != 0 {
		t.Fatalf("the older content sent %d notices: %q", n, e.inbox(1))
	}
	if n := e.pass(older, start.Add(-24*time.Hour)); n != 0 {
		t.Fatalf("%d reminders of the old time: %q", n, e.inbox(1))
	}
	if n := e.pass(older, start.Add(time.Hour-24*time.Hour)); n != 1 {
		t.Fatalf("%d reminders of the new time from the older replica, want 1", n)
	}
	if got := e.inbox(1); !strings.Contains(got[0], "16:00") {
		t.Fatalf("the reminder: %q", got)
	}
	if !older.Stands(e.ctx, "cafe", start.Add(time.Hour)) || older.Stands(e.ctx, "cafe", start) {
		t.Error("the older replica's delivery would be told the old date stands, or the new one not")
	}

	// the stored encounters: a change seen by one replica, not yet by another
	src := e.source(local(2026, 12, 2, 0, 0), café(start.Add(time.Hour)), extra)
	src.Stored = 5
	e.plan(e.runner(src, reminder.Options{}), now.Add(3*time.Minute))
	behind := e.source(local(2026, 12, 2, 0, 0), café(start.Add(time.Hour))) // without extra, at change 4
	behind.Stored = 4
	r := e.runner(behind, reminder.Options{})
	e.plan(r, now.Add(4*time.Minute))
	if n := e.pass(r, now.Add(4*time.Minute)); n != 0 {
		t.Fatalf("a replica behind on the stored encounters sent %d notices: %q", n, e.inbox(1)[1:])
	}
}

// text is what a committed message says to its reader: the text of its
// Bot API call ("sendMessage {json}"), its HTML undone.
func text(t *testing.T, payload string) string {
	t.Helper()
	_, body, _ := strings.Cut(payload, " ")
	var call struct {
		Text string `json:"text"`
	}
	if err := json.Unmarshal([]byte(body), &call); err != nil {
		t.Fatalf("payload %q: %v", payload, err)
	}
	return html.UnescapeString(call.Text)
}

// A whole series called off (cancelled: true), on again and off again
// within the hour, taken up by three replicas planning and sending at once:
// every follower is told each change once, in their language: it does not
// take place any more, it takes place again (with its next date), it does
// not take place any more; and no reminder comes of the series called off.
func TestSeriesCancelRestoreCancelOnceAcrossReplicas(t *testing.T) {
	e := newEnv(t)
	start := local(2026, 12, 8, 15, 0)
	now := start.Add(-48 * time.Hour)
	on := café(start)
	off := café(start)
	off.Cancelled = true
	e.plan(e.runner(e.source(local(2026, 12, 1, 0, 0), on), reminder.Options{}), now)
	langs := []string{"de", "en", "tr"}
	for u := int64(1); u <= 30; u++ {
		e.follow(u, langs[u%3], "e:cafe")
	}
	for i, c := range []struct {
		src reminder.Source
		key string
	}{
		{e.source(local(2026, 12, 5, 9, 0), off), "notice.series_cancelled"},
		{e.source(local(2026, 12, 5, 9, 10), on), "notice.series_restored"},
		{e.source(local(2026, 12, 5, 9, 20), off), "notice.series_cancelled"},
	} {
		at := now.Add(time.Duration(i) * 10 * time.Minute)
		e.planAndPassAtOnce(e.replicas(3, c.src), at)
		for u := int64(1); u <= 30; u++ {
			lang := langs[u%3]
			got := e.inbox(u)
			if len(got) != i+1 {
				t.Fatalf("step %d, resident %d (%s) got %d messages, want %d: %q", i+1, u, lang, len(got), i+1, got)
			}
			said := text(t, got[i])
			want := e.k.Catalog.Format(lang, c.key, map[string]any{"Title": on.Title.Or(lang), "When": "\x00"})
			head, _, _ := strings.Cut(want, "\x00") // up to the date, if it names one
			if !strings.Contains(said, head) {
				t.Fatalf("step %d, resident %d (%s): want %q, got %q", i+1, u, lang, head, said)
			}
			if c.key == "notice.series_restored" && !strings.Contains(said, e.k.Catalog.Date(lang, start)) {
				t.Errorf("resident %d (%s) is not told the next date, %s: %q", u, lang, e.k.Catalog.Date(lang, start), said)
			}
		}
	}
	r := e.runner(e.source(local(2026, 12, 5, 9, 20), off), reminder.Options{})
	if n := e.pass(r, start.Add(-2*time.Hour)); n != 0 {
		t.Errorf("%d reminders of the series called off", n)
	}
}

// An encounter that left the content is remembered as called off for its
// followers (so that its return is told) for a month, then forgotten.
func TestSeriesGoneIsForgottenAfterAMonth(t *testing.T) {
	e := newEnv(t)
	start := local(2026, 12, 8, 15, 0)
	now := start.Add(-48 * time.Hour)
	e.follow(1, "en", "e:cafe")
	e.plan(e.runner(e.source(local(2026, 12, 1, 0, 0), café(start)), reminder.Options{}), now)
	gone := e.runner(e.source(local(2026, 12, 5, 0, 0)), reminder.Options{})
	e.plan(gone, now)
	e.pass(gone, now)
	if got := e.inbox(1); len(got) != 1 || !strings.Contains(text(t, got[0]), "does not take place any more") {
		t.Fatalf("the follower was not told the encounter went: %q", got)
	}
	for _, c := range []struct {
		at   time.Time
		kept bool
	}{{now.Add(29 * 24 * time.Hour), true}, {now.Add(31 * 24 * time.Hour), false}} {
		e.plan(gone, c.at)
		plans, err := e.store.Plans(e.ctx)
		if err != nil {
			t.Fatal(err)
		}
		if _, kept := plans["cafe"]; kept != c.kept {
			t.Errorf("%v after it went: its plan kept %v, want %v", c.at.Sub(now), kept, c.kept)
		}
	}
}
