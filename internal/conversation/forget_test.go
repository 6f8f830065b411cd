package conversation_test

import (
	"strings"
	"testing"

	"github.com/integrationsagentur-marl/integrabot/internal/conversation"
)

// Deleting the data always asks once, in the chat where it was asked for:
// /forget and the privacy screen's button ask; only the answer on that
// chat's screen deletes; a "yes" anywhere else asks again.
func TestDeletionAsksOnceInTheChatWhereItWasAsked(t *testing.T) {
	f := load(t)
	deleted := f.cat.T("de", "privacy.deleted")
	question := f.cat.T("de", "forget.confirm")
	forgets := func(out conversation.Decision) bool { return out.Forgets() }

	for _, ask := range []conversation.Event{cmd("de", "forget"), press("de", "del")} {
		out := f.core.Handle(ask, conversation.State{Lang: "de", Subs: []string{"news"}})
		if forgets(out) || !strings.Contains(all(out), "|del:yes]") {
			t.Fatalf("%s%s deletes without asking:\n%s", ask.Command, ask.Data, all(out))
		}
		for _, yes := range []conversation.Event{press("de", "del:yes"), text("de", "1")} {
			got := f.core.Handle(yes, out.State)
			if !forgets(got) || !strings.Contains(all(got), deleted) || got.State.Lang != "" || len(got.State.Subs) != 0 {
				t.Errorf("confirming (%q%q) deletes nothing: %+v\n%s", yes.Data, yes.Text, got.State, all(got))
			}
		}
	}

	// asked in a group: the private chat's screen is not the question
	group := cmd("de", "forget")
	group.ChatID, group.Group = -100, true
	inGroup := f.core.Handle(group, conversation.State{Lang: "de"})
	if forgets(inGroup) || !strings.Contains(all(inGroup), "|del:yes]") {
		t.Fatalf("/forget in a group:\n%s", all(inGroup))
	}
	private := conversation.State{Lang: "de", Screen: "contacts", Choices: []string{"cards", "m:main"}}
	for _, stray := range []conversation.Event{press("de", "del:yes"), text("de", "1")} {
		got := f.core.Handle(stray, private)
		if forgets(got) {
			t.Errorf("%q%q in the private chat deleted after a question in a group:\n%s", stray.Data, stray.Text, all(got))
		}
	}
	// a "yes" from an old message asks first
	if got := f.core.Handle(press("de", "del:yes"), conversation.State{Lang: "de", Screen: "main"}); forgets(got) || !strings.Contains(all(got), question) {
		t.Errorf("a stale yes deleted:\n%s", all(got))
	}
	// "no" leads back to the privacy screen and keeps everything
	if got := f.core.Handle(press("de", "m:privacy"), inGroup.State); forgets(got) {
		t.Errorf("no deleted")
	}
}
