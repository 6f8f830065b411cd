package conversation

import (
	"slices"
	"strings"
)

// Topics a resident can follow. The state lists them; the store keeps an
// index of who follows what for the reminders and broadcasts.
const (
	TopicNews = "news" // what staff broadcast
	TopicAll  = "all"  // every encounter
	topicEnc  = "e:"   // + encounter id: one encounter (a whole series)
)

// TopicEncounter is the topic of one encounter (for a series: all its dates).
func TopicEncounter(id string) string { return topicEnc + id }

// EncounterOf is the encounter of a topic, if it is one.
func EncounterOf(topic string) (string, bool) { return strings.CutPrefix(topic, topicEnc) }

// Button data of subscriptions (all far below 64 bytes: ids are ≤ 32).
const (
	dataSubscribe   = "sub:" // + topic
	dataUnsubscribe = "uns:" // + topic
	dataStopAll     = "unall"
)

// Screens of subscriptions.
const (
	screenSubscriptions = "subs"  // what the resident follows, each with a way out
	screenUnsubscribe   = "unsub" // stop everything? (one confirmation)
)

// Subscribe and Unsubscribe change what a resident follows; the commit
// keeps the store's index of followers in step with the state.
type (
	Subscribe struct {
		UserID int64
		Topic  string
	}
	Unsubscribe struct {
		UserID int64
		Topic  string
	}
)

func (Subscribe) effect()   {}
func (Unsubscribe) effect() {}

// follows tells whether the resident follows topic.
func (t *turn) follows(topic string) bool { return slices.Contains(t.out.State.Subs, topic) }

// privateOnly answers a subscription wish in a group: reminders go to the
// resident's own chat, never to a group.
func (t *turn) privateOnly() bool {
	if !t.ev.Group {
		return false
	}
	t.say(t.html("subscribe.private_only"), [][]Button{{t.menuButton()}})
	return true
}

// reminders is the Reminders screen: what can be followed, and what is.
func (t *turn) reminders() {
	if t.privateOnly() {
		return
	}
	rows := [][]Button{
		{t.toggle(TopicNews, "topic.news")},
		{t.toggle(TopicAll, "topic.all")},
		{t.screenButton("📅", "button.choose_encounter", screenEncounters)},
	}
	if len(t.out.State.Subs) > 0 {
		rows = append(rows, []Button{t.screenButton("📋", "button.my_subscriptions", screenSubscriptions)})
	}
	rows = append(rows, []Button{t.menuButton()})
	t.say("🔔 "+t.html("reminders.prompt"), rows)
}

// toggle is a button that follows a topic, or stops following it.
func (t *turn) toggle(topic, label string) Button {
	if t.follows(topic) {
		return Button{Label: "✅ " + t.tr(label), Data: dataUnsubscribe + topic}
	}
	return Button{Label: "➕ " + t.tr(label), Data: dataSubscribe + topic}
}

// subscriptions lists what the resident follows, each with a one-tap way out.
func (t *turn) subscriptions() {
	if t.privateOnly() {
		return
	}
	subs := t.out.State.Subs
	if len(subs) == 0 {
		t.say(t.html("subscriptions.none"), [][]Button{
			{t.screenButton("🔔", "menu.reminders", screenReminders)}, {t.menuButton()},
		})
		return
	}
	var rows [][]Button
	lines := []string{bold(t.tr("subscriptions.title"))}
	for _, topic := range subs {
		name := t.topicName(topic)
		lines = append(lines, "• "+esc(name))
		rows = append(rows, []Button{{Label: "🔕 " + name, Data: dataUnsubscribe + topic}})
	}
	rows = append(rows, []Button{{Label: "🔕 " + t.tr("button.stop_all"), Data: dataStopAll}}, []Button{t.menuButton()})
	t.say(paragraphs(strings.Join(lines, "\n"), t.html("subscriptions.tap")), rows)
}

// unsubscribeAll asks once before everything is stopped.
func (t *turn) unsubscribeAll() {
	if t.privateOnly() {
		return
	}
	if len(t.out.State.Subs) == 0 {
		t.subscriptions()
		return
	}
	t.say(t.html("unsubscribe.confirm"), [][]Button{
		{{Label: "🔕 " + t.tr("button.yes_stop_all"), Data: dataStopAll}},
		{t.screenButton("⬅️", "button.no_keep", screenSubscriptions)},
	})
}

// topicName is what a resident calls a topic: "Agency news", an encounter's title.
func (t *turn) topicName(topic string) string {
	switch topic {
	case TopicNews:
		return t.tr("topic.news")
	case TopicAll:
		return t.tr("topic.all")
	}
	id, _ := EncounterOf(topic)
	if e, ok := t.content.Encounter(id); ok {
		return e.Title.Or(t.lang)
	}
	return id // an encounter no longer in the content: its id is all there is
}

// knownTopic tells whether a topic can be followed now.
func (t *turn) knownTopic(topic string) bool {
	if topic == TopicNews || topic == TopicAll {
		return true
	}
	id, ok := EncounterOf(topic)
	if !ok {
		return false
	}
	e, ok := t.content.Encounter(id)
	if !ok {
		return false
	}
	_, ok = e.Next(t.ev.Now) // a series that has ended, or was cancelled, has no date to remind of
	return ok
}

// subscribe follows a topic and confirms it in one line, with a way back out.
func (t *turn) subscribe(topic string) {
	if t.privateOnly() {
		return
	}
	if !t.knownTopic(topic) {
		t.encountersGone()
		return
	}
	if t.out.State.Lang == "" {
		t.out.State.Lang = t.lang // reminders come in the language the resident reads now
	}
	if !t.follows(topic) {
		t.out.State.Subs = append(slices.Clone(t.out.State.Subs), topic)
		t.out.Effects = append(t.out.Effects, Subscribe{UserID: t.ev.UserID, Topic: topic})
	}
	text := "✅ " + esc(t.cat.Format(t.lang, "subscribe.done", map[string]any{"What": t.topicName(topic)}))
	if id, ok := EncounterOf(topic); ok {
		if e, ok := t.content.Encounter(id); ok {
			if o, ok := e.Next(t.ev.Now); ok { // what was followed, and when it is next
				text = paragraphs(text, t.when(o)+"\n"+esc(t.cat.Format(t.lang, "encounters.where", map[string]any{"Place": e.Place})))
			}
		}
	}
	t.say(paragraphs(text, t.note), [][]Button{
		{{Label: "🔕 " + t.tr("button.stop_reminders"), Data: dataUnsubscribe + topic}},
		{t.screenButton("📋", "button.my_subscriptions", screenSubscriptions), t.menuButton()},
	})
}

// unsubscribe stops one topic and confirms it in one line.
func (t *turn) unsubscribe(topic string) {
	if t.privateOnly() {
		return
	}
	if t.follows(topic) {
		t.out.State.Subs = slices.DeleteFunc(slices.Clone(t.out.State.Subs), func(s string) bool { return s == topic })
		t.out.Effects = append(t.out.Effects, Unsubscribe{UserID: t.ev.UserID, Topic: topic})
	}
	text := "🔕 " + esc(t.cat.Format(t.lang, "unsubscribe.done", map[string]any{"What": t.topicName(topic)}))
	rows := [][]Button{{t.menuButton()}}
	if t.knownTopic(topic) {
		rows = [][]Button{{{Label: "🔔 " + t.tr("button.remind_me"), Data: dataSubscribe + topic}}, {t.menuButton()}}
	}
	t.say(text, rows)
}

// stopAll ends every subscription (after the confirmation).
func (t *turn) stopAll() {
	if t.privateOnly() {
		return
	}
	for _, topic := range t.out.State.Subs {
		t.out.Effects = append(t.out.Effects, Unsubscribe{UserID: t.ev.UserID, Topic: topic})
	}
	t.out.State.Subs = nil
	t.say("🔕 "+t.html("unsubscribe.all_done"), [][]Button{
		{t.screenButton("🔔", "menu.reminders", screenReminders)}, {t.menuButton()},
	})
}

// encounterToggle is the button under an encounter: follow it, or stop.
func (t *turn) encounterToggle(id string) Button {
	topic := TopicEncounter(id)
	if t.follows(topic) {
		return Button{Label: "🔕 " + t.tr("button.stop_reminders"), Data: dataUnsubscribe + topic}
	}
	return Button{Label: "🔔 " + t.tr("button.remind_me"), Data: dataSubscribe + topic}
}

// bell is the small button beside an encounter in the list: 🔔 to follow
// it, 🔕 to stop; in a group there is none (reminders are private).
func (t *turn) bell(id string) Button {
	b := t.encounterToggle(id)
	b.Label, _, _ = strings.Cut(b.Label, " ")
	return b
}
