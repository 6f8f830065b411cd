package conversation

import (
	"time"

	"github.com/integrationsagentur-marl/integrabot/internal/agency"
)

// What a save of an encounter changes, for the answer to staff.
const (
	ChangeSaved           = "saved"   // created, or fields edited
	ChangeDateCancelled   = "date"    // one date called off
	ChangeSeriesCancelled = "series"  // the whole encounter called off
	ChangeDeleted         = "deleted" // removed
)

// SaveEncounter asks for an encounter kept in Redis to be stored (or
// deleted) if its stored version is still Base (0: a new one). SaveID is
// stable for the press that saved, so that a retried update is recognised
// as the same save, never a second one.
type SaveEncounter struct {
	SaveID    string
	Base      int64
	Encounter agency.Encounter
	Delete    bool
	Change    string    // ChangeSaved, ChangeDateCancelled…
	Date      time.Time // ChangeDateCancelled: the date's start
}

func (SaveEncounter) effect() {}

// EncounterSaved is what became of a SaveEncounter.
type EncounterSaved struct {
	Saved   bool  // stored (now, or by the same save before)
	Version int64 // the version stored now
	Deleted bool  // refused: someone deleted it meanwhile
}

// WithStored returns the core knowing which of its encounters are kept in
// Redis (staff edit them in Telegram), with their versions; the others
// come from the content files.
func (c *Core) WithStored(versions map[string]int64) *Core {
	cc := *c
	cc.stored = versions
	return &cc
}

// EncounterSaveResult is the answer to staff once a SaveEncounter was
// applied (or refused), and their state after it: a refused save keeps
// the draft, so that nothing is lost.
func (c *Core) EncounterSaveResult(ev Event, st State, e SaveEncounter, r EncounterSaved) ([]Message, State) {
	t := &turn{Core: c, ev: ev}
	t.out.State = st
	t.setLang(st.Lang)
	if t.lang == "" {
		t.setLang(c.cat.Default())
	}
	if r.Saved {
		t.out.State.Dialogue = nil
		var text string
		switch e.Change {
		case ChangeDateCancelled:
			text = esc(t.cat.Format(t.lang, "enc.date_cancelled", map[string]any{"When": t.moment(e.Date)}))
		case ChangeSeriesCancelled:
			text = t.html("enc.series_cancelled")
		case ChangeDeleted:
			text = t.html("enc.deleted")
		default:
			text = t.html("enc.saved")
		}
		t.say("✅ "+text, [][]Button{
			{t.edButton("🆕", "button.new_encounter", edNew), t.edButton("✏️", "button.edit_encounters", edList)},
			{t.menuButton()},
		})
		return t.out.Messages, t.out.State
	}
	d := st.Dialogue
	if d == nil || d.Name != dialogueEncounter {
		d = &Dialogue{Name: dialogueEncounter, Step: edPreview, Draft: map[string]string{}, Expires: ev.Now.Add(encounterDraftTTL)}
		putEncounter(d, e.Encounter)
	}
	if current, ok := c.content.Encounter(e.Encounter.ID); ok && e.Change == ChangeSaved && !r.Deleted && c.stored[e.Encounter.ID] == r.Version && r.Version > 0 {
		// the other staff member's version with this one's changes on top:
		// both kept, to be checked and saved
		t.out.State.Dialogue = onTop(d, current, r.Version)
		t.out.Messages = append(t.out.Messages, Message{Text: t.dir("⚠️ " + t.html("enc.conflict_merged"))})
		t.encounterPreview()
		return t.out.Messages, t.out.State
	}
	d = cloneDialogue(d)
	d.Draft["id"] = e.Encounter.ID
	d.Draft["conflict"] = itoa(r.Version)
	t.out.State.Dialogue = d
	msg := "enc.conflict"
	if r.Deleted {
		msg = "enc.conflict_deleted"
	}
	rows := [][]Button{}
	if e.Change == ChangeSaved {
		rows = append(rows, []Button{t.edButton("💾", "button.save_anyway", edForce)})
	} else {
		d.Step = edManage
		rows = append(rows, []Button{t.edButton("🔄", "button.reopen", edOpen+e.Encounter.ID)})
	}
	rows = append(rows, []Button{t.edButton("❌", "button.cancel", edCancel)})
	t.say("⚠️ "+t.html(msg), rows)
	return t.out.Messages, t.out.State
}

// WithContent returns the core answering from the content change makes of
// its own (a copy): tests add encounters this way.
func (c *Core) WithContent(change func(agency.Content) agency.Content) *Core {
	cc := *c
	content := change(*c.content)
	cc.content = &content
	return &cc
}
