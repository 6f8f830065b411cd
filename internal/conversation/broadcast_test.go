package conversation_test

import (
	"strings"
	"testing"

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
