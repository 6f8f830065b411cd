package conversation

import (
	"sort"
	"strings"

	"github.com/integrationsagentur-marl/integrabot/internal/understand"
)

// The figures staff see with /stats: counts only, never names, ids or
// texts. The core names the counters an event adds to (Decision.Tally);
// the store keeps them per day.

// Counter names.
const (
	TallyQuestion  = "q:"       // + the intent a question was understood as
	TallyUnplaced  = "q:-"      // a question the bot could not place
	TallyAsked     = "ho:asked" // a question passed to the staff group
	TallyAnswered  = "ho:answered"
	TallyReminders = "rem" // reminders committed to followers
)

// FiguresDays is how many days the counters of /stats add up.
const FiguresDays = 30

// questionTally is the counter of a question understood as r.
func questionTally(r understand.Result) string {
	if r.Intent == understand.None {
		return TallyUnplaced
	}
	return TallyQuestion + string(r.Intent)
}

// Figures are what /stats shows.
type Figures struct {
	Residents   map[string]int64 // residents by the language they chose ("": their app's)
	Subscribers map[string]int64 // of them, those who follow a topic
	Active7     int64            // residents who wrote in the last 7 days
	Active30    int64            // and in the last 30
	// Counts are the counters (Tally…) added up over the last FiguresDays.
	Counts map[string]int64
	// Open is how many questions passed to staff can still be answered.
	Open int64
	// Broadcasts sent in the last FiguresDays, and their messages sent.
	Broadcasts, BroadcastMessages int64
}

// StatsReport is the figures for a staff member, in their language.
func (c *Core) StatsReport(staff int64, st State, f Figures) Message {
	t := c.staffTurn(staff, st)
	count := func(id string, n int64) string {
		return esc(t.cat.Format(t.lang, id, map[string]any{"Count": t.num(n)}))
	}
	lines := []string{"📊 " + bold(t.tr("staff.stats_title")), ""}
	lines = append(lines, "👥 "+count("staff.stats_residents", sum(f.Residents)), "   "+t.byLanguage(f.Residents))
	lines = append(lines, "🔔 "+count("staff.stats_subscribers", sum(f.Subscribers)))
	if len(f.Subscribers) > 0 {
		lines = append(lines, "   "+t.byLanguage(f.Subscribers))
	}
	lines = append(lines, "🟢 "+esc(t.cat.Format(t.lang, "staff.stats_active", map[string]any{"Week": t.num(f.Active7), "Month": t.num(f.Active30)})), "")

	var questions int64
	type topic struct {
		name string
		n    int64
	}
	var topics []topic
	byName := map[string]int{}
	for k, n := range f.Counts {
		intent, ok := strings.CutPrefix(k, TallyQuestion)
		if !ok {
			continue
		}
		questions += n
		if k == TallyUnplaced || n == 0 {
			continue
		}
		name := t.topicLabel(intent)
		if i, ok := byName[name]; ok {
			topics[i].n += n
			continue
		}
		byName[name] = len(topics)
		topics = append(topics, topic{name, n})
	}
	sort.Slice(topics, func(i, j int) bool {
		if topics[i].n != topics[j].n {
			return topics[i].n > topics[j].n
		}
		return topics[i].name < topics[j].name
	})
	lines = append(lines, "❓ "+count("staff.stats_questions", questions))
	for _, tp := range topics {
		lines = append(lines, "   • "+esc(tp.name)+": "+t.num(tp.n))
	}
	lines = append(lines, "   • "+count("staff.stats_unplaced", f.Counts[TallyUnplaced]), "")
	lines = append(lines, "🙋 "+esc(t.cat.Format(t.lang, "staff.stats_handoffs", map[string]any{
		"Asked": t.num(f.Counts[TallyAsked]), "Answered": t.num(f.Counts[TallyAnswered]), "Open": t.num(f.Open)})))
	lines = append(lines, "📢 "+esc(t.cat.Format(t.lang, "staff.stats_broadcasts", map[string]any{"Count": t.num(f.Broadcasts), "Sent": t.num(f.BroadcastMessages)})))
	lines = append(lines, "⏰ "+count("staff.stats_reminders", f.Counts[TallyReminders]))
	return Message{Chat: staff, Text: t.dir(strings.Join(lines, "\n")), Buttons: [][]Button{{t.staffBackButton()}}}
}

func sum(m map[string]int64) int64 {
	var n int64
	for _, v := range m {
		n += v
	}
	return n
}

// byLanguage lists counts by language in the catalogue's order, those who
// chose none last.
func (t *turn) byLanguage(m map[string]int64) string {
	var parts []string
	for _, l := range t.cat.Languages() {
		if n := m[l.Code]; n > 0 {
			parts = append(parts, l.Name+" "+t.num(n))
		}
	}
	if n := m[""]; n > 0 {
		parts = append(parts, t.tr("staff.stats_app_language")+" "+t.num(n))
	}
	if len(parts) == 0 {
		parts = append(parts, t.num(0))
	}
	return esc(t.cat.Format(t.lang, "staff.stats_by_language", map[string]any{"List": strings.Join(parts, ", ")}))
}

// topicLabel names an intent the way staff know it from the menu.
func (t *turn) topicLabel(intent string) string {
	if id, ok := strings.CutPrefix(intent, understand.ServicePrefix); ok {
		if s, ok := t.content.Service(id); ok {
			return t.tr("menu.services") + ": " + s.Title.Or(t.lang)
		}
		return t.tr("menu.services")
	}
	switch understand.Intent(intent) {
	case understand.Contacts:
		return t.tr("menu.contacts")
	case understand.Services:
		return t.tr("menu.services")
	case understand.Encounters:
		return t.tr("menu.encounters")
	case understand.EncountersWeek:
		return t.tr("staff.stats_topic.week")
	case understand.Help:
		return t.tr("menu.help")
	case understand.Language:
		return t.tr("menu.language")
	case understand.Privacy:
		return t.tr("menu.privacy")
	case understand.Menu:
		return t.tr("button.menu")
	case understand.Agency:
		return t.tr("about.title")
	case understand.Greeting, understand.Thanks:
		return t.tr("staff.stats_topic.social")
	}
	return intent
}
