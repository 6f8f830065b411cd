package conversation_test

import (
	"strings"
	"testing"
	"time"

	"github.com/integrationsagentur-marl/integrabot/internal/conversation"
)

func staff(ev conversation.Event) conversation.Event {
	ev.Role, ev.ChatID, ev.MessageID = conversation.RoleStaff, 7, 40
	return ev
}

// A staff member writes a broadcast, picks its audience, sees it exactly as
// residents will, and sends it once: one effect, however often Send is tapped.
func TestStaffBroadcastDialogue(t *testing.T) {
	f := load(t)
	var st conversation.State
	step := func(ev conversation.Event) (conversation.Decision, string) {
		t.Helper()
		out := f.core.Handle(staff(ev), st)
		st = out.State
		return out, all(out)
	}
	_, got := step(cmd("de", "broadcast"))
	if !strings.Contains(got, f.cat.T("de", "broadcast.ask_text")) {
		t.Fatalf("/broadcast:\n%s", got)
	}
	_, got = step(text("de", "Morgen <b>kein</b> Sprachcafé"))
	if !strings.Contains(got, "|bc:aud:news]") || !strings.Contains(got, "|bc:aud:e:sample-cafe]") || !strings.Contains(got, "|bc:lang:]") {
		t.Fatalf("audience step:\n%s", got)
	}
	step(press("de", "bc:lang:"))
	step(press("de", "bc:lang:tr"))
	out, _ := step(press("de", "bc:aud:news"))
	if len(out.Messages) != 2 || out.Messages[0].Text != "Morgen &lt;b&gt;kein&lt;/b&gt; Sprachcafé" || out.Messages[0].Lane != out.Messages[1].Lane {
		t.Fatalf("the preview is not the message as residents see it: %+v", out.Messages)
	}
	out, got = step(press("de", "bc:send"))
	starts := effects[conversation.StartBroadcast](out)
	if len(starts) != 1 || starts[0].Topic != "news" || starts[0].Text != "Morgen &lt;b&gt;kein&lt;/b&gt; Sprachcafé" || starts[0].Staff != 7 {
		t.Fatalf("send: %+v\n%s", out.Effects, got)
	}
	if !strings.Contains(got, "|bc:ctl:paused:"+starts[0].ID+"]") {
		t.Errorf("no pause button:\n%s", got)
	}
	out, got = step(press("de", "bc:send")) // a double tap
	if len(effects[conversation.StartBroadcast](out)) != 0 || !strings.Contains(got, f.cat.T("de", "broadcast.nothing")) {
		t.Errorf("a second tap on Send:\n%s", got)
	}
}

// /broadcast Text goes straight to the preview; Cancel discards it.
func TestBroadcastShortcutAndCancel(t *testing.T) {
	f := load(t)
	ev := cmd("en", "broadcast")
	ev.Text = "Office closed on Friday"
	out := f.core.Handle(staff(ev), conversation.State{Lang: "en"})
	if got := all(out); !strings.Contains(got, "Office closed on Friday") || !strings.Contains(got, "|bc:send]") {
		t.Fatalf("shortcut:\n%s", got)
	}
	out = f.core.Handle(staff(press("en", "bc:cancel")), out.State)
	if out.State.Dialogue != nil || len(out.Effects) != 0 || !strings.Contains(all(out), f.cat.T("en", "broadcast.discarded")) {
		t.Errorf("cancel: %+v\n%s", out.State.Dialogue, all(out))
	}
}

// Anyone not staff, or staff in a group, gets a refusal for every step and
// every button, forged or replayed, and nothing happens.
func TestBroadcastIsStaffOnly(t *testing.T) {
	f := load(t)
	draft := conversation.State{Lang: "tr", Dialogue: &conversation.Dialogue{Name: "broadcast", Step: "preview",
		Draft: map[string]string{"text": "x", "topic": "news"}, Expires: monday.Add(1e12)}}
	for _, ev := range []conversation.Event{cmd("tr", "broadcast"), press("tr", "bc:send"), press("tr", "bc:ctl:cancelled:7-40"), press("tr", "bc:aud:news")} {
		out := f.core.Handle(ev, draft)
		if len(out.Effects) != 0 || !strings.Contains(all(out), f.cat.T("tr", "staff.only")) {
			t.Errorf("a resident's %+v: %+v\n%s", ev, out.Effects, all(out))
		}
		group := staff(ev)
		group.ChatID, group.Group = -100, true
		if out := f.core.Handle(group, draft); len(out.Effects) != 0 {
			t.Errorf("staff in a group: %+v", out.Effects)
		}
	}
}

// "Send later" takes a time as staff write it; the broadcast is planned for
// it. A time that cannot be read gets the staff's terms and an example.
func TestScheduledBroadcast(t *testing.T) {
	f := load(t)
	ev := cmd("de", "broadcast")
	ev.Text = "Sprachcafé fällt aus"
	out := f.core.Handle(staff(ev), conversation.State{Lang: "de"})
	out = f.core.Handle(staff(press("de", "bc:later")), out.State)
	if !strings.Contains(all(out), "morgen 9 Uhr") {
		t.Fatalf("no example of a time:\n%s", all(out))
	}
	bad := f.core.Handle(staff(text("de", "irgendwann")), out.State)
	if got := all(bad); !strings.Contains(got, f.cat.T("de", "broadcast.bad_when")) || !strings.Contains(got, "Bitte so") {
		t.Fatalf("an unreadable time:\n%s", got)
	}
	out = f.core.Handle(staff(text("de", "morgen 9 Uhr")), bad.State)
	if got := all(out); !strings.Contains(got, "Dienstag, 1. Dezember") || !strings.Contains(got, "09:00") || !strings.Contains(got, "|bc:send]") {
		t.Fatalf("the preview does not say when:\n%s", got)
	}
	out = f.core.Handle(staff(press("de", "bc:send")), out.State)
	starts := effects[conversation.StartBroadcast](out)
	want := time.Date(2026, 12, 1, 9, 0, 0, 0, mustBerlin())
	if len(starts) != 1 || !starts[0].Due.Equal(want) {
		t.Fatalf("planned for %+v, want %v", starts, want)
	}
	if got := all(out); !strings.Contains(got, "|bc:ctl:cancelled:") || out.Messages[0].Record == "" {
		t.Errorf("the planned broadcast cannot be cancelled or followed:\n%s", got)
	}
}

// /broadcasts lists recent broadcasts with their figures, for staff only.
func TestBroadcastList(t *testing.T) {
	f := load(t)
	out := f.core.Handle(staff(cmd("de", "broadcasts")), conversation.State{Lang: "de"})
	if len(effects[conversation.ListBroadcasts](out)) != 1 {
		t.Fatalf("/broadcasts: %+v", out.Effects)
	}
	if out := f.core.Handle(cmd("de", "broadcasts"), conversation.State{Lang: "de"}); len(out.Effects) != 0 {
		t.Errorf("a resident lists broadcasts: %+v", out.Effects)
	}
	m := f.core.BroadcastList(7, conversation.State{Lang: "de"}, []conversation.BroadcastSummary{{
		Created: monday, Topic: "news", Lang: "tr", Figures: conversation.BroadcastFigures{State: "done", Sent: 118, Blocked: 2, Failed: 1},
	}}, monday)
	if !strings.Contains(m.Text, "118 gesendet, 2 blockiert, 1 fehlgeschlagen") || !strings.Contains(m.Text, "Türkçe") || !strings.Contains(m.Text, "fertig") {
		t.Errorf("list:\n%s", m.Text)
	}
	if m := f.core.BroadcastList(7, conversation.State{Lang: "ar"}, nil, monday); m.Text != "\u200f"+f.cat.T("ar", "broadcasts.none") {
		t.Errorf("empty list: %q", m.Text)
	}
}

// Staff add a version in another language; followers get their language's
// version, others the main text with a note in their language, or nothing
// when staff chose to skip them.
func TestBroadcastVersions(t *testing.T) {
	f := load(t)
	ev := cmd("de", "broadcast")
	ev.Text = "Das Büro ist zu."
	out := f.core.Handle(staff(ev), conversation.State{Lang: "de"})
	if len(effects[conversation.CountAudience](out)) != 1 || !strings.Contains(all(out), "|bc:ver:]") {
		t.Fatalf("the preview neither counts nor offers a version:\n%s", all(out))
	}
	out = f.core.Handle(staff(press("de", "bc:ver:")), out.State)
	out = f.core.Handle(staff(press("de", "bc:ver:tr")), out.State)
	out = f.core.Handle(staff(text("de", "Ofis kapalı.")), out.State)
	if got := all(out); !strings.Contains(got, "Türkçe") || !strings.Contains(got, "|bc:fb:skip]") {
		t.Fatalf("preview after a version:\n%s", got)
	}
	out = f.core.Handle(staff(press("de", "bc:send")), out.State)
	s := effects[conversation.StartBroadcast](out)
	if len(s) != 1 || s[0].Main != "de" || s[0].Versions["tr"] != "Ofis kapalı." || s[0].Fallback != conversation.FallbackNote {
		t.Fatalf("start: %+v", s)
	}
	b := s[0]
	for _, tc := range []struct {
		lang, fb, want string
		ok             bool
	}{
		{"tr", conversation.FallbackNote, "Ofis kapalı.", true},
		{"de", conversation.FallbackNote, "Das Büro ist zu.", true},
		{"uk", conversation.FallbackNote, f.cat.T("uk", "broadcast.no_version"), true},
		{"uk", conversation.FallbackSkip, "", false},
	} {
		m, ok := f.core.BroadcastFor(b.Text, b.Main, b.Versions, tc.fb, "news", 9, conversation.State{Lang: tc.lang, Subs: []string{"news"}})
		if ok != tc.ok || !strings.Contains(m.Text, tc.want) {
			t.Errorf("%s (%s): %v %q", tc.lang, tc.fb, ok, m.Text)
		}
	}
	m := f.core.BroadcastAudience(7, conversation.State{Lang: "de"}, map[string]int{"de": 3, "tr": 2})
	if !strings.Contains(m.Text, "Empfänger: 5 (Deutsch 3, Türkçe 2)") {
		t.Errorf("audience: %q", m.Text)
	}
}

// Telegram refuses a text over 4096 UTF-16 units or a caption over 1024: the
// preview refuses it first, saying how long it is and may be.
func TestBroadcastTooLong(t *testing.T) {
	f := load(t)
	start := f.core.Handle(staff(cmd("de", "broadcast")), conversation.State{Lang: "de"})
	long := strings.Repeat("😀", 2049) // 4098 UTF-16 units, 2049 characters
	out := f.core.Handle(staff(text("de", long)), start.State)
	if got := all(out); !strings.Contains(got, "4098") || !strings.Contains(got, "4096") || out.State.Dialogue.Step != "text" {
		t.Fatalf("an over-long text:\n%.300s", got)
	}
	photo := staff(text("de", strings.Repeat("a", 1025)))
	photo.Kind, photo.Media = conversation.KindUnsupported, &conversation.Media{Kind: conversation.MediaPhoto, FileID: "F"}
	out = f.core.Handle(photo, start.State)
	if got := all(out); !strings.Contains(got, "1025") || !strings.Contains(got, "1024") {
		t.Fatalf("an over-long caption:\n%.300s", got)
	}
	out = f.core.Handle(staff(text("de", strings.Repeat("ü", 4096))), start.State) // exactly the limit
	if out.State.Dialogue.Step != "audience" {
		t.Errorf("a text of 4096 was refused")
	}
}
