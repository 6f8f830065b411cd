package conversation

import (
	"strings"
)

// The staff menu: /staff opens it in a staff member's private chat, with
// the staff's tools one tap away (broadcasts, encounters, QR codes for
// posters, reloading the content folder, figures). Every command and every
// button checks the sender's role again; the buttons are signed by the
// adapter like the broadcast buttons, so a crafted press is refused too.

const (
	dataStaff    = "sf:" // + action
	sfMenu       = "menu"
	sfBroadcast  = "bc"  // the /broadcast dialogue
	sfBroadcasts = "bcs" // the /broadcasts list
	sfQR         = "qr"  // the encounters to choose a QR code of
	sfQROf       = "qr:" // + encounter id: its QR code
	sfReload     = "reload"
	sfStats      = "stats"
)

// StaffCommands are the commands registered for staff members only, on
// top of Commands (command.<name> is its description).
var StaffCommands = []string{"staff", "broadcast", "broadcasts", "encounter", "qr", "stats"}

// SendQR asks for the QR code of an encounter's deep link, sent to the
// staff member as a picture (the decider knows the bot's username and
// makes the image; QRCode writes the message).
type SendQR struct {
	Encounter string
}

// ReloadContent asks for the content folder to be checked and, if it is
// sound, loaded (the decider reloads; ReloadReport says what came of it).
type ReloadContent struct{}

// ShowStats asks for the figures (the decider counts; StatsReport writes them).
type ShowStats struct{}

func (SendQR) effect()        {}
func (ReloadContent) effect() {}
func (ShowStats) effect()     {}

// staffCommand answers the staff's own commands; false: not one of them.
func (t *turn) staffCommand(name string) bool {
	switch name {
	case "staff":
		t.staffButton(sfMenu)
	case "qr":
		t.staffButton(sfQR)
	case "stats":
		t.staffButton(sfStats)
	default:
		return false
	}
	return true
}

// staffButton handles the staff menu's buttons.
func (t *turn) staffButton(action string) {
	if t.staffOnly() {
		return
	}
	switch {
	case action == sfMenu:
		t.say(t.html("staff.menu"), t.staffMenuButtons())
	case action == sfBroadcast:
		t.broadcastCommand("")
	case action == sfBroadcasts:
		t.broadcastsCommand()
	case action == sfQR:
		t.qrChoice()
	case strings.HasPrefix(action, sfQROf):
		id := strings.TrimPrefix(action, sfQROf)
		if _, ok := t.content.Encounter(id); !ok {
			t.say(t.html("staff.qr_gone"), t.qrButtons())
			return
		}
		t.out.Effects = append(t.out.Effects, SendQR{Encounter: id}) // the decider sends the picture
	case action == sfReload:
		t.out.Effects = append(t.out.Effects, ReloadContent{}) // the decider says what came of it
	case action == sfStats:
		t.out.Effects = append(t.out.Effects, ShowStats{}) // the decider counts and writes
	default:
		t.say(t.html("staff.menu"), t.staffMenuButtons()) // an old button: the menu again
	}
}

func (t *turn) sfButton(icon, label, action string) Button {
	return Button{Label: icon + " " + t.tr(label), Data: dataStaff + action}
}

// staffMenuButtons are the staff menu: every tool of the staff in one place.
func (t *turn) staffMenuButtons() [][]Button {
	return [][]Button{
		{t.sfButton("📢", "staff.button.broadcast", sfBroadcast), t.sfButton("📋", "staff.button.broadcasts", sfBroadcasts)},
		{t.edButton("📅", "staff.button.encounters", edList), t.edButton("➕", "staff.button.new_encounter", edNew)}, // the encounter dialogues
		{t.sfButton("🔳", "staff.button.qr", sfQR), t.sfButton("🔄", "staff.button.reload", sfReload)},
		{t.sfButton("📊", "staff.button.stats", sfStats), t.menuButton()},
	}
}

func (t *turn) staffBackButton() Button { return t.sfButton("⬅️", "button.back", sfMenu) }

// qrChoice lists the encounters to choose the QR code of.
func (t *turn) qrChoice() {
	rows := t.qrButtons()
	if len(rows) == 1 {
		t.say(t.html("staff.qr_none"), rows)
		return
	}
	t.say(t.html("staff.qr_choose"), rows)
}

// qrButtons are a button per encounter that is not called off, then Back.
func (t *turn) qrButtons() [][]Button {
	var rows [][]Button
	for _, e := range t.content.Encounters {
		if e.Cancelled {
			continue
		}
		rows = append(rows, []Button{{Label: "🔳 " + e.Title.Or(t.lang), Data: dataStaff + sfQROf + e.ID}})
	}
	return append(rows, []Button{t.staffBackButton()})
}

// QRCode is the picture of an encounter's QR code for staff, with its link
// in the caption.
func (c *Core) QRCode(staff int64, st State, encounter, link string, png []byte) Message {
	t := c.staffTurn(staff, st)
	title := encounter
	if e, ok := c.content.Encounter(encounter); ok {
		title = e.Title.Or(t.lang)
	}
	text := esc(t.cat.Format(t.lang, "staff.qr_caption", map[string]any{"Title": title})) + "\n" + esc(link)
	return Message{Chat: staff, Text: t.dir(text), Document: &Document{Name: encounter + ".png", Data: png, Photo: true},
		Buttons: [][]Button{{t.staffBackButton()}}}
}

// QRFailed tells staff that no QR code could be made now (the bot's
// username is not known yet, or the link is too long for Telegram).
func (c *Core) QRFailed(staff int64, st State) Message {
	t := c.staffTurn(staff, st)
	return Message{Chat: staff, Text: t.dir(t.html("staff.qr_failed")), Buttons: [][]Button{{t.staffBackButton()}}}
}
