package conversation_test

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/integrationsagentur-marl/integrabot/internal/conversation"
)

// The privacy text says how long data is kept as RETENTION says, in every
// language, with the count's plural form.
func TestPrivacyNoticeSaysTheRetentionPeriod(t *testing.T) {
	f := load(t)
	for _, days := range []int{365, 90, 31} {
		core := f.core.WithRetentionDays(days)
		for _, l := range f.cat.Languages() {
			got := visible(all(core.Handle(cmd(l.Code, "privacy"), conversation.State{Lang: l.Code})))
			want := f.cat.Plural(l.Code, "privacy.days", days, nil)
			if !strings.Contains(got, want) || !strings.Contains(want, f.cat.Digits(l.Code, strconv.Itoa(days))) {
				t.Errorf("%s, %d days: the privacy text does not say %q:\n%s", l.Code, days, want, got)
			}
			if strings.Contains(got, "180") || strings.Contains(got, "۱۸۰") {
				t.Errorf("%s, %d days: the privacy text still says 180 days:\n%s", l.Code, days, got)
			}
		}
	}
	for lang, want := range map[string]string{"de": "bis 90 Tage nach Ihrer letzten Nachricht", "en": "90 days after your last message"} {
		if got := visible(all(f.core.WithRetentionDays(90).Handle(cmd(lang, "privacy"), conversation.State{Lang: lang}))); !strings.Contains(got, want) {
			t.Errorf("%s: want %q in:\n%s", lang, want, got)
		}
	}
}

// The privacy text says how long a question passed on to staff is kept as
// HANDOFF_RETENTION says, in every language (30 days by default).
func TestPrivacyNoticeSaysHowLongQuestionsAreKept(t *testing.T) {
	f := load(t)
	for _, days := range []int{30, 7} {
		core := f.core
		if days != 30 {
			core = core.WithQuestionDays(days)
		}
		for _, l := range f.cat.Languages() {
			got := visible(all(core.Handle(cmd(l.Code, "privacy"), conversation.State{Lang: l.Code})))
			if want := f.cat.Plural(l.Code, "privacy.days", days, nil); !strings.Contains(got, want) {
				t.Errorf("%s, questions kept %d days: the privacy text does not say %q:\n%s", l.Code, days, want, got)
			}
		}
	}
}

// A follower's warning names the day of the deletion the local way, in
// the language they read, with one button to stay; a resident who follows
// nothing gets none. Tapping stay answers in one short line.
func TestRetentionWarningAndStay(t *testing.T) {
	f := load(t)
	berlin, _ := time.LoadLocation("Europe/Berlin")
	deleteAt := time.Date(2027, 11, 30, 23, 30, 0, 0, time.UTC) // already 1 December in Marl
	for _, l := range f.cat.Languages() {
		st := conversation.State{Lang: l.Code, Subs: []string{conversation.TopicNews}}
		m, ok := f.core.RetentionWarning(42, st, deleteAt, monday)
		if !ok {
			t.Fatalf("%s: a follower gets no warning", l.Code)
		}
		date := f.cat.Date(l.Code, deleteAt.In(berlin))
		if m.Chat != 42 || m.Lane != conversation.LaneBulk {
			t.Errorf("%s: the warning goes to chat %d lane %v, want 42 in the bulk lane", l.Code, m.Chat, m.Lane)
		}
		if !strings.Contains(m.Text, date) {
			t.Errorf("%s: the warning does not name the day %q:\n%s", l.Code, date, m.Text)
		}
		if strings.Contains(m.Text, "{{") || strings.Contains(m.Text, "<no value>") {
			t.Errorf("%s: a template field left unfilled:\n%s", l.Code, m.Text)
		}
		if len(m.Buttons) != 1 || len(m.Buttons[0]) != 1 || m.Buttons[0][0].Data != "stay" || !strings.Contains(m.Buttons[0][0].Label, f.cat.T(l.Code, "button.stay")) {
			t.Errorf("%s: want one stay button, got %+v", l.Code, m.Buttons)
		}
		if _, ok := f.core.RetentionWarning(42, conversation.State{Lang: l.Code}, deleteAt, monday); ok {
			t.Errorf("%s: a resident who follows nothing is warned", l.Code)
		}
		ev := press(l.Code, "stay")
		out := f.core.Handle(ev, st)
		if len(out.Messages) != 1 || !strings.Contains(out.Messages[0].Text, f.cat.T(l.Code, "retention.stayed")) {
			t.Errorf("%s: stay answered %q, want the one line %q", l.Code, all(out), f.cat.T(l.Code, "retention.stayed"))
		}
		if strings.Count(visible(out.Messages[0].Text), "\n") > 0 {
			t.Errorf("%s: stay answered more than one line: %q", l.Code, out.Messages[0].Text)
		}
		if len(out.Effects) != 0 || len(out.State.Subs) != 1 {
			t.Errorf("%s: staying changed what they follow or did something more: %+v", l.Code, out)
		}
	}
	if got := f.cat.Date("de", deleteAt.In(berlin)); !strings.Contains(got, "1. Dezember") {
		t.Errorf("the German date %q is not the local day", got)
	}
}

// Tapped on an old warning after the deletion, stay does not claim that
// anything stays: the resident is welcomed as at /start.
func TestStayAfterTheDeletion(t *testing.T) {
	f := load(t)
	for _, l := range f.cat.Languages() {
		got := all(f.core.Handle(press(l.Code, "stay"), conversation.State{}))
		if strings.Contains(got, f.cat.T(l.Code, "retention.stayed")) {
			t.Errorf("%s: a deleted resident is told their data stays:\n%s", l.Code, got)
		}
		if code, _ := f.cat.Match(l.Code); code == l.Code && !strings.Contains(got, "|m:privacy]") {
			t.Errorf("%s: a deleted resident is not welcomed as at /start:\n%s", l.Code, got)
		}
	}
}
