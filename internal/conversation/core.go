package conversation

import (
	"encoding/base64"
	"hash/fnv"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/integrationsagentur-marl/integrabot/internal/agency"
	"github.com/integrationsagentur-marl/integrabot/internal/i18n"
	"github.com/integrationsagentur-marl/integrabot/internal/understand"
)

// Button data: short, so that they stay far below Telegram's 64 bytes.
const (
	dataScreen    = "m:" // + screen name
	dataService   = "s:" // + service id
	dataEncounter = "e:" // + encounter id
	dataLanguage  = "l:" // + language code
	dataDelete    = "del"
	dataCards     = "cards" // the contact cards, to save to the phone book
	dataCalendar  = "ics:"  // + encounter id [+ ":" + a date's start, unix s]: that date (else the next) as a calendar file
)

// Screens the resident can open.
const (
	screenMain       = "main"
	screenServices   = "services"
	screenAbout      = "about"
	screenContacts   = "contacts"
	screenEncounters = "encounters"
	screenWeek       = "week"
	screenReminders  = "reminders"
	screenLanguage   = "language"
	screenPrivacy    = "privacy"
	screenHelp       = "help"
)

// Commands maps each command to the screen it opens; adapters register
// these with Telegram (command.<name> is its description).
var Commands = []string{"start", "help", "language", "services", "contacts", "events", "subscribe", "subscriptions", "unsubscribe", "privacy", "forget"}

var commandScreens = map[string]string{
	"start": screenMain, "menu": screenMain, "help": screenHelp, "language": screenLanguage,
	"services": screenServices, "contacts": screenContacts, "events": screenEncounters,
	"privacy": screenPrivacy, "subscribe": screenReminders, "subscriptions": screenSubscriptions,
	"unsubscribe": screenUnsubscribe, "forget": screenForget,
}

// Core answers residents. It is safe for concurrent use.
type Core struct {
	content   *agency.Content
	cat       *i18n.Catalog
	nlu       *understand.Classifier
	surface   Surface
	staffChat int64 // the staff group residents' questions go to (0: none)
	// privacyContact is who the privacy text names as responsible
	// (PRIVACY_CONTACT); empty: the agency from the content
	privacyContact string
	retentionDays  int              // how long the privacy text says data is kept (RETENTION); 0: a year
	questionDays   int              // how long it says a question to staff is kept (HANDOFF_RETENTION); 0: 30 days
	names          []langName       // the languages' names, normalised, to offer a language a resident names
	stored         map[string]int64 // encounters kept in Redis (staff edit them in Telegram), by id: their versions
}

// New returns the core for the agency's content, the catalogue and the classifier.
func New(content *agency.Content, cat *i18n.Catalog, nlu *understand.Classifier) *Core {
	return &Core{content: content, cat: cat, nlu: nlu, names: languageNames(cat)}
}

// turn is one event being answered.
type turn struct {
	*Core
	ev    Event
	lang  string
	rtl   bool
	first bool   // nothing was stored about the resident in this chat: their first contact
	note  string // HTML: a last paragraph for the subscription's confirmation (a first contact's privacy line)
	out   Decision
}

// Handle answers one event given the state of the resident's conversation
// in that chat.
func (c *Core) Handle(ev Event, st State) Decision {
	open, stale := st, false
	if typedNumber(ev) { // the buttons are drawn again only when a number may press one
		open, stale = c.unprint(ev, st)
	}
	d := c.handle(typedChoice(ev, open, stale), open)
	if !d.Save {
		d.State = st // unchanged: as it is stored
		return d
	}
	d.State = c.print(ev, d.State, d.shown)
	d.shown = shownScreen{}
	return d
}

func (c *Core) handle(ev Event, st State) Decision {
	t := c.newTurn(ev, st)
	if c.StaffReply(ev) {
		d := t.staffReply()
		if len(d.Messages) > 0 {
			d.Tally = append(d.Tally, TallyAnswered)
		}
		return d
	}
	if c.staffClose(ev) {
		return t.staffClose()
	}
	if ev.Group {
		if !Addressed(ev) {
			return t.out
		}
		if t.lang == "" {
			t.setLang(c.cat.Default())
		}
	}
	link, linkLang := deepLink(ev)
	if link != "" && st.Lang == "" {
		if _, ok := c.cat.Lang(linkLang); ok {
			t.setLang(linkLang) // a poster in the resident's language: they read it
			t.out.State.Lang = linkLang
		}
	}
	switch {
	case ev.Kind == KindButton && strings.HasPrefix(ev.Data, dataLanguage):
		t.chooseLanguage(strings.TrimPrefix(ev.Data, dataLanguage))
	case t.lang == "":
		t.picker()      // never guess a language: ask
		if link != "" { // open the link once the language is chosen
			t.out.State.Dialogue = &Dialogue{Name: dialogueLink, Draft: map[string]string{"link": strings.TrimSpace(ev.Text)}, Expires: ev.Now.Add(time.Hour)}
		}
	case ev.Kind == KindButton:
		t.button(ev.Data)
	case ev.Kind == KindCommand:
		t.command(ev.Command, ev.Text)
	case ev.Kind == KindText:
		t.text(ev.Text)
	case ev.Kind == KindUnsupported && t.broadcastMedia(): // a photo or PDF for a broadcast
	default:
		t.menu(t.html("unsupported.text"))
	}
	dropStaleQuestion(st, &t.out.State)
	t.out.Lang = t.lang
	t.out.Save = t.out.Save || !sameState(st, t.out.State)
	for i := range t.out.Messages {
		if t.out.Messages[i].Chat == 0 {
			t.out.Messages[i].Chat = ev.ChatID // an answer goes where the question was asked
		}
		if t.out.Messages[i].Thread != nil {
			t.out.Tally = append(t.out.Tally, TallyAsked)
		}
	}
	return t.out
}

func (t *turn) setLang(code string) {
	l, ok := t.cat.Lang(code)
	if !ok {
		t.lang, t.rtl = "", false
		return
	}
	t.lang, t.rtl = l.Code, l.RTL
}

func (t *turn) tr(id string) string { return t.cat.T(t.lang, id) }

// html is a message made safe for the HTML of a reply.
func (t *turn) html(id string) string { return esc(t.tr(id)) }

func (t *turn) button(data string) {
	switch {
	case data == dataDelete:
		t.askForget()
	case data == dataDeleteYes:
		t.forget()
	case data == dataCards:
		t.cards()
	case data == dataStay:
		t.stay()
	case data == dataStopAll:
		t.stopAll()
	case strings.HasPrefix(data, dataHandoff):
		t.handoffButton(strings.TrimPrefix(data, dataHandoff))
	case strings.HasPrefix(data, dataBroadcast):
		t.broadcastButton(strings.TrimPrefix(data, dataBroadcast))
	case strings.HasPrefix(data, dataEdit):
		t.encounterButton(strings.TrimPrefix(data, dataEdit))
	case strings.HasPrefix(data, dataStaff):
		t.staffButton(strings.TrimPrefix(data, dataStaff))
	case strings.HasPrefix(data, dataSubscribe):
		t.subscribe(strings.TrimPrefix(data, dataSubscribe))
	case strings.HasPrefix(data, dataUnsubscribe):
		t.unsubscribe(strings.TrimPrefix(data, dataUnsubscribe))
	case strings.HasPrefix(data, dataCalendar):
		t.calendar(strings.TrimPrefix(data, dataCalendar))
	case strings.HasPrefix(data, dataScreen):
		t.screen(strings.TrimPrefix(data, dataScreen))
	case strings.HasPrefix(data, dataService):
		t.service(strings.TrimPrefix(data, dataService))
	case strings.HasPrefix(data, dataEncounter):
		t.encounter(strings.TrimPrefix(data, dataEncounter))
	default:
		t.menu(t.html("fallback.text")) // an old or foreign button: never a dead end
	}
}

func (t *turn) command(name, arg string) {
	switch name {
	case "broadcast":
		t.broadcastCommand(arg)
		return
	case "broadcasts":
		t.broadcastsCommand()
		return
	case "ask":
		t.askCommand(arg)
		return
	case "encounter":
		t.encounterCommand()
		return
	}
	if t.staffCommand(name) {
		return
	}
	screen, ok := commandScreens[name]
	if !ok {
		t.menu(t.html("unknown_command.text"))
		return
	}
	if name == "start" {
		// a deep link t.me/<bot>?start=<screen> opens that screen
		if s := strings.TrimSpace(arg); s != "" && knownScreen(s) {
			t.screen(s)
			return
		}
		if id, _ := deepLink(t.ev); id != "" {
			if t.first { // a poster's link is their first contact: it stands for the welcome
				t.note = t.privacyShort()
			}
			t.subscribe(TopicEncounter(id)) // a poster's link: t.me/<bot>?start=e_<encounter>[_<lang>]
			return
		}
		short := ""
		if t.first { // once: their state is stored with this answer
			short = t.privacyShort()
		}
		t.say(paragraphs(t.html("start.welcome"), short, t.html("menu.prompt")), t.mainButtons())
		t.showing(screenMain)
		return
	}
	t.screen(screen)
}

func (t *turn) text(msg string) {
	if t.broadcastDialogue(msg) || t.encounterDialogue(msg) || t.handoffText(msg) || t.followUp(msg) {
		return
	}
	if _, isNumber := number(msg); isNumber {
		t.menu(t.html("fallback.text")) // a number that picks nothing on the last screen
		return
	}
	r := t.nlu.Classify(msg, t.lang)
	t.out.Tally = append(t.out.Tally, questionTally(r))
	if code, ok := t.namedLanguage(msg, r.Intent); ok {
		t.offerLanguage(code)
		return
	}
	switch r.Intent {
	case understand.Contacts:
		t.screen(screenContacts)
	case understand.Services:
		t.screen(screenServices)
	case understand.Encounters:
		t.screen(screenEncounters)
	case understand.EncountersWeek:
		t.screen(screenWeek)
	case understand.Help:
		t.screen(screenHelp)
	case understand.Language:
		t.screen(screenLanguage)
	case understand.Privacy:
		t.screen(screenPrivacy)
	case understand.Menu:
		t.screen(screenMain)
	case understand.Greeting:
		t.say(paragraphs(t.html("greeting.reply"), t.html("menu.prompt")), t.mainButtons())
		t.showing(screenMain)
	case understand.Thanks:
		t.say(t.html("thanks.reply"), [][]Button{{t.menuButton()}})
	default:
		if r.Service != "" {
			t.service(r.Service)
			return
		}
		t.fallback(msg) // nothing to answer with: a person may have one
	}
}

// typedChoice turns a typed number into a press of the n-th button of the
// last screen, for residents who type a number rather than tap (and for the
// terminal, where buttons are numbered). After a screen whose buttons
// changed since the resident saw it (stale), a number shows it again
// instead: it presses nothing the resident did not see.
func typedChoice(ev Event, st State, stale bool) Event {
	if ev.Kind != KindText {
		return ev
	}
	n, ok := number(ev.Text)
	switch {
	case !ok:
	case stale && st.Dialogue == nil:
		ev.Kind, ev.Data, ev.Text = KindButton, dataScreen+st.Screen, ""
	case n >= 1 && n <= len(st.Choices):
		ev.Kind, ev.Data, ev.Text = KindButton, st.Choices[n-1], ""
	}
	return ev
}

// reshown tells whether the core can show a screen again from the state
// alone, for the same resident at another moment: its buttons are then
// stored as a fingerprint (print), not as their data.
func reshown(screen string) bool {
	return screen != screenForget && (screen == screenMain || knownScreen(screen))
}

// newTurn starts answering ev from st, in the resident's chosen language,
// else their app's when it is one of ours (else none yet).
func (c *Core) newTurn(ev Event, st State) *turn {
	t := &turn{Core: c, ev: ev, first: firstContact(st)}
	t.out.State = st
	t.setLang(st.Lang)
	if t.lang == "" {
		if code, ok := c.cat.Match(ev.LanguageCode); ok {
			t.setLang(code)
		}
	}
	return t
}

// shownAgain is the data of the buttons of screen st.Screen, shown again
// for the resident of ev in their language at ev.Now; false when the core
// cannot show that screen again.
func (c *Core) shownAgain(ev Event, st State) ([]string, bool) {
	if !reshown(st.Screen) {
		return nil, false
	}
	ev.Kind, ev.Command, ev.Text, ev.Data = KindButton, "", "", dataScreen+st.Screen
	t := c.newTurn(ev, st)
	t.out.State.Choices, t.out.State.Print = nil, ""
	if t.lang == "" && ev.Group {
		t.setLang(c.cat.Default())
	}
	if t.lang == "" {
		return nil, false
	}
	t.screen(st.Screen)
	return t.out.State.Choices, t.out.State.Screen == st.Screen && len(t.out.State.Choices) > 0
}

// print stores the buttons of a screen the core can show again as a
// fingerprint of their data: a few bytes instead of all of it.
func (c *Core) print(ev Event, st State, shown shownScreen) State {
	if len(st.Choices) == 0 {
		return st
	}
	if reshown(st.Screen) && shown.name == st.Screen && slices.Equal(shown.choices, st.Choices) {
		// drawn just now as a screen is drawn again: no need to draw it twice
		st.Choices, st.Print = nil, fingerprint(st.Choices)
		return st
	}
	if again, ok := c.shownAgain(ev, st); ok && slices.Equal(again, st.Choices) {
		st.Choices, st.Print = nil, fingerprint(again)
	}
	return st
}

// unprint gives a state stored with a fingerprint its buttons' data back,
// by showing its screen again; stale when they are no longer the ones the
// resident saw (an encounter passed, the content changed): then none.
func (c *Core) unprint(ev Event, st State) (open State, stale bool) {
	if st.Print == "" || len(st.Choices) > 0 {
		return st, false
	}
	again, ok := c.shownAgain(ev, st)
	print := st.Print
	st.Print = ""
	if !ok || fingerprint(again) != print {
		return st, true
	}
	st.Choices = again
	return st, false
}

// fingerprint is 32 bits of a hash of buttons' data, in 6 characters.
func fingerprint(choices []string) string {
	h := fnv.New32a()
	for _, c := range choices {
		h.Write([]byte(c))
		h.Write([]byte{0})
	}
	return base64.RawURLEncoding.EncodeToString(h.Sum(nil))
}

func number(s string) (int, bool) {
	if !strings.ContainsFunc(s, unicode.IsNumber) {
		return 0, false // most messages: no need to normalise them for this
	}
	n, err := strconv.Atoi(understand.Normalize(s))
	return n, err == nil
}

func (t *turn) screen(name string) {
	switch name {
	case screenMain:
		t.say(t.html("menu.prompt"), t.mainButtons())
	case screenServices:
		t.services()
	case screenAbout:
		t.about()
	case screenContacts:
		t.contacts()
	case screenEncounters:
		t.encounters(false)
	case screenWeek:
		t.encounters(true)
	case screenReminders:
		t.reminders()
	case screenSubscriptions:
		t.subscriptions()
	case screenUnsubscribe:
		t.unsubscribeAll()
	case screenLanguage:
		t.languages(t.tr("language.prompt"))
	case screenPrivacy:
		t.privacy()
	case screenHelp:
		t.say(t.helpText(), t.mainButtons())
	case screenForget:
		t.askForget()
	default:
		t.menu(t.html("fallback.text"))
		return
	}
	t.showing(name)
}

// showing records that the buttons just shown are those of screen name.
func (t *turn) showing(name string) {
	t.out.State.Screen = name
	t.out.shown = shownScreen{name: name, choices: slices.Clone(t.out.State.Choices)}
}

func knownScreen(s string) bool {
	switch s {
	case screenMain, screenServices, screenAbout, screenContacts, screenEncounters, screenWeek,
		screenReminders, screenLanguage, screenPrivacy, screenHelp, screenSubscriptions, screenUnsubscribe:
		return true
	}
	return false
}

// menu shows a short text and the main menu: the answer to anything the bot
// cannot place, so that there is always a way on.
func (t *turn) menu(text string) {
	t.say(text, t.mainButtons())
	t.showing(screenMain)
}

// say adds a reply and remembers its buttons for typed numbers.
func (t *turn) say(text string, buttons [][]Button) {
	t.out.Messages = append(t.out.Messages, Message{Text: t.dir(text), Buttons: buttons})
	t.remember(buttons)
}

func (t *turn) remember(buttons [][]Button) {
	t.out.State.Print = ""
	var choices []string
	for _, row := range buttons {
		for _, b := range row {
			if b.Data != "" {
				choices = append(choices, b.Data)
			}
		}
	}
	t.out.State.Choices = choices
}

func (t *turn) mainButtons() [][]Button {
	return [][]Button{
		{t.screenButton("📋", "menu.services", screenServices), t.screenButton("☎️", "menu.contacts", screenContacts)},
		{t.screenButton("📅", "menu.encounters", screenEncounters), t.screenButton("🔔", "menu.reminders", screenReminders)},
		{t.screenButton("🌐", "menu.language", screenLanguage), t.screenButton("🔒", "menu.privacy", screenPrivacy)},
		{t.screenButton("❓", "menu.help", screenHelp)},
	}
}

func (t *turn) screenButton(icon, label, screen string) Button {
	return Button{Label: icon + " " + t.tr(label), Data: dataScreen + screen}
}

func (t *turn) menuButton() Button { return t.screenButton("🏠", "button.menu", screenMain) }

func (t *turn) backButton(screen string) Button {
	return t.screenButton("⬅️", "button.back", screen)
}

func sameState(a, b State) bool {
	if a.Lang != b.Lang || a.Screen != b.Screen || a.Dialogue != b.Dialogue || !slices.Equal(a.Subs, b.Subs) {
		return false
	}
	switch {
	case a.Print == b.Print:
		return slices.Equal(a.Choices, b.Choices)
	case a.Print != "" && len(a.Choices) == 0 && b.Print == "": // the same buttons, once stored as a fingerprint
		return fingerprint(b.Choices) == a.Print
	case b.Print != "" && len(b.Choices) == 0 && a.Print == "":
		return fingerprint(a.Choices) == b.Print
	}
	return false
}

// typedNumber tells whether ev is a typed number, which may press a button
// of the last screen.
func typedNumber(ev Event) bool {
	if ev.Kind != KindText {
		return false
	}
	_, ok := number(ev.Text)
	return ok
}
