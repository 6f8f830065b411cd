package conversation

import (
	"slices"
	"strconv"
	"time"

	"github.com/integrationsagentur-marl/integrabot/internal/agency"
)

// NoticeKind is what a message to an encounter's followers says.
type NoticeKind int

// The kinds of notices.
const (
	NoticeReminder        NoticeKind = iota // the occurrence is coming up
	NoticeMoved                             // the occurrence has a new time
	NoticeCancelled                         // one date does not take place
	NoticeSeriesCancelled                   // the encounter does not take place any more
	NoticeRestored                          // a date called off takes place after all
	NoticeSeriesRestored                    // the encounter called off takes place again (Start: its next date)
)

// Notice is a message to the followers of an encounter that no resident
// asked for just now: a reminder, or news of a change. It carries what the
// message needs even when the encounter has left the content.
type Notice struct {
	Kind       NoticeKind
	Encounter  string      // its id
	Title      agency.Text // its title, by language
	Place      string
	Start, End time.Time // the occurrence (for a move: its new time)
	OldStart   time.Time // a move: when it was
	OldEnd     time.Time
}

// Followers are the topics whose followers a notice about encounter id goes to.
func Followers(id string) []string { return []string{TopicEncounter(id), TopicAll} }

// Notice is the message for one follower, in the language they read now
// (not the one they subscribed in); false when they no longer follow the
// encounter.
func (c *Core) Notice(n Notice, user int64, st State, now time.Time) (Message, bool) {
	if !slices.ContainsFunc(Followers(n.Encounter), func(topic string) bool { return slices.Contains(st.Subs, topic) }) {
		return Message{}, false
	}
	t := &turn{Core: c, ev: Event{UserID: user, ChatID: user, Now: now}}
	t.setLang(st.Lang)
	if t.lang == "" {
		t.setLang(c.cat.Default())
	}
	title := n.Title.Or(t.lang)
	if e, ok := c.content.Encounter(n.Encounter); ok {
		title = e.Title.Or(t.lang) // the content's own, as shown elsewhere
	}
	var text string
	var rows [][]Button
	stop := Button{Label: "🔕 " + t.tr("button.stop_reminders"), Data: dataUnsubscribe + TopicEncounter(n.Encounter)}
	if !slices.Contains(st.Subs, TopicEncounter(n.Encounter)) {
		stop = Button{Label: "🔕 " + t.tr("button.stop_reminders"), Data: dataUnsubscribe + TopicAll}
	}
	switch n.Kind {
	case NoticeReminder:
		o := agency.Occurrence{Encounter: &agency.Encounter{ID: n.Encounter}, Start: n.Start, End: n.End}
		if e, ok := c.content.Encounter(n.Encounter); ok {
			o.Encounter = &e
		}
		text = paragraphs("🔔 "+esc(t.tr("reminder.title"))+": "+bold(title),
			t.when(o)+"\n"+esc(t.cat.Format(t.lang, "encounters.where", map[string]any{"Place": n.Place})))
		if !n.Title.Has(t.lang) {
			text = paragraphs(text, t.html("encounters.german_only"))
		}
		rows = [][]Button{{t.calendarButton(n.Encounter, n.Start)}, {stop}}
	case NoticeMoved:
		text = paragraphs("🗓 "+esc(t.cat.Format(t.lang, "notice.moved", map[string]any{"Title": title})),
			esc(t.cat.Format(t.lang, "notice.before", map[string]any{"When": t.dateTime(n.OldStart, n.OldEnd)}))+"\n"+
				bold(t.cat.Format(t.lang, "notice.now", map[string]any{"When": t.dateTime(n.Start, n.End)})))
		rows = [][]Button{{t.calendarButton(n.Encounter, n.Start)}, {stop}}
	case NoticeCancelled:
		text = "❌ " + esc(t.cat.Format(t.lang, "notice.cancelled", map[string]any{"Title": title, "When": t.dateTime(n.Start, n.End)}))
		rows = [][]Button{{stop}}
	case NoticeRestored:
		text = "✅ " + esc(t.cat.Format(t.lang, "notice.restored", map[string]any{"Title": title, "When": t.dateTime(n.Start, n.End)}))
		rows = [][]Button{{t.calendarButton(n.Encounter, n.Start)}, {stop}}
	case NoticeSeriesRestored:
		text = "✅ " + esc(t.cat.Format(t.lang, "notice.series_restored", map[string]any{"Title": title, "When": t.dateTime(n.Start, n.End)}))
		rows = [][]Button{{t.calendarButton(n.Encounter, n.Start)}, {stop}}
	case NoticeSeriesCancelled:
		text = "❌ " + esc(t.cat.Format(t.lang, "notice.series_cancelled", map[string]any{"Title": title}))
		rows = [][]Button{{t.screenButton("📅", "menu.encounters", screenEncounters)}}
	}
	return Message{Chat: user, Lane: LaneBulk, Text: t.dir(text), Buttons: rows}, true
}

// calendarButton adds the date of an encounter starting at start to the
// resident's calendar: the date the message is about, not whichever is next
// when it is pressed (at most 4+32+1+10 bytes of button data).
func (t *turn) calendarButton(id string, start time.Time) Button {
	return Button{Label: "📅 " + t.tr("button.add_to_calendar"), Data: dataCalendar + id + ":" + strconv.FormatInt(start.Unix(), 10)}
}

// dateTime is a date with its start and end time, the local way.
func (t *turn) dateTime(start, end time.Time) string {
	start, end = start.In(t.content.Location), end.In(t.content.Location)
	return t.cat.Format(t.lang, "encounters.when", map[string]any{
		"Date":  t.cat.Date(t.lang, start),
		"Start": ltr(t.rtl, t.cat.Clock(t.lang, start)),
		"End":   ltr(t.rtl, t.cat.Clock(t.lang, end)),
	})
}
