package conversation

import (
	"strconv"
	"strings"
	"time"

	"github.com/integrationsagentur-marl/integrabot/internal/when"
)

// Staff broadcast to followers in a short dialogue: the text, the audience,
// a preview exactly as residents will see it, then Send. Every step and
// every button checks the sender's role again: a forged or replayed button
// from anyone else earns a refusal and does nothing.

const (
	dialogueBroadcast = "broadcast"
	stepText          = "text"
	stepAudience      = "audience"
	stepPreview       = "preview"
	stepWhen          = "when"

	dataBroadcast = "bc:" // + action
	bcAudience    = "aud:"
	bcLang        = "lang:"
	bcSend        = "send"
	bcEdit        = "edit"
	bcCancel      = "cancel"
	bcLater       = "later"
	bcVersion     = "ver:" // + language: write the version in that language
	bcFallback    = "fb:"  // + note|skip: what followers of other languages get
	stepVersion   = "version"

	// FallbackNote: followers whose language has no version get the main
	// text with a line in their language saying so; FallbackSkip: none.
	FallbackNote = "note"
	FallbackSkip = "skip"
	bcControl    = "ctl:" // + state + ":" + id: pause, resume, cancel a running one

	broadcastDraftTTL = 24 * time.Hour
)

// StartBroadcast asks for a confirmed broadcast to be recorded and sent;
// ID is stable for the press that confirmed it, so that a retried update
// or a double tap records one.
type StartBroadcast struct {
	ID    string
	Due   time.Time // when to send it (zero: now)
	Staff int64
	Text  string // Telegram HTML, as residents see it
	Topic string // followers of this topic…
	Lang  string // …who read this language ("" all)
	// Main is the language Text is written in; Versions are the texts in
	// other languages (HTML); Fallback says what followers of a language
	// without one get (FallbackNote or FallbackSkip).
	Main     string
	Versions map[string]string
	Fallback string
	Media    *Media // a photo or PDF sent with Text as its caption
}

// CountAudience asks for the number of recipients per language, shown
// under the preview (the decider counts, BroadcastAudience writes it).
type CountAudience struct {
	Topic, Lang string
}

func (CountAudience) effect() {}

// ListBroadcasts asks for the recent broadcasts with their figures (the
// decider reads them and lets BroadcastList write them).
type ListBroadcasts struct{}

func (ListBroadcasts) effect() {}

// ControlBroadcast asks for a broadcast to go to state To (running, paused, cancelled).
type ControlBroadcast struct {
	ID string
	To string
}

func (StartBroadcast) effect()   {}
func (ControlBroadcast) effect() {}

// staffOnly refuses anyone who is not staff, or staff in a group.
func (t *turn) staffOnly() bool {
	if t.ev.Role == RoleStaff && !t.ev.Group {
		return false
	}
	t.menu(t.html("staff.only"))
	return true
}

func (t *turn) broadcastCommand(arg string) {
	if t.staffOnly() {
		return
	}
	d := &Dialogue{Name: dialogueBroadcast, Step: stepText, Draft: map[string]string{}, Expires: t.ev.Now.Add(broadcastDraftTTL)}
	t.out.State.Dialogue = d
	if arg = strings.TrimSpace(arg); arg != "" { // /broadcast Text…: straight to the preview, for news followers
		d.Draft["text"], d.Draft["topic"], d.Draft["main"] = arg, TopicNews, t.lang
		t.broadcastPreview()
		return
	}
	t.say(t.html("broadcast.ask_text"), [][]Button{{t.bcButton("❌", "button.cancel", bcCancel)}})
}

func (t *turn) bcButton(icon, label, action string) Button {
	return Button{Label: icon + " " + t.tr(label), Data: dataBroadcast + action}
}

// broadcastDialogue takes the staff member's text while a broadcast is being written.
func (t *turn) broadcastDialogue(msg string) bool {
	d := t.out.State.Dialogue
	if d == nil || d.Name != dialogueBroadcast || (d.Step != stepText && d.Step != stepWhen && !strings.HasPrefix(d.Step, stepVersion)) {
		return false
	}
	if t.staffOnly() {
		return true
	}
	if !t.ev.Now.Before(d.Expires) {
		return false
	}
	d = cloneDialogue(d)
	if d.Step == stepWhen {
		t.out.State.Dialogue = d
		at, err := when.Moment(msg, t.ev.Now, t.content.Location)
		if err != nil { // the staff's German terms, after a line in their language
			t.say(t.html("broadcast.bad_when")+"\n"+esc(err.Error()), [][]Button{{t.bcButton("❌", "button.cancel", bcCancel)}})
			return true
		}
		d.Draft["at"] = strconv.FormatInt(at.Unix(), 10)
		t.broadcastPreview()
		return true
	}
	if t.tooLong(msg, d) {
		t.out.State.Dialogue = d
		return true
	}
	if lang, ok := strings.CutPrefix(d.Step, stepVersion+":"); ok {
		d.Draft["v:"+lang] = msg
		t.out.State.Dialogue = d
		t.broadcastPreview()
		return true
	}
	d.Draft["text"] = msg
	d.Draft["main"] = t.lang
	delete(d.Draft, "media")
	if m := t.ev.Media; m != nil { // a photo or PDF, msg its caption
		d.Draft["media"] = m.Kind + ":" + m.FileID
	}
	d.Step = stepAudience
	t.out.State.Dialogue = d
	rows := [][]Button{
		{t.bcButton("📰", "broadcast.audience_news", bcAudience+TopicNews)},
		{t.bcButton("📅", "broadcast.audience_all", bcAudience+TopicAll)},
		{t.bcButton("🌐", "broadcast.audience_lang", bcLang)},
	}
	for _, e := range t.content.Encounters {
		if _, ok := e.Next(t.ev.Now); ok {
			rows = append(rows, []Button{{Label: "🔔 " + e.Title.Or(t.lang), Data: dataBroadcast + bcAudience + TopicEncounter(e.ID)}})
		}
	}
	rows = append(rows, []Button{t.bcButton("❌", "button.cancel", bcCancel)})
	t.say(t.html("broadcast.ask_audience"), rows)
	return true
}

// broadcastButton handles the buttons of the dialogue and of a running broadcast.
func (t *turn) broadcastButton(action string) {
	if t.staffOnly() {
		return
	}
	if rest, ok := strings.CutPrefix(action, bcControl); ok {
		to, id, _ := strings.Cut(rest, ":")
		t.out.Effects = append(t.out.Effects, ControlBroadcast{ID: id, To: to})
		return // the decider says what became of it
	}
	d := t.out.State.Dialogue
	if d == nil || d.Name != dialogueBroadcast || !t.ev.Now.Before(d.Expires) {
		t.say(t.html("broadcast.nothing"), t.mainButtons())
		return
	}
	d = cloneDialogue(d)
	t.out.State.Dialogue = d
	switch {
	case action == bcCancel:
		t.out.State.Dialogue = nil
		t.menu(t.html("broadcast.discarded"))
	case action == bcEdit:
		d.Step = stepText
		t.say(t.html("broadcast.ask_text"), [][]Button{{t.bcButton("❌", "button.cancel", bcCancel)}})
	case action == bcLater && d.Step == stepPreview:
		d.Step = stepWhen
		t.say(t.html("broadcast.ask_when"), [][]Button{{t.bcButton("❌", "button.cancel", bcCancel)}})
	case action == bcVersion && d.Step == stepPreview:
		var rows [][]Button
		for _, l := range t.cat.Languages() {
			if l.Code != d.Draft["main"] {
				rows = append(rows, []Button{{Label: l.Name, Data: dataBroadcast + bcVersion + l.Code}})
			}
		}
		t.say(t.html("broadcast.ask_version_lang"), rows)
	case strings.HasPrefix(action, bcVersion) && d.Step == stepPreview:
		lang := strings.TrimPrefix(action, bcVersion)
		l, ok := t.cat.Lang(lang)
		if !ok {
			t.broadcastPreview()
			return
		}
		d.Step = stepVersion + ":" + lang
		t.say(esc(t.cat.Format(t.lang, "broadcast.ask_version", map[string]any{"Language": l.Name})), [][]Button{{t.bcButton("❌", "button.cancel", bcCancel)}})
	case strings.HasPrefix(action, bcFallback) && d.Step == stepPreview:
		d.Draft["fb"] = strings.TrimPrefix(action, bcFallback)
		t.broadcastPreview()
	case action == bcLang:
		var rows [][]Button
		for _, l := range t.cat.Languages() {
			rows = append(rows, []Button{{Label: l.Name, Data: dataBroadcast + bcLang + l.Code}})
		}
		t.say(t.html("broadcast.ask_lang"), rows)
	// an audience button of an earlier broadcast, tapped before this one has
	// a text, would preview (and send) an empty message
	case strings.HasPrefix(action, bcLang) && d.Step != stepText:
		d.Draft["topic"], d.Draft["lang"] = TopicNews, strings.TrimPrefix(action, bcLang)
		t.broadcastPreview()
	case strings.HasPrefix(action, bcAudience) && d.Step != stepText:
		d.Draft["topic"], d.Draft["lang"] = strings.TrimPrefix(action, bcAudience), ""
		t.broadcastPreview()
	case action == bcSend && d.Step == stepPreview:
		id := strconv.FormatInt(t.ev.ChatID, 36) + "-" + strconv.Itoa(t.ev.MessageID)
		start := StartBroadcast{ID: id, Staff: t.ev.UserID, Text: esc(d.Draft["text"]), Topic: d.Draft["topic"], Lang: d.Draft["lang"],
			Main: d.Draft["main"], Versions: versions(d), Fallback: fallback(d), Media: draftMedia(d)}
		if at, err := strconv.ParseInt(d.Draft["at"], 10, 64); err == nil && time.Unix(at, 0).After(t.ev.Now) {
			start.Due = time.Unix(at, 0)
		}
		t.out.Effects = append(t.out.Effects, start)
		t.out.State.Dialogue = nil
		if !start.Due.IsZero() {
			t.say("🕘 "+esc(t.cat.Format(t.lang, "broadcast.scheduled", map[string]any{"When": t.moment(start.Due)})), [][]Button{{
				t.bcButton("⏹", "button.cancel", bcControl+"cancelled:"+id)}})
			t.out.Messages[len(t.out.Messages)-1].Record = broadcastRecord(id)
			return
		}
		t.say("📢 "+t.html("broadcast.started"), t.controls(id, false))
		t.out.Messages[len(t.out.Messages)-1].Record = broadcastRecord(id) // edited in place with the progress
	default:
		t.say(t.html("broadcast.nothing"), t.mainButtons())
	}
}

// broadcastPreview shows the message exactly as residents will see it,
// then whom it goes to, with Send, Edit and Cancel.
func (t *turn) broadcastPreview() {
	d := t.out.State.Dialogue
	d.Step = stepPreview
	audience := t.topicName(d.Draft["topic"])
	if l, ok := t.cat.Lang(d.Draft["lang"]); ok {
		audience += " · " + l.Name
	}
	preview := BroadcastMessage(esc(d.Draft["text"]), "", "")
	preview.Media = draftMedia(d)
	preview.Lane = LaneReply // an answer to staff: before the question below it, not after
	t.out.Messages = append(t.out.Messages, preview)
	text := esc(t.cat.Format(t.lang, "broadcast.preview", map[string]any{"Audience": audience}))
	if vs := versions(d); len(vs) > 0 {
		var names []string
		for _, l := range t.cat.Languages() {
			if _, ok := vs[l.Code]; ok {
				names = append(names, l.Name)
			}
		}
		other := "broadcast.others_note"
		if fallback(d) == FallbackSkip {
			other = "broadcast.others_skip"
		}
		text = paragraphs(text, esc(t.cat.Format(t.lang, "broadcast.versions", map[string]any{"Languages": strings.Join(names, ", ")}))+"\n"+t.html(other))
	}
	rows := [][]Button{{t.bcButton("📢", "button.send", bcSend), t.bcButton("🕘", "button.later", bcLater)}}
	defer func() {
		rows := t.out.Messages[len(t.out.Messages)-1].Buttons
		extra := []Button{t.bcButton("🌐", "button.add_version", bcVersion)}
		if len(versions(d)) > 0 {
			if fallback(d) == FallbackSkip {
				extra = append(extra, t.bcButton("↩️", "button.others_note", bcFallback+FallbackNote))
			} else {
				extra = append(extra, t.bcButton("⏭", "button.others_skip", bcFallback+FallbackSkip))
			}
		}
		t.out.Messages[len(t.out.Messages)-1].Buttons = append(rows[:len(rows)-1:len(rows)-1], extra, rows[len(rows)-1])
		t.remember(t.out.Messages[len(t.out.Messages)-1].Buttons)
		t.out.Effects = append(t.out.Effects, CountAudience{Topic: d.Draft["topic"], Lang: d.Draft["lang"]})
	}()
	if at, err := strconv.ParseInt(d.Draft["at"], 10, 64); err == nil {
		text = paragraphs(text, "🕘 "+esc(t.cat.Format(t.lang, "broadcast.scheduled", map[string]any{"When": t.moment(time.Unix(at, 0))})))
		rows = [][]Button{{t.bcButton("📢", "button.send", bcSend)}}
	}
	rows = append(rows, []Button{t.bcButton("✏️", "button.edit", bcEdit), t.bcButton("❌", "button.cancel", bcCancel)})
	t.say(text, rows)
}

// BroadcastMessage is a broadcast as a resident gets it: the staff's text,
// and (for a follower) a way to stop in their language.
func BroadcastMessage(text, stop, topic string) Message {
	m := Message{Lane: LaneBulk, Text: text}
	if stop != "" {
		m.Buttons = [][]Button{{{Label: "🔕 " + stop, Data: dataUnsubscribe + topic}}}
	}
	return m
}

// Broadcast is the message of a broadcast for one follower, in their language.
func (c *Core) Broadcast(text, topic string, user int64, st State) Message {
	lang := st.Lang
	if _, ok := c.cat.Lang(lang); !ok {
		lang = c.cat.Default()
	}
	m := BroadcastMessage(text, c.cat.T(lang, "button.stop_reminders"), topic)
	m.Chat = user
	return m
}

// BroadcastFigures are what became of a broadcast's messages so far.
type BroadcastFigures struct {
	State                                          string
	Queued, Sent, Blocked, Gone, Failed, Cancelled int64
	PerMinute                                      int64
	Reasons                                        map[string]int64 // the failed by why (Fail…)
}

// Pending is how many queued messages are still to be sent.
func (f BroadcastFigures) Pending() int64 {
	return max(f.Queued-f.Sent-f.Gone-f.Failed-f.Cancelled, 0)
}

func (c *Core) staffTurn(staff int64, st State) *turn {
	t := &turn{Core: c, ev: Event{UserID: staff, ChatID: staff}}
	t.setLang(st.Lang)
	if t.lang == "" {
		t.setLang(c.cat.Default())
	}
	return t
}

func (t *turn) num(n int64) string { return t.cat.Digits(t.lang, strconv.FormatInt(n, 10)) }

// BroadcastProgress is the staff member's progress message, edited in place.
func (c *Core) BroadcastProgress(staff int64, st State, id string, f BroadcastFigures, finished bool) Message {
	t := c.staffTurn(staff, st)
	text := "📢 " + esc(t.cat.Format(t.lang, "broadcast.progress", map[string]any{
		"State": t.tr("broadcast.state." + f.State), "Sent": t.num(f.Sent), "Total": t.num(f.Queued + f.Blocked - f.Gone),
		"Pending": t.num(f.Pending()), "Blocked": t.num(f.Blocked), "Failed": t.num(f.Failed), "Rate": t.num(f.PerMinute),
	}))
	m := Message{Chat: staff, Text: t.dir(text), Edit: broadcastRecord(id)}
	if !finished {
		m.Buttons = t.controls(id, f.State == "paused")
	}
	return m
}

// BroadcastReport is what staff are told when every message of a broadcast
// has been sent, given up or cancelled.
func (c *Core) BroadcastReport(staff int64, st State, f BroadcastFigures) Message {
	t := c.staffTurn(staff, st)
	text := "📢 " + esc(t.cat.Format(t.lang, "broadcast.report", map[string]any{"Sent": t.num(f.Sent), "Blocked": t.num(f.Blocked), "Failed": t.num(f.Failed)}))
	return Message{Chat: staff, Text: paragraphs(t.dir(text), t.failureLines(f))}
}

// BroadcastAutoPaused tells staff that a broadcast stopped itself.
func (c *Core) BroadcastAutoPaused(staff int64, st State, id string, f BroadcastFigures) Message {
	t := c.staffTurn(staff, st)
	text := "⚠️ " + esc(t.cat.Format(t.lang, "broadcast.auto_paused", map[string]any{"Failed": t.num(f.Failed)}))
	return Message{Chat: staff, Text: paragraphs(t.dir(text), t.failureLines(f)), Buttons: t.controls(id, true)}
}

// broadcastRecord names the staff's progress message of a broadcast.
func broadcastRecord(id string) string { return "bc:" + id }

func cloneDialogue(d *Dialogue) *Dialogue {
	n := *d
	n.Draft = make(map[string]string, len(d.Draft))
	for k, v := range d.Draft {
		n.Draft[k] = v
	}
	return &n
}

// controls are the buttons of a running (or paused) broadcast.
func (t *turn) controls(id string, paused bool) [][]Button {
	first := t.bcButton("⏸", "button.pause", bcControl+"paused:"+id)
	if paused {
		first = t.bcButton("▶️", "button.resume", bcControl+"running:"+id)
	}
	return [][]Button{{first, t.bcButton("⏹", "button.cancel", bcControl+"cancelled:"+id)}}
}

// BroadcastControls are the buttons of a running or paused broadcast, in lang.
func (c *Core) BroadcastControls(lang, id string, paused bool) [][]Button {
	t := &turn{Core: c}
	t.setLang(lang)
	return t.controls(id, paused)
}

// moment is a date and time the local way.
func (t *turn) moment(at time.Time) string {
	at = at.In(t.content.Location)
	return t.cat.Date(t.lang, at) + ", " + ltr(t.rtl, t.cat.Clock(t.lang, at))
}

func (t *turn) broadcastsCommand() {
	if t.staffOnly() {
		return
	}
	t.out.Effects = append(t.out.Effects, ListBroadcasts{}) // the decider writes the list
}

// BroadcastSummary is one recent broadcast as staff see it listed.
type BroadcastSummary struct {
	Created time.Time
	Due     time.Time
	Topic   string
	Lang    string
	Figures BroadcastFigures
}

// BroadcastList is the list of recent broadcasts for staff, in lang.
func (c *Core) BroadcastList(staff int64, st State, list []BroadcastSummary, now time.Time) Message {
	t := c.staffTurn(staff, st)
	t.ev.Now = now
	if len(list) == 0 {
		return Message{Chat: staff, Text: t.dir(t.html("broadcasts.none"))}
	}
	lines := []string{bold(t.tr("broadcasts.title"))}
	for _, b := range list {
		audience := t.topicName(b.Topic)
		if l, ok := t.cat.Lang(b.Lang); ok {
			audience += " · " + l.Name
		}
		at := b.Created
		if b.Due.After(at) {
			at = b.Due
		}
		lines = append(lines, "• "+esc(t.cat.Format(t.lang, "broadcasts.line", map[string]any{
			"When": t.moment(at), "Audience": audience, "State": t.tr("broadcast.state." + b.Figures.State),
			"Sent": t.num(b.Figures.Sent), "Blocked": t.num(b.Figures.Blocked), "Failed": t.num(b.Figures.Failed),
		})))
	}
	return Message{Chat: staff, Text: t.dir(strings.Join(lines, "\n"))}
}

// versions are a draft's texts in other languages, made safe for HTML.
func versions(d *Dialogue) map[string]string {
	out := map[string]string{}
	for k, v := range d.Draft {
		if lang, ok := strings.CutPrefix(k, "v:"); ok {
			out[lang] = esc(v)
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

func fallback(d *Dialogue) string {
	if d.Draft["fb"] == FallbackSkip {
		return FallbackSkip
	}
	return FallbackNote
}

// BroadcastAudience says how many will get a broadcast, by language.
func (c *Core) BroadcastAudience(staff int64, st State, byLang map[string]int) Message {
	t := c.staffTurn(staff, st)
	total := 0
	var parts []string
	for _, l := range t.cat.Languages() {
		if n := byLang[l.Code]; n > 0 {
			total += n
			parts = append(parts, l.Name+" "+t.num(int64(n)))
		}
	}
	text := "👥 " + esc(t.cat.Format(t.lang, "broadcast.recipients", map[string]any{"Count": t.num(int64(total)), "ByLanguage": strings.Join(parts, ", ")}))
	return Message{Chat: staff, Text: t.dir(text)}
}

// BroadcastFor is the broadcast a follower gets: the version in their
// language, or the main text with a line saying there is none in theirs;
// false when they are to be skipped.
func (c *Core) BroadcastFor(text, main string, vs map[string]string, fb, topic string, user int64, st State) (Message, bool) {
	lang := st.Lang
	if _, ok := c.cat.Lang(lang); !ok {
		lang = c.cat.Default()
	}
	switch v, ok := vs[lang]; {
	case ok:
		text = v
	case main == "" || lang == main:
	case fb == FallbackSkip:
		return Message{}, false
	default:
		t := c.staffTurn(user, State{Lang: lang})
		text = text + "\n\n" + t.dir("ℹ️ "+t.html("broadcast.no_version"))
	}
	return c.Broadcast(text, topic, user, st), true
}

// draftMedia is the photo or file of a draft, if any.
func draftMedia(d *Dialogue) *Media {
	kind, id, ok := strings.Cut(d.Draft["media"], ":")
	if !ok {
		return nil
	}
	return &Media{Kind: kind, FileID: id}
}

// broadcastMedia takes a photo or file while a broadcast is being written;
// anything else the bot cannot read gets the usual kind answer.
func (t *turn) broadcastMedia() bool {
	d := t.out.State.Dialogue
	if t.ev.Media == nil || d == nil || d.Name != dialogueBroadcast || d.Step != stepText || t.ev.Role != RoleStaff || t.ev.Group {
		return false
	}
	return t.broadcastDialogue(t.ev.Text)
}

// Telegram's limits, in UTF-16 units as Telegram counts them.
const (
	maxText    = 4096
	maxCaption = 1024
)

// tooLong refuses a text Telegram would refuse, at the preview, not when
// thousands are being sent: with its length and the limit. The note a
// follower without their language's version gets adds a little; staff are
// told the limit of the text itself.
func (t *turn) tooLong(msg string, d *Dialogue) bool {
	limit := maxText
	if t.ev.Media != nil || d.Draft["media"] != "" && strings.HasPrefix(d.Step, stepVersion) {
		limit = maxCaption
	}
	n := utf16Len(msg)
	if n <= limit {
		return false
	}
	t.say(esc(t.cat.Format(t.lang, "broadcast.too_long", map[string]any{"Length": t.num(int64(n)), "Max": t.num(int64(limit))})),
		[][]Button{{t.bcButton("❌", "button.cancel", bcCancel)}})
	return true
}

func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		if r >= 0x10000 {
			n += 2
		} else {
			n++
		}
	}
	return n
}
