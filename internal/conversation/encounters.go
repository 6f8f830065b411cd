package conversation

import (
	"strconv"
	"strings"
	"time"

	"github.com/integrationsagentur-marl/integrabot/internal/agency"
	"github.com/integrationsagentur-marl/integrabot/internal/calendar"
)

const (
	encountersAhead = 60 * 24 * time.Hour // how far ahead "the next encounters" look
	encountersShown = 5                   // a short list reads well on a small phone
)

// encounters lists the next encounters, or those of this week.
func (t *turn) encounters(thisWeek bool) {
	now := t.ev.Now.In(t.content.Location)
	var list []agency.Occurrence
	var title string
	if thisWeek {
		list = t.content.Upcoming(now, endOfWeek(now), 0)
		if len(list) > 0 {
			// the week's count, before the list is cut for a small screen
			title = t.cat.Plural(t.lang, "encounters.this_week", len(list), nil)
		}
		list = list[:min(len(list), encountersShown)]
	}
	var intro string
	if len(list) == 0 {
		if thisWeek {
			intro = t.html("encounters.none_this_week")
		}
		list = t.content.Upcoming(now, now.Add(encountersAhead), encountersShown)
		if len(list) > 0 {
			title = t.cat.Plural(t.lang, "encounters.upcoming", len(list), nil)
		}
	}
	if len(list) == 0 {
		// nothing planned at all: say it once, not "none this week" as well
		t.say(t.html("encounters.none"), [][]Button{
			{t.screenButton("☎️", "menu.contacts", screenContacts)}, {t.menuButton()},
		})
		return
	}
	blocks := []string{intro, bold(title)}
	var rows [][]Button
	germanOnly := false
	for _, o := range list {
		blocks = append(blocks, bold(o.Encounter.Title.Or(t.lang))+"\n"+t.when(o)+"\n"+esc(t.cat.Format(t.lang, "encounters.where", map[string]any{"Place": o.Encounter.Place})))
		row := []Button{{Label: o.Encounter.Title.Or(t.lang), Data: dataEncounter + o.Encounter.ID}}
		if !t.ev.Group {
			row = append(row, t.bell(o.Encounter.ID))
		}
		rows = append(rows, row)
		germanOnly = germanOnly || !o.Encounter.Title.Has(t.lang)
	}
	if germanOnly {
		blocks = append(blocks, t.html("encounters.german_only"))
	}
	blocks = append(blocks, t.html("encounters.pick"))
	rows = append(rows, []Button{t.menuButton()})
	t.say(paragraphs(blocks...), rows)
}

// encounter shows one encounter with its next date.
func (t *turn) encounter(id string) {
	e, o, ok := t.next(id)
	if !ok {
		return
	}
	text := t.encounterCard(e, o)
	rows := [][]Button{{t.encounterToggle(e.ID)}, {{Label: "📅 " + t.tr("button.add_to_calendar"), Data: dataCalendar + e.ID}}}
	if t.ev.Group {
		rows = rows[1:] // reminders come in a private chat
	}
	if e.Link != "" {
		rows = append(rows, []Button{{Label: "🔗 " + t.tr("button.more_info"), URL: e.Link}})
	}
	rows = append(rows, []Button{t.backButton(screenEncounters), t.menuButton()})
	t.say(text, rows)
	t.out.State.Screen = screenEncounters
}

// encounterCard is the text of one encounter at its date o, as residents
// read it (and staff in the preview of a new one).
func (t *turn) encounterCard(e agency.Encounter, o agency.Occurrence) string {
	info := esc(t.cat.Format(t.lang, "encounters.where", map[string]any{"Place": e.Place}))
	text := paragraphs(bold(e.Title.Or(t.lang)), t.when(o)+"\n"+info, esc(e.Description.Or(t.lang)))
	if !e.Title.Has(t.lang) || !e.Description.Has(t.lang) {
		text = paragraphs(text, t.html("encounters.german_only"))
	}
	return text
}

func (t *turn) encountersGone() {
	t.out.Messages = append(t.out.Messages, Message{Text: t.dir(t.html("encounters.gone"))})
	t.encounters(false)
}

// when writes the date and time of an occurrence, and how it repeats.
func (t *turn) when(o agency.Occurrence) string {
	s := t.dateTime(o.Start, o.End)
	// on several weekdays it is still every week, on the last Friday still
	// every month; every third week or more has no phrase: the date says it
	switch e := o.Encounter; {
	case e.Repeat == agency.Monthly:
		s += " · " + t.tr("encounters.monthly")
	case e.Interval() == 1:
		s += " · " + t.tr("encounters.weekly")
	case e.Interval() == 2:
		s += " · " + t.tr("encounters.biweekly")
	}
	return "🗓 " + esc(s)
}

// endOfWeek is the end of Sunday of now's week (weeks start on Monday in Germany).
func endOfWeek(now time.Time) time.Time {
	days := (7 - int(now.Weekday())) % 7
	y, m, d := now.AddDate(0, 0, days+1).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, now.Location())
}

// calendar sends the next date of an encounter as a calendar file.
func (t *turn) calendar(arg string) {
	id, at, _ := strings.Cut(arg, ":")
	e, o, ok := t.next(id)
	if !ok {
		return
	}
	if s, err := strconv.ParseInt(at, 10, 64); err == nil && s > o.Start.Unix() {
		// the date a reminder or notice is about, while it is one of the encounter's and to come
		if d, ok := e.Next(time.Unix(s, 0)); ok && d.Start.Unix() == s {
			o = d
		}
	}
	data := calendar.Event(o, e.Title.Or(t.lang), e.Description.Or(t.lang), t.ev.Now)
	t.out.Messages = append(t.out.Messages, Message{
		Text:     bold(e.Title.Or(t.lang)) + "\n" + t.when(o),
		Document: &Document{Name: e.ID + "-" + o.Start.Format("2006-01-02") + ".ics", Data: data},
	})
}

// next finds an encounter and its next date; when there is none (removed
// from the content, or its series ended) it shows what there is instead.
func (t *turn) next(id string) (agency.Encounter, agency.Occurrence, bool) {
	e, ok := t.content.Encounter(id)
	var o agency.Occurrence
	if ok {
		o, ok = e.Next(t.ev.Now)
	}
	if !ok {
		t.encountersGone()
	}
	return e, o, ok
}
