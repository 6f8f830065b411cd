package conversation

import (
	"crypto/sha256"
	"encoding/base32"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"

	"github.com/integrationsagentur-marl/integrabot/internal/agency"
	"github.com/integrationsagentur-marl/integrabot/internal/when"
)

// Staff create and edit encounters in a short dialogue in their private
// chat: title and description in German (other languages if they like),
// when, place, the end of a series, a link; a preview exactly as residents
// will see it, then Save. "Zurück" and "Abbrechen" at every step. Every
// step and every button checks the sender's role again, as the broadcast
// dialogue does; the buttons are signed ("ed:…").

const (
	dialogueEncounter = "encounter"
	dataEdit          = "ed:" // + action

	// steps
	edTitle     = "title"
	edDesc      = "desc"
	edWhen      = "when"
	edPlace     = "place"
	edUntil     = "until"
	edLink      = "link"
	edPreview   = "preview"
	edFields    = "fields"
	edManage    = "manage"
	edDates     = "dates"
	edConfirm   = "confirm"
	edLangTitle = "lt:" // + language
	edLangDesc  = "ld:" // + language

	// actions
	edNew       = "new"
	edList      = "list"
	edBack      = "back"
	edCancel    = "cancel"
	edSave      = "save"
	edForce     = "force"
	edField     = "f:" // + step
	edLang      = "lang"
	edLangPick  = "lang:" // + language
	edNoEnd     = "noend"
	edNoLink    = "nolink"
	edOpen      = "open:" // + encounter id
	edChange    = "change"
	edDate      = "x:" // + yyyymmdd
	edSeries    = "series"
	edSeriesYes = "series!"
	edDelete    = "del"
	edDeleteYes = "del!"

	encounterDraftTTL = 24 * time.Hour
	maxTitle          = 100
	maxDescription    = 1000
)

// the order of the steps when an encounter is created
var edOrder = []string{edTitle, edDesc, edWhen, edPlace, edUntil, edLink, edPreview}

func (t *turn) edButton(icon, label, action string) Button {
	return Button{Label: icon + " " + t.tr(label), Data: dataEdit + action}
}

// backCancel is the row under every step.
func (t *turn) backCancel() []Button {
	return []Button{t.edButton("⬅️", "button.back", edBack), t.edButton("❌", "button.cancel", edCancel)}
}

func (t *turn) encounterCommand() {
	if t.staffOnly() {
		return
	}
	t.newEncounter()
}

func (t *turn) newEncounter() {
	d := &Dialogue{Name: dialogueEncounter, Step: edTitle, Draft: map[string]string{}, Expires: t.ev.Now.Add(encounterDraftTTL)}
	t.out.State.Dialogue = d
	t.askStep()
}

// encounterDialogue takes the staff member's text at a step that asks for one.
func (t *turn) encounterDialogue(msg string) bool {
	d := t.out.State.Dialogue
	if d == nil || d.Name != dialogueEncounter || !textStep(d.Step) {
		return false
	}
	if t.staffOnly() {
		return true
	}
	if !t.ev.Now.Before(d.Expires) {
		return false
	}
	d = cloneDialogue(d)
	t.out.State.Dialogue = d
	msg = strings.TrimSpace(msg)
	if msg == "" {
		t.askStep()
		return true
	}
	loc := t.content.Location
	switch step := d.Step; {
	case step == edTitle || strings.HasPrefix(step, edLangTitle):
		if t.edTooLong(msg, maxTitle) {
			return true
		}
		d.Draft["t:"+stepLang(step)] = msg
		changed(d, "t:"+stepLang(step))
		if lang, ok := strings.CutPrefix(step, edLangTitle); ok {
			d.Step = edLangDesc + lang
			t.askStep()
			return true
		}
	case step == edDesc || strings.HasPrefix(step, edLangDesc):
		if t.edTooLong(msg, maxDescription) {
			return true
		}
		d.Draft["d:"+stepLang(step)] = msg
		changed(d, "d:"+stepLang(step))
		if strings.HasPrefix(step, edLangDesc) {
			t.encounterPreview()
			return true
		}
	case step == edWhen:
		sc, err := when.Span(msg, t.ev.Now, loc)
		if err != nil { // the staff's German terms, after a line in their language
			t.say(t.html("enc.bad_when")+"\n"+esc(err.Error()), [][]Button{t.backCancel()})
			return true
		}
		putSchedule(d, sc)
		changed(d, "when")
	case step == edPlace:
		if t.edTooLong(msg, maxTitle) {
			return true
		}
		d.Draft["p"] = msg
		changed(d, "p")
	case step == edUntil:
		day, err := when.Day(msg, t.ev.Now, loc)
		start := time.Unix(unix(d.Draft["s"]), 0).In(loc)
		if err == nil && day.Before(time.Date(start.Year(), start.Month(), start.Day(), 0, 0, 0, 0, loc)) {
			err = &when.Error{Problem: "Das Ende der Reihe liegt vor dem ersten Termin (" + start.Format("2.1.2006") + ")."}
		}
		if err != nil {
			t.say(t.html("enc.bad_until")+"\n"+esc(err.Error()), [][]Button{{t.edButton("♾", "button.no_end", edNoEnd)}, t.backCancel()})
			return true
		}
		d.Draft["u"] = itoa(day.Unix())
		changed(d, "u")
	case step == edLink:
		u, err := url.Parse(msg)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || strings.ContainsAny(msg, " \n") {
			t.say(t.html("enc.bad_link"), [][]Button{{t.edButton("⏭", "button.no_link", edNoLink)}, t.backCancel()})
			return true
		}
		d.Draft["k"] = msg
		changed(d, "k")
	}
	t.nextStep()
	return true
}

func textStep(step string) bool {
	switch step {
	case edTitle, edDesc, edWhen, edPlace, edUntil, edLink:
		return true
	}
	return strings.HasPrefix(step, edLangTitle) || strings.HasPrefix(step, edLangDesc)
}

// stepLang is the language a title or description step asks for.
func stepLang(step string) string {
	if i := strings.IndexByte(step, ':'); i >= 0 {
		return step[i+1:]
	}
	return agency.SourceLang
}

func (t *turn) edTooLong(msg string, limit int) bool {
	n := utf16Len(msg)
	if n <= limit {
		return false
	}
	t.say(esc(t.cat.Format(t.lang, "enc.too_long", map[string]any{"Length": t.num(int64(n)), "Max": t.num(int64(limit))})), [][]Button{t.backCancel()})
	return true
}

// nextStep goes on after a step: to the next one while creating, back to
// the preview when one field was changed.
func (t *turn) nextStep() {
	d := t.out.State.Dialogue
	if d.Draft["mode"] == "field" {
		t.encounterPreview()
		return
	}
	i := slices.Index(edOrder, d.Step)
	d.Step = edOrder[i+1]
	if d.Step == edUntil && d.Draft["r"] == "" {
		d.Step = edLink // a single date has no end of series
	}
	if d.Step == edPreview {
		t.encounterPreview()
		return
	}
	t.askStep()
}

// askStep asks for what the dialogue's step needs.
func (t *turn) askStep() {
	d := t.out.State.Dialogue
	rows := [][]Button{t.backCancel()}
	var text string
	switch step := d.Step; {
	case step == edTitle:
		text = t.html("enc.ask_title")
	case step == edDesc:
		text = t.html("enc.ask_description")
	case step == edWhen:
		text = t.html("enc.ask_when")
	case step == edPlace:
		text = t.html("enc.ask_place")
	case step == edUntil:
		text = t.html("enc.ask_until")
		rows = append([][]Button{{t.edButton("♾", "button.no_end", edNoEnd)}}, rows...)
	case step == edLink:
		text = t.html("enc.ask_link")
		rows = append([][]Button{{t.edButton("⏭", "button.no_link", edNoLink)}}, rows...)
	case strings.HasPrefix(step, edLangTitle), strings.HasPrefix(step, edLangDesc):
		l, _ := t.cat.Lang(stepLang(step))
		key := "enc.ask_title_in"
		if strings.HasPrefix(step, edLangDesc) {
			key = "enc.ask_description_in"
		}
		text = esc(t.cat.Format(t.lang, key, map[string]any{"Language": l.Name}))
	}
	if cur := t.currentValue(); cur != "" {
		text = paragraphs(text, esc(t.cat.Format(t.lang, "enc.current", map[string]any{"Value": cur})))
	}
	t.say(text, rows)
}

// currentValue is what a field holds now, shown when staff change it.
func (t *turn) currentValue() string {
	d := t.out.State.Dialogue
	switch step := d.Step; {
	case step == edTitle || strings.HasPrefix(step, edLangTitle):
		return d.Draft["t:"+stepLang(step)]
	case step == edDesc || strings.HasPrefix(step, edLangDesc):
		return d.Draft["d:"+stepLang(step)]
	case step == edPlace:
		return d.Draft["p"]
	case step == edLink:
		return d.Draft["k"]
	case step == edWhen && d.Draft["s"] != "":
		e := draftEncounter(d, t.content.Location)
		return t.dateTime(e.Start, e.End)
	case step == edUntil && d.Draft["u"] != "":
		return t.cat.Date(t.lang, time.Unix(unix(d.Draft["u"]), 0).In(t.content.Location))
	}
	return ""
}

// encounterButton handles the buttons of the dialogue.
func (t *turn) encounterButton(action string) {
	if t.staffOnly() {
		return
	}
	switch {
	case action == edNew:
		t.newEncounter()
		return
	case action == edList:
		t.encounterList()
		return
	case strings.HasPrefix(action, edOpen):
		t.openEncounter(strings.TrimPrefix(action, edOpen))
		return
	}
	d := t.out.State.Dialogue
	if d == nil || d.Name != dialogueEncounter || !t.ev.Now.Before(d.Expires) {
		t.say(t.html("enc.nothing"), [][]Button{{t.edButton("🆕", "button.new_encounter", edNew), t.edButton("✏️", "button.edit_encounters", edList)}, {t.menuButton()}})
		return
	}
	d = cloneDialogue(d)
	t.out.State.Dialogue = d
	switch {
	case action == edCancel:
		t.out.State.Dialogue = nil
		t.menu(t.html("enc.discarded"))
	case action == edBack:
		t.stepBack()
	case action == edSave && d.Step == edPreview, action == edForce && d.Draft["conflict"] != "":
		t.saveEncounter(action)
	case action == edChange && d.Step == edManage:
		t.encounterPreview()
	case action == edFields && (d.Step == edPreview || d.Step == edFields):
		t.fieldMenu()
	case strings.HasPrefix(action, edField) && d.Step == edFields:
		step := strings.TrimPrefix(action, edField)
		if !textStep(step) {
			t.fieldMenu()
			return
		}
		d.Step, d.Draft["mode"] = step, "field"
		t.askStep()
	case action == edLang && (d.Step == edPreview || d.Step == edFields):
		var rows [][]Button
		for _, l := range t.cat.Languages() {
			if l.Code != agency.SourceLang {
				rows = append(rows, []Button{{Label: l.Name, Data: dataEdit + edLangPick + l.Code}})
			}
		}
		d.Step = edFields
		t.say(t.html("enc.ask_lang"), append(rows, t.backCancel()))
	case strings.HasPrefix(action, edLangPick) && d.Step == edFields:
		lang := strings.TrimPrefix(action, edLangPick)
		if _, ok := t.cat.Lang(lang); !ok || lang == agency.SourceLang {
			t.encounterPreview()
			return
		}
		d.Step, d.Draft["mode"] = edLangTitle+lang, "field"
		t.askStep()
	case action == edNoEnd && d.Step == edUntil:
		delete(d.Draft, "u")
		changed(d, "u")
		t.nextStep()
	case action == edNoLink && d.Step == edLink:
		delete(d.Draft, "k")
		changed(d, "k")
		t.nextStep()
	case action == edDates && d.Step == edManage:
		t.dateList()
	case strings.HasPrefix(action, edDate) && d.Step == edDates:
		t.cancelDate(strings.TrimPrefix(action, edDate))
	case (action == edSeries || action == edDelete) && d.Step == edManage:
		d.Step = edConfirm
		e := draftEncounter(d, t.content.Location)
		key, yes, data := "enc.confirm_series", "button.yes_cancel", edSeriesYes
		if action == edDelete {
			key, yes, data = "enc.confirm_delete", "button.yes_delete_encounter", edDeleteYes
		}
		t.say(esc(t.cat.Format(t.lang, key, map[string]any{"Title": e.Title.Or(t.lang)})), [][]Button{{t.edButton("✅", yes, data)}, t.backCancel()})
	case (action == edSeriesYes || action == edDeleteYes) && d.Step == edConfirm:
		e := draftEncounter(d, t.content.Location)
		save := SaveEncounter{SaveID: t.saveID(action), Base: unix(d.Draft["base"]), Encounter: e, Change: ChangeSeriesCancelled}
		if action == edDeleteYes {
			save.Delete, save.Change = true, ChangeDeleted
		} else {
			save.Encounter.Cancelled = true
		}
		t.out.Effects = append(t.out.Effects, save)
		t.out.Save = true
	default:
		t.say(t.html("enc.nothing"), [][]Button{{t.edButton("🆕", "button.new_encounter", edNew), t.edButton("✏️", "button.edit_encounters", edList)}, {t.menuButton()}})
	}
}

// stepBack goes one step back: to the step before while creating, to the
// preview from a field being changed, to the list from the first step.
func (t *turn) stepBack() {
	d := t.out.State.Dialogue
	switch step := d.Step; {
	case strings.HasPrefix(step, edLangDesc):
		d.Step = edLangTitle + stepLang(step)
		t.askStep()
	case step == edFields || strings.HasPrefix(step, edLangTitle) || d.Draft["mode"] == "field" && textStep(step):
		t.encounterPreview()
	case step == edDates || step == edConfirm || step == edPreview && d.Draft["base"] != "":
		// an opened encounter: back to what can be done with it
		d.Step = edManage
		t.manageMenu()
	case step == edManage, step == edTitle && d.Draft["id"] != "":
		t.encounterList()
	case step == edTitle:
		t.out.State.Dialogue = nil
		t.encounterList()
	default:
		i := slices.Index(edOrder, step)
		if i <= 0 {
			t.encounterPreview()
			return
		}
		d.Step = edOrder[i-1]
		if d.Step == edUntil && d.Draft["r"] == "" {
			d.Step = edPlace
		}
		t.askStep()
	}
}

// fieldMenu lets staff pick the field to change.
func (t *turn) fieldMenu() {
	d := t.out.State.Dialogue
	d.Step = edFields
	rows := [][]Button{
		{t.edButton("🏷", "enc.field.title", edField+edTitle), t.edButton("📝", "enc.field.description", edField+edDesc)},
		{t.edButton("🗓", "enc.field.when", edField+edWhen), t.edButton("📍", "enc.field.place", edField+edPlace)},
	}
	last := []Button{t.edButton("🔗", "enc.field.link", edField+edLink)}
	if d.Draft["r"] != "" {
		last = append([]Button{t.edButton("♾", "enc.field.until", edField+edUntil)}, last...)
	}
	rows = append(rows, last, []Button{t.edButton("🌐", "button.add_version", edLang)}, t.backCancel())
	t.say(t.html("enc.ask_field"), rows)
}

// encounterPreview shows the encounter exactly as residents will see it,
// then asks to save.
func (t *turn) encounterPreview() {
	d := t.out.State.Dialogue
	d.Step = edPreview
	delete(d.Draft, "mode")
	e := draftEncounter(d, t.content.Location)
	o, ok := e.Next(t.ev.Now)
	if !ok {
		o = agency.Occurrence{Encounter: &e, Start: e.Start, End: e.End}
	}
	var link [][]Button
	if e.Link != "" {
		link = [][]Button{{{Label: "🔗 " + t.tr("button.more_info"), URL: e.Link}}}
	}
	t.say(t.encounterCard(e, o), link)
	text := t.html("enc.preview")
	if d.Draft["g"] != "" {
		text = paragraphs(text, "ℹ️ "+t.html("enc.end_guessed"))
	}
	var names []string
	for _, l := range t.cat.Languages() {
		if l.Code != agency.SourceLang && e.Title.Has(l.Code) {
			names = append(names, l.Name)
		}
	}
	if len(names) > 0 {
		text = paragraphs(text, "🌐 "+esc(t.cat.Format(t.lang, "enc.languages", map[string]any{"Languages": strings.Join(names, ", ")})))
	}
	t.say(text, [][]Button{
		{t.edButton("💾", "button.save", edSave)},
		{t.edButton("✏️", "button.edit", edFields), t.edButton("🌐", "button.add_version", edLang)},
		t.backCancel(),
	})
}

// saveEncounter asks for the draft to be stored, based on the version it
// was opened at (or, after a refusal, the version found then).
func (t *turn) saveEncounter(action string) {
	d := t.out.State.Dialogue
	e := draftEncounter(d, t.content.Location)
	save := SaveEncounter{SaveID: t.saveID(action), Base: unix(d.Draft["base"]), Encounter: e, Change: ChangeSaved}
	if action == edForce {
		save.Base = unix(d.Draft["conflict"])
	}
	if e.ID == "" {
		save.Encounter.ID = newEncounterID(e.Title.Or(agency.SourceLang), save.SaveID)
	}
	if err := t.checkEncounter(save.Encounter); err != nil {
		t.say(t.html("enc.invalid")+"\n"+esc(err.Error()), [][]Button{{t.edButton("✏️", "button.edit", edFields)}, t.backCancel()})
		return
	}
	t.out.Effects = append(t.out.Effects, save)
	t.out.Save = true // the decider answers with what became of it
}

// checkEncounter checks e as a content file's encounter is checked: what
// is stored always loads.
func (t *turn) checkEncounter(e agency.Encounter) error {
	data, err := agency.MarshalEncounters([]agency.Encounter{e}, t.content.Location)
	if err != nil {
		return err
	}
	var langs []string
	for _, l := range t.cat.Languages() {
		langs = append(langs, l.Code)
	}
	_, err = agency.ParseEncounters(data, t.content.Location, langs)
	return err
}

// saveID names one press: the same for a retried update, another for the
// next press.
func (t *turn) saveID(action string) string {
	sum := sha256.Sum256([]byte(strconv.FormatInt(t.ev.ChatID, 10) + ":" + strconv.Itoa(t.ev.MessageID) + ":" + action + ":" + t.out.State.Dialogue.Draft["id"]))
	return strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(sum[:10]))
}

// umlauts are written out the German way in ids: Nähcafé is naehcafe.
var umlauts = strings.NewReplacer("ä", "ae", "ö", "oe", "ü", "ue")

// newEncounterID is a readable id for a new encounter: its title's first
// letters and part of the save's id (ids are 32 characters at most).
func newEncounterID(title, saveID string) string {
	var b strings.Builder
	dash := false
	folded, _, err := transform.String(transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn))), umlauts.Replace(strings.ToLower(title)))
	if err != nil {
		folded = strings.ToLower(title)
	}
	for _, r := range folded {
		if b.Len() >= 18 {
			break
		}
		switch {
		case r >= 'a' && r <= 'z' || r >= '0' && r <= '9':
			b.WriteRune(r)
			dash = false
		case r == 'ß':
			b.WriteString("ss")
		default:
			if b.Len() > 0 && !dash {
				b.WriteByte('-')
				dash = true
			}
		}
	}
	slug := strings.Trim(b.String(), "-")
	if slug == "" {
		slug = "treffen"
	}
	return slug + "-" + saveID[:6]
}

// encounterList lists every encounter for staff to pick one to edit.
func (t *turn) encounterList() {
	var rows [][]Button
	for _, e := range t.content.Encounters {
		icon := "📄" // in the content files
		if _, ok := t.stored[e.ID]; ok {
			icon = "✏️"
		}
		if e.Cancelled {
			icon = "❌"
		}
		rows = append(rows, []Button{{Label: icon + " " + e.Title.Or(t.lang), Data: dataEdit + edOpen + e.ID}})
	}
	text := t.html("enc.list")
	if len(rows) == 0 {
		text = t.html("enc.list_none")
	}
	rows = append(rows, []Button{t.edButton("🆕", "button.new_encounter", edNew)}, []Button{t.menuButton()})
	t.say(text, rows)
}

// openEncounter opens one encounter to change, call off or delete; one from
// the content files is changed there.
func (t *turn) openEncounter(id string) {
	e, ok := t.content.Encounter(id)
	version, stored := t.stored[id]
	if !ok {
		t.out.Messages = append(t.out.Messages, Message{Text: t.dir(t.html("encounters.gone"))})
		t.encounterList()
		return
	}
	if !stored {
		t.say(t.html("enc.from_files"), [][]Button{{t.edButton("⬅️", "button.back", edList), t.menuButton()}})
		return
	}
	d := &Dialogue{Name: dialogueEncounter, Step: edManage, Draft: map[string]string{}, Expires: t.ev.Now.Add(encounterDraftTTL)}
	putEncounter(d, e)
	d.Draft["base"] = itoa(version)
	t.out.State.Dialogue = d
	t.manageMenu()
}

// manageMenu is what staff can do with an open encounter.
func (t *turn) manageMenu() {
	d := t.out.State.Dialogue
	e := draftEncounter(d, t.content.Location)
	rows := [][]Button{{t.edButton("✏️", "button.edit", edChange)}}
	if _, ok := e.Next(t.ev.Now); ok && e.Repeat != agency.Once {
		rows = append(rows, []Button{t.edButton("📅", "button.cancel_date", edDates)})
	}
	if !e.Cancelled {
		rows = append(rows, []Button{t.edButton("⛔", "button.cancel_series", edSeries)})
	}
	rows = append(rows, []Button{t.edButton("🗑", "button.delete", edDelete)},
		[]Button{t.edButton("⬅️", "button.back", edList), t.edButton("❌", "button.cancel", edCancel)})
	t.say(esc(t.cat.Format(t.lang, "enc.manage", map[string]any{"Title": e.Title.Or(t.lang)})), rows)
}

// datesShown is how many coming dates staff may pick one from to call off.
const datesShown = 8

// dateList offers the coming dates of the open encounter to call one off.
func (t *turn) dateList() {
	d := t.out.State.Dialogue
	e := draftEncounter(d, t.content.Location)
	var rows [][]Button
	from := t.ev.Now
	for len(rows) < datesShown {
		o, ok := e.Next(from)
		if !ok {
			break
		}
		rows = append(rows, []Button{{Label: t.moment(o.Start), Data: dataEdit + edDate + o.Start.In(t.content.Location).Format("20060102")}})
		from = o.End.Add(time.Second)
	}
	d.Step = edDates
	text := t.html("enc.ask_date")
	if len(rows) == 0 {
		text = t.html("enc.no_dates")
	}
	t.say(text, append(rows, t.backCancel()))
}

// cancelDate calls off one date of the open encounter.
func (t *turn) cancelDate(day string) {
	d := t.out.State.Dialogue
	loc := t.content.Location
	e := draftEncounter(d, loc)
	midnight, err := time.ParseInLocation("20060102", day, loc)
	var o agency.Occurrence
	ok := err == nil
	if ok {
		o, ok = e.Next(midnight)
		ok = ok && o.Start.In(loc).Format("20060102") == day
	}
	if !ok {
		t.dateList() // not a date of the series (any more)
		return
	}
	e.Except = append(e.Except, midnight)
	slices.SortFunc(e.Except, func(a, b time.Time) int { return a.Compare(b) })
	t.out.Effects = append(t.out.Effects, SaveEncounter{SaveID: t.saveID(edDate + day), Base: unix(d.Draft["base"]), Encounter: e, Change: ChangeDateCancelled, Date: o.Start})
	t.out.Save = true
}

// changed notes a field staff changed in the draft ("t:de", "when", "p"…),
// so that after someone else's save their changes can be put on top of it.
func changed(d *Dialogue, field string) {
	fields := strings.Split(d.Draft["chg"], ",")
	if !slices.Contains(fields, field) {
		d.Draft["chg"] = strings.Trim(d.Draft["chg"]+","+field, ",")
	}
}

// draftKeys are the draft's keys a changed field is kept in.
func draftKeys(field string) []string {
	if field == "when" { // a new schedule starts its series' end and exceptions afresh
		return []string{"s", "e", "r", "dy", "ev", "wk", "g", "u", "x"}
	}
	return []string{field}
}

// onTop is a draft of current with the fields d changed put on it.
func onTop(d *Dialogue, current agency.Encounter, version int64) *Dialogue {
	n := &Dialogue{Name: dialogueEncounter, Step: edPreview, Draft: map[string]string{}, Expires: d.Expires}
	putEncounter(n, current)
	for _, field := range strings.Split(d.Draft["chg"], ",") {
		if field == "" {
			continue
		}
		for _, k := range draftKeys(field) {
			if v, ok := d.Draft[k]; ok {
				n.Draft[k] = v
			} else {
				delete(n.Draft, k)
			}
		}
	}
	n.Draft["chg"], n.Draft["base"] = d.Draft["chg"], itoa(version)
	return n
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func unix(s string) int64 {
	n, _ := strconv.ParseInt(s, 10, 64)
	return n
}

// putSchedule writes a schedule into the draft; the end of a series and
// the dates called off start afresh with a new schedule.
func putSchedule(d *Dialogue, sc when.Schedule) {
	var e agency.Encounter
	sc.Apply(&e)
	for _, k := range []string{"u", "x", "g"} {
		delete(d.Draft, k)
	}
	putTimes(d, e)
	if sc.EndGuessed {
		d.Draft["g"] = "1"
	}
}

func putTimes(d *Dialogue, e agency.Encounter) {
	d.Draft["s"], d.Draft["e"] = itoa(e.Start.Unix()), itoa(e.End.Unix())
	set := func(k, v string) {
		if v == "" || v == "0" {
			delete(d.Draft, k)
			return
		}
		d.Draft[k] = v
	}
	set("r", string(e.Repeat))
	var days []string
	for _, w := range e.Days {
		days = append(days, strconv.Itoa(int(w)))
	}
	set("dy", strings.Join(days, ","))
	set("ev", strconv.Itoa(e.Every))
	set("wk", strconv.Itoa(e.Week))
}

// putEncounter writes an encounter into a draft.
func putEncounter(d *Dialogue, e agency.Encounter) {
	d.Draft["id"] = e.ID
	for lang, s := range e.Title {
		d.Draft["t:"+lang] = s
	}
	for lang, s := range e.Description {
		d.Draft["d:"+lang] = s
	}
	putTimes(d, e)
	if !e.Until.IsZero() {
		y, m, day := e.Until.Date()
		d.Draft["u"] = itoa(time.Date(y, m, day, 0, 0, 0, 0, e.Until.Location()).Unix())
	}
	var x []string
	for _, t := range e.Except {
		x = append(x, itoa(t.Unix()))
	}
	if len(x) > 0 {
		d.Draft["x"] = strings.Join(x, ",")
	}
	if e.Cancelled {
		d.Draft["c"] = "1"
	}
	d.Draft["p"] = e.Place
	if e.Link != "" {
		d.Draft["k"] = e.Link
	}
}

// draftEncounter is the encounter a draft describes, its times in loc.
func draftEncounter(d *Dialogue, loc *time.Location) agency.Encounter {
	e := agency.Encounter{ID: d.Draft["id"], Title: agency.Text{}, Description: agency.Text{}, Place: d.Draft["p"], Link: d.Draft["k"], Cancelled: d.Draft["c"] != ""}
	for k, v := range d.Draft {
		if lang, ok := strings.CutPrefix(k, "t:"); ok {
			e.Title[lang] = v
		}
		if lang, ok := strings.CutPrefix(k, "d:"); ok {
			e.Description[lang] = v
		}
	}
	if d.Draft["s"] != "" {
		e.Start, e.End = time.Unix(unix(d.Draft["s"]), 0).In(loc), time.Unix(unix(d.Draft["e"]), 0).In(loc)
	}
	e.Repeat = agency.Repeat(d.Draft["r"])
	if s := d.Draft["dy"]; s != "" {
		for _, w := range strings.Split(s, ",") {
			n, _ := strconv.Atoi(w)
			e.Days = append(e.Days, time.Weekday(n))
		}
	}
	e.Every, _ = strconv.Atoi(d.Draft["ev"])
	e.Week, _ = strconv.Atoi(d.Draft["wk"])
	if s := d.Draft["u"]; s != "" {
		e.Until = time.Unix(unix(s), 0).In(loc).AddDate(0, 0, 1).Add(-time.Nanosecond) // the whole last day
	}
	if s := d.Draft["x"]; s != "" {
		for _, x := range strings.Split(s, ",") {
			e.Except = append(e.Except, time.Unix(unix(x), 0).In(loc))
		}
	}
	return e
}
