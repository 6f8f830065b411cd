package conversation_test

import (
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/integrationsagentur-marl/integrabot/internal/agency"
	"github.com/integrationsagentur-marl/integrabot/internal/conversation"
)

// stored is the state as Redis gives it back: through its JSON.
func storedState(t *testing.T, st conversation.State) conversation.State {
	t.Helper()
	data, err := json.Marshal(st)
	if err != nil {
		t.Fatal(err)
	}
	var back conversation.State
	if err := json.Unmarshal(data, &back); err != nil {
		t.Fatal(err)
	}
	return back
}

// choices are the data of the buttons of a decision's last message with
// buttons, in the order a typed number counts them.
func choices(out conversation.Decision) []string {
	var data []string
	for _, m := range out.Messages {
		if len(m.Buttons) == 0 {
			continue
		}
		data = nil
		for _, row := range m.Buttons {
			for _, b := range row {
				if b.Data != "" {
					data = append(data, b.Data)
				}
			}
		}
	}
	return data
}

func at(ev conversation.Event, now time.Time) conversation.Event {
	ev.Now = now
	return ev
}

// A typed number presses the button it counts to on the screen the
// resident saw last, whether that screen is kept as its buttons' data or
// only as a fingerprint of them.
func TestTypedNumberPressesTheButtonSeen(t *testing.T) {
	f := load(t)
	follows := conversation.State{Subs: []string{conversation.TopicNews, conversation.TopicEncounter("sample-cafe")}}
	tests := []struct {
		name        string
		show        conversation.Event
		st          conversation.State
		rebuildable bool // kept as a fingerprint, not as its buttons' data
	}{
		{"main menu", press("de", "m:main"), conversation.State{}, true},
		{"start", cmd("de", "start"), conversation.State{}, true},
		{"services", press("de", "m:services"), conversation.State{}, true},
		{"about", press("tr", "m:about"), conversation.State{}, true},
		{"contacts", press("de", "m:contacts"), conversation.State{}, true},
		{"encounters", press("en", "m:encounters"), conversation.State{}, true},
		{"this week", press("de", "m:week"), conversation.State{}, true},
		{"reminders", press("uk", "m:reminders"), follows, true},
		{"subscriptions", press("de", "m:subs"), follows, true},
		{"unsubscribe", press("de", "m:unsub"), follows, true},
		{"language", press("ar", "m:language"), conversation.State{}, true},
		{"privacy", press("de", "m:privacy"), conversation.State{}, true},
		{"help", press("fa", "m:help"), conversation.State{}, true},
		{"a question answered with a screen", text("de", "Wann ist das nächste Treffen?"), conversation.State{}, true},
		{"a chosen language", press("de", "m:encounters"), conversation.State{Lang: "ro"}, true},
		{"an encounter's page", press("de", "e:sample-cafe"), conversation.State{}, false},
		{"a service's page", press("de", "s:neighbourhood"), conversation.State{}, false},
		{"the question whether to delete", press("de", "del"), conversation.State{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			shown := f.core.Handle(tt.show, tt.st)
			if want := strings.TrimPrefix(tt.show.Data, "m:"); tt.show.Kind == conversation.KindButton && strings.HasPrefix(tt.show.Data, "m:") && shown.State.Screen != want {
				t.Fatalf("showed screen %q, want %q", shown.State.Screen, want)
			}
			seen := choices(shown)
			if len(seen) == 0 {
				t.Fatalf("the screen has no buttons:\n%s", all(shown))
			}
			st := storedState(t, shown.State)
			if kept := len(st.Choices) > 0; kept == tt.rebuildable {
				t.Errorf("stored %+v: buttons' data kept = %v, want %v", st, kept, !tt.rebuildable)
			}
			lang := tt.show.LanguageCode
			for n, data := range seen {
				typed := f.core.Handle(text(lang, strconv.Itoa(n+1)), st)
				pressed := f.core.Handle(press(lang, data), st)
				if all(typed) != all(pressed) {
					t.Errorf("typing %d: answered\n%s\nwant what pressing %q answers:\n%s", n+1, all(typed), data, all(pressed))
				}
			}
			if got := all(f.core.Handle(text(lang, strconv.Itoa(len(seen)+1)), st)); got != all(f.core.Handle(text(lang, "999"), conversation.State{Lang: st.Lang})) {
				t.Errorf("a number past the last button picked something:\n%s", got)
			}
		})
	}
}

// A number typed after the screen's list changed (an encounter passed, the
// content was reloaded) presses nothing of the old list: the resident gets
// the screen again as it is now.
func TestTypedNumberAfterTheListChangedShowsTheScreenAgain(t *testing.T) {
	f := load(t)
	reordered := f.core.WithContent(func(c agency.Content) agency.Content {
		c.Services = slices.Clone(c.Services)
		slices.Reverse(c.Services)
		return c
	})
	thursday := monday.Add(72 * time.Hour)
	tests := []struct {
		name   string
		show   conversation.Event
		before *conversation.Core
		typed  conversation.Event
		after  *conversation.Core
	}{
		{"an encounter passed", press("de", "m:encounters"), f.core, at(text("de", "1"), thursday), f.core},
		{"the week went on", press("de", "m:week"), f.core, at(text("de", "1"), thursday), f.core},
		{"the content was reloaded in another order", press("de", "m:services"), f.core, text("de", "1"), reordered},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			shown := tt.before.Handle(tt.show, conversation.State{})
			st := storedState(t, shown.State)
			old := choices(shown)
			now := choices(tt.after.Handle(at(tt.show, tt.typed.Now), conversation.State{}))
			if old[0] == now[0] {
				t.Fatalf("the list did not change: %q both times", old[0])
			}
			typed := tt.after.Handle(tt.typed, st)
			if stale := all(tt.after.Handle(at(press("de", old[0]), tt.typed.Now), st)); all(typed) == stale {
				t.Fatalf("typing 1 pressed %q, a button of the old list:\n%s", old[0], all(typed))
			}
			again := tt.after.Handle(at(tt.show, tt.typed.Now), st)
			if all(typed) != all(again) {
				t.Errorf("typing 1 answered\n%s\nwant the screen again:\n%s", all(typed), all(again))
			}
			// and the screen shown again is the one a number now counts on
			next := storedState(t, typed.State)
			if got, want := all(tt.after.Handle(tt.typed, next)), all(tt.after.Handle(at(press("de", now[0]), tt.typed.Now), next)); got != want {
				t.Errorf("typing 1 again answered\n%s\nwant what pressing %q answers:\n%s", got, now[0], want)
			}
		})
	}
}

// A state stored before screens were kept as a fingerprint still counts a
// typed number on its buttons' data, and is stored anew in the short form
// once it changes.
func TestTypedNumberOnAStateOfTheOldForm(t *testing.T) {
	f := load(t)
	var old conversation.State
	if err := json.Unmarshal([]byte(`{"s":"encounters","c":["e:sample-cafe","m:contacts","m:main"]}`), &old); err != nil {
		t.Fatal(err)
	}
	typed := f.core.Handle(text("de", "2"), old)
	if got, want := all(typed), all(f.core.Handle(press("de", "m:contacts"), conversation.State{})); got != want {
		t.Errorf("typing 2 answered\n%s\nwant the contacts:\n%s", got, want)
	}
	if !typed.Save || len(typed.State.Choices) > 0 || typed.State.Print == "" {
		t.Errorf("state after it %+v (save %v): want the contacts kept as a fingerprint", typed.State, typed.Save)
	}
}

// Showing the same screen again, unchanged, writes nothing.
func TestTheSameScreenAgainIsNotStoredAgain(t *testing.T) {
	f := load(t)
	first := f.core.Handle(press("de", "m:encounters"), conversation.State{})
	again := f.core.Handle(press("de", "m:encounters"), storedState(t, first.State))
	if again.Save {
		t.Errorf("the same list again was stored again: %+v", again.State)
	}
}

// The state of a resident who only looked at screens is a few bytes of
// JSON (Redis keeps a string of up to 28 bytes in its smallest object),
// and reads back as it was written.
func TestAScreenIsStoredInFewBytes(t *testing.T) {
	f := load(t)
	for _, screen := range []string{"main", "services", "about", "contacts", "encounters", "week", "reminders", "subs", "unsub", "language", "privacy", "help"} {
		out := f.core.Handle(press("de", "m:"+screen), conversation.State{Subs: []string{conversation.TopicNews}})
		if out.State.Screen != screen {
			t.Fatalf("showed screen %q, want %q", out.State.Screen, screen)
		}
		data, err := json.Marshal(out.State)
		if err != nil {
			t.Fatal(err)
		}
		if len(data) > 28+len(`,"u":["news"]`) {
			t.Errorf("%s: stored as %d bytes: %s", screen, len(data), data)
		}
		if back := storedState(t, out.State); back.Screen != out.State.Screen || back.Print != out.State.Print || back.Print == "" {
			t.Errorf("%s: %s reads back as %+v", screen, data, back)
		}
	}
	for _, st := range []conversation.State{
		{Screen: "a.b", Print: "xyz"},
		{Print: "xyz"},
		{Screen: "main", Choices: []string{"m:services"}},
		{Lang: "uk", Screen: "encounters", Print: "AbCdEf", Subs: []string{"news"}},
	} {
		if back := storedState(t, st); back.Screen != st.Screen || back.Print != st.Print || !slices.Equal(back.Choices, st.Choices) || back.Lang != st.Lang {
			t.Errorf("%+v reads back as %+v", st, back)
		}
	}
}
