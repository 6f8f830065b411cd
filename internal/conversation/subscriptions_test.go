package conversation_test

import (
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/integrationsagentur-marl/integrabot/internal/agency"
	"github.com/integrationsagentur-marl/integrabot/internal/conversation"
)

func effects[T any](out conversation.Decision) []T {
	var got []T
	for _, e := range out.Effects {
		if v, ok := e.(T); ok {
			got = append(got, v)
		}
	}
	return got
}

// A resident follows news, all encounters or one, sees what they follow
// and stops it again; every change is one short line and one effect the
// store keeps its index by.
func TestSubscribeAndUnsubscribe(t *testing.T) {
	f := load(t)
	var st conversation.State
	step := func(ev conversation.Event) (conversation.Decision, string) {
		t.Helper()
		out := f.core.Handle(ev, st)
		st = out.State
		if len(out.Messages) != 1 {
			t.Fatalf("%+v: %d messages, want one", ev, len(out.Messages))
		}
		return out, all(out)
	}

	_, got := step(press("en", "m:reminders"))
	for _, want := range []string{"|sub:news]", "|sub:all]", "|m:encounters]"} {
		if !strings.Contains(got, want) {
			t.Errorf("the Reminders screen lacks %s:\n%s", want, got)
		}
	}
	out, got := step(press("en", "sub:news"))
	if !slices.Equal(st.Subs, []string{"news"}) || len(effects[conversation.Subscribe](out)) != 1 || !strings.Contains(got, "News from the agency") {
		t.Fatalf("subscribing to news: subs %v, effects %+v\n%s", st.Subs, out.Effects, got)
	}
	if st.Lang != "en" {
		t.Errorf("the language the resident reads is not kept for reminders: %q", st.Lang)
	}
	out, _ = step(press("en", "sub:news"))
	if len(effects[conversation.Subscribe](out)) != 0 || len(st.Subs) != 1 {
		t.Errorf("a double tap subscribes twice: %v %+v", st.Subs, out.Effects)
	}
	// the bell beside an encounter in the list
	_, list := step(cmd("en", "events"))
	if !strings.Contains(list, "🔔|sub:e:sample-cafe]") {
		t.Fatalf("no bell beside the encounter:\n%s", list)
	}
	step(press("en", "sub:e:sample-cafe"))
	_, page := step(press("en", "e:sample-cafe"))
	if !strings.Contains(page, "|uns:e:sample-cafe]") {
		t.Errorf("a followed encounter's page offers no way out:\n%s", page)
	}
	_, got = step(cmd("en", "subscriptions"))
	for _, want := range []string{"News from the agency", "Example: language café", "|uns:news]", "|uns:e:sample-cafe]", "|unall]"} {
		if !strings.Contains(got, want) {
			t.Errorf("/subscriptions lacks %s:\n%s", want, got)
		}
	}
	out, got = step(press("en", "uns:news"))
	if !slices.Equal(st.Subs, []string{"e:sample-cafe"}) || len(effects[conversation.Unsubscribe](out)) != 1 || !strings.Contains(got, "Stopped") {
		t.Fatalf("unsubscribing news: %v\n%s", st.Subs, got)
	}
	// /unsubscribe asks once; the typed "1" picks the confirmation on this chat's screen
	_, got = step(cmd("en", "unsubscribe"))
	if !strings.Contains(got, "|unall]") || len(st.Subs) != 1 {
		t.Fatalf("/unsubscribe does not ask first:\n%s", got)
	}
	out, got = step(text("en", "1"))
	if len(st.Subs) != 0 || len(effects[conversation.Unsubscribe](out)) != 1 {
		t.Fatalf("confirming stops nothing: %v %+v\n%s", st.Subs, out.Effects, got)
	}
	_, got = step(cmd("en", "subscriptions"))
	if !strings.Contains(got, f.cat.T("en", "subscriptions.none")) {
		t.Errorf("after stopping all:\n%s", got)
	}
}

// Reminders go to a resident's own chat: in a group the bot says so and
// subscribes nobody; its encounter list has no bells.
func TestSubscriptionsArePrivate(t *testing.T) {
	f := load(t)
	ev := press("de", "sub:all")
	ev.ChatID, ev.Group = -100, true
	out := f.core.Handle(ev, conversation.State{Lang: "de"})
	if len(out.State.Subs) != 0 || len(out.Effects) != 0 || !strings.Contains(all(out), f.cat.T("de", "subscribe.private_only")) {
		t.Errorf("a group subscribes:\n%s", all(out))
	}
	ev = cmd("de", "events")
	ev.ChatID, ev.Group = -100, true
	if got := all(f.core.Handle(ev, conversation.State{Lang: "de"})); strings.Contains(got, "sub:") {
		t.Errorf("bells in a group:\n%s", got)
	}
}

// A subscription to an encounter that is gone from the content is not
// taken: the resident sees what there is.
func TestSubscribeToAGoneEncounter(t *testing.T) {
	f := load(t)
	out := f.core.Handle(press("en", "sub:e:no-such-thing"), conversation.State{Lang: "en"})
	if len(out.State.Subs) != 0 || !strings.Contains(all(out), "Example: language café") {
		t.Errorf("%v\n%s", out.State.Subs, all(out))
	}
}

// A reminder is written in the language the subscriber reads when it is
// sent, with date, time and place, and the two buttons; none goes to a
// resident who stopped following.
func TestReminderNotice(t *testing.T) {
	f := load(t)
	start := time.Date(2026, 12, 1, 15, 0, 0, 0, mustBerlin())
	n := conversation.Notice{Kind: conversation.NoticeReminder, Encounter: "sample-cafe", Start: start, End: start.Add(2 * time.Hour),
		Title: agency.Text{"de": "Beispiel: Sprachcafé"}, Place: "Beispielort"}
	for _, lang := range f.cat.Languages() {
		st := conversation.State{Lang: lang.Code, Subs: []string{"e:sample-cafe"}}
		m, ok := f.core.Notice(n, 7, st, monday)
		if !ok || m.Chat != 7 || m.Lane != conversation.LaneBulk {
			t.Fatalf("%s: %v %+v", lang.Code, ok, m)
		}
		got := all(conversation.Decision{Messages: []conversation.Message{m}})
		for _, want := range []string{f.cat.T(lang.Code, "reminder.title"), "Beispielort", f.cat.Date(lang.Code, start), "|ics:sample-cafe:" + strconv.FormatInt(start.Unix(), 10) + "]", "|uns:e:sample-cafe]"} {
			if !strings.Contains(got, want) {
				t.Errorf("%s reminder lacks %q:\n%s", lang.Code, want, got)
			}
		}
	}
	if _, ok := f.core.Notice(n, 7, conversation.State{Lang: "de", Subs: []string{"news"}}, monday); ok {
		t.Error("a reminder for a resident who follows only the news")
	}
	m, ok := f.core.Notice(n, 7, conversation.State{Lang: "tr", Subs: []string{"all"}}, monday)
	if got := all(conversation.Decision{Messages: []conversation.Message{m}}); !ok || !strings.Contains(got, "|uns:all]") {
		t.Errorf("a follower of all encounters cannot stop them from the reminder:\n%s", got)
	}
}

// A move says the old and the new time; a cancellation says which date,
// also for an encounter no longer in the content.
func TestChangeNotices(t *testing.T) {
	f := load(t)
	old := time.Date(2026, 12, 8, 15, 0, 0, 0, mustBerlin())
	moved := conversation.Notice{Kind: conversation.NoticeMoved, Encounter: "sample-cafe", OldStart: old, OldEnd: old.Add(2 * time.Hour),
		Start: old.Add(time.Hour), End: old.Add(3 * time.Hour)}
	st := conversation.State{Lang: "de", Subs: []string{"all"}}
	m, _ := f.core.Notice(moved, 7, st, monday)
	if got := m.Text; !strings.Contains(got, "15:00") || !strings.Contains(got, "16:00") || !strings.Contains(got, "Sprachcafé") {
		t.Errorf("move notice:\n%s", got)
	}
	gone := conversation.Notice{Kind: conversation.NoticeSeriesCancelled, Encounter: "removed", Title: agency.Text{"de": "Lesekreis", "en": "Reading circle"}}
	m, ok := f.core.Notice(gone, 7, conversation.State{Lang: "en", Subs: []string{"e:removed"}}, monday)
	if !ok || !strings.Contains(m.Text, "Reading circle") {
		t.Errorf("series cancelled: %v %q", ok, m.Text)
	}
	one := conversation.Notice{Kind: conversation.NoticeCancelled, Encounter: "sample-cafe", Start: old, End: old.Add(2 * time.Hour)}
	m, _ = f.core.Notice(one, 7, conversation.State{Lang: "ar", Subs: []string{"all"}}, monday)
	if !strings.Contains(m.Text, f.cat.Date("ar", old)) || !strings.HasPrefix(m.Text, "\u200f") {
		t.Errorf("Arabic cancellation without its date or right-to-left mark: %q", m.Text)
	}
}

// "Add to calendar" under a reminder or a move notice gives the date the
// message is about, also when it is not the next one (an offset of more
// than a week, a later date moved); the file's UID is that date's, the
// same as the encounter page gives for it. A date that is no longer in
// the content gives the next one.
func TestCalendarButtonOfANoticeGivesItsDate(t *testing.T) {
	f := load(t)
	berlin := mustBerlin()
	second := time.Date(2026, 12, 8, 15, 0, 0, 0, berlin) // sample-cafe's second Tuesday after monday
	press := func(m conversation.Message, now time.Time) string {
		t.Helper()
		data := ""
		for _, row := range m.Buttons {
			for _, b := range row {
				if strings.HasPrefix(b.Data, "ics:") {
					data = b.Data
				}
			}
		}
		if len(data) == 0 || len(data) > 64 {
			t.Fatalf("calendar button data %q", data)
		}
		ev := conversation.Event{UserID: 7, ChatID: 7, LanguageCode: "en", Kind: conversation.KindButton, Data: data, Now: now}
		out := f.core.Handle(ev, conversation.State{Lang: "en", Subs: []string{"all"}})
		if len(out.Messages) != 1 || out.Messages[0].Document == nil {
			t.Fatalf("%s: no calendar file: %s", data, all(out))
		}
		return string(out.Messages[0].Document.Data)
	}
	st := conversation.State{Lang: "en", Subs: []string{"all"}}
	for _, n := range []conversation.Notice{
		{Kind: conversation.NoticeReminder, Encounter: "sample-cafe", Start: second, End: second.Add(2 * time.Hour)},
		{Kind: conversation.NoticeMoved, Encounter: "sample-cafe", OldStart: second.Add(-time.Hour), OldEnd: second.Add(time.Hour), Start: second, End: second.Add(2 * time.Hour)},
	} {
		m, ok := f.core.Notice(n, 7, st, monday)
		if !ok {
			t.Fatal("no notice")
		}
		ics := press(m, monday)
		if !strings.Contains(ics, "DTSTART;TZID=Europe/Berlin:20261208T150000") || !strings.Contains(ics, "UID:sample-cafe-20261208T1400Z@integrabot") {
			t.Errorf("kind %d: the file is not of the date the message is about:\n%s", n.Kind, ics)
		}
	}
	gone := second.Add(30 * time.Minute) // not a date of the encounter (any more)
	m, _ := f.core.Notice(conversation.Notice{Kind: conversation.NoticeReminder, Encounter: "sample-cafe", Start: gone, End: gone.Add(2 * time.Hour)}, 7, st, monday)
	if ics := press(m, monday); !strings.Contains(ics, "DTSTART;TZID=Europe/Berlin:20261201T150000") {
		t.Errorf("a date no longer in the content: want the next one:\n%s", ics)
	}
}
