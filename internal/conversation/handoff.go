package conversation

import (
	"strconv"
	"strings"
	"time"
	"unicode/utf16"
)

// Questions passed to people. When the bot cannot answer a resident, or
// they ask for a person (the contacts, /ask), it offers to pass the question
// to the staff group and says what the team will see: the question, the
// language chosen and the first name, nothing else. Only after the resident
// confirms does the question go. A staff member answers by replying to it in
// the group; the reply reaches the resident with one line in their language
// saying it is the team's answer. Without a staff group nothing is offered.

const (
	dialogueHandoff = "handoff"
	stepAsked       = "asked" // the bot could not answer: the question waits for "Ask a person"
	stepOffer       = "offer" // the question and what the team sees are shown: waits for Send
	stepWrite       = "write" // waits for the resident to write their question

	dataHandoff = "ho:" // + action
	hoAsk       = "ask"
	hoSend      = "send"
	hoCancel    = "no"

	handoffDraftTTL = time.Hour
	// maxQuestion is how much of a question goes to staff, and maxAnswer of
	// a staff reply to a resident, in the UTF-16 units Telegram counts: with
	// the lines around them, the messages stay below its 4096.
	maxQuestion = 3000
	maxAnswer   = 3800
)

// WithStaffChat returns a core that passes residents' questions to the
// staff group chat (a negative id); 0 offers no hand-off. The receiver is
// unchanged.
func (c *Core) WithStaffChat(chat int64) *Core {
	cc := *c
	cc.staffChat = chat
	return &cc
}

// StaffChat is the staff group the core passes questions to (0: none).
func (c *Core) StaffChat() int64 { return c.staffChat }

// StaffReply tells whether ev is a reply in the staff group, whose thread
// the decider looks up before the core decides.
func (c *Core) StaffReply(ev Event) bool {
	return c.staffChat != 0 && ev.ChatID == c.staffChat && ev.Kind == KindText && ev.ReplyTo != 0
}

// handoffOn tells whether this resident can be offered a person: there is a
// staff group, and they write in their own chat (never a group's).
func (t *turn) handoffOn() bool { return t.staffChat != 0 && !t.ev.Group && t.ev.ChatID != t.staffChat }

func (t *turn) askButton() Button {
	return Button{Label: "🙋 " + t.tr("button.ask_person"), Data: dataHandoff + hoAsk}
}

// fallback is the answer to a question the bot cannot place: the menu, and
// with a staff group a button to ask a person, the question kept for it.
func (t *turn) fallback(question string) {
	if !t.handoffOn() || strings.TrimSpace(question) == "" {
		t.menu(t.html("fallback.text"))
		return
	}
	t.say(t.html("fallback.text"), append([][]Button{{t.askButton()}}, t.mainButtons()...))
	t.showing(screenMain)
	t.keepQuestion(stepAsked, question)
}

// keepQuestion keeps the question in the state for the next step only; any
// other answer drops it (see dropStaleQuestion).
func (t *turn) keepQuestion(step, question string) {
	d := &Dialogue{Name: dialogueHandoff, Step: step, Expires: t.ev.Now.Add(handoffDraftTTL)}
	if question != "" {
		d.Draft = map[string]string{"q": cut(strings.TrimSpace(question), maxQuestion)}
	}
	t.out.State.Dialogue = d
}

// pendingQuestion is the dialogue of a hand-off in progress, if any.
func (t *turn) pendingQuestion() (*Dialogue, bool) {
	d := t.out.State.Dialogue
	if d == nil || d.Name != dialogueHandoff || !t.ev.Now.Before(d.Expires) {
		return nil, false
	}
	return d, true
}

// dropStaleQuestion forgets a question kept by the previous answer that this
// one did not carry on: the bot stores a resident's words no longer than
// the step that needs them.
func dropStaleQuestion(before State, out *State) {
	if d := out.Dialogue; d != nil && (d.Name == dialogueHandoff || d.Name == dialogueThread) && d == before.Dialogue {
		out.Dialogue = nil // and a resident who did anything but write to the team talks to the bot again
	}
}

// askCommand is /ask: with a question, the offer; without, a request to write it.
func (t *turn) askCommand(arg string) {
	if !t.handoffOn() {
		t.menu(t.html("unknown_command.text"))
		return
	}
	if strings.TrimSpace(arg) != "" {
		t.offer(arg)
		return
	}
	t.askForQuestion()
}

func (t *turn) askForQuestion() {
	t.keepQuestion(stepWrite, "")
	t.say(t.html("handoff.ask_text"), [][]Button{{t.hoButton("❌", "button.cancel", hoCancel)}})
}

// handoffText takes the question the resident was asked to write.
func (t *turn) handoffText(msg string) bool {
	d, ok := t.pendingQuestion()
	if !ok || d.Step != stepWrite || !t.handoffOn() {
		return false
	}
	t.offer(msg)
	return true
}

func (t *turn) hoButton(icon, label, action string) Button {
	return Button{Label: icon + " " + t.tr(label), Data: dataHandoff + action}
}

// offer shows the question and what the team will see, with one button to send it.
func (t *turn) offer(question string) {
	t.keepQuestion(stepOffer, question)
	q := t.out.State.Dialogue.Draft["q"]
	sees := esc(t.cat.Format(t.lang, "handoff.offer", map[string]any{"Lang": t.langName(t.lang), "Name": firstName(t.ev.FirstName)}))
	t.say(paragraphs(sees, "<i>"+esc(q)+"</i>"), [][]Button{
		{t.hoButton("✅", "button.send_to_team", hoSend)},
		{t.hoButton("❌", "button.cancel", hoCancel)},
	})
}

// handoffButton handles the buttons of the hand-off.
func (t *turn) handoffButton(action string) {
	if !t.handoffOn() {
		t.menu(t.html("fallback.text"))
		return
	}
	d, ok := t.pendingQuestion()
	switch action {
	case hoAsk:
		if ok && d.Draft["q"] != "" {
			t.offer(d.Draft["q"])
			return
		}
		t.askForQuestion()
	case hoCancel:
		t.out.State.Dialogue = nil
		t.menu(t.html("handoff.cancelled"))
	case hoSend:
		if !ok || d.Step != stepOffer || d.Draft["q"] == "" { // a second tap, or an offer from long ago
			t.out.State.Dialogue = nil
			t.say(t.html("handoff.nothing"), [][]Button{{t.askButton()}, {t.menuButton()}})
			return
		}
		if t.ev.Asked >= MaxQuestionsPerHour { // one resident cannot flood the group; the question stays for a later Send
			t.say(t.html("handoff.limit"), [][]Button{{t.menuButton()}})
			t.keepQuestion(stepOffer, d.Draft["q"])
			return
		}
		id := t.threadID()
		t.out.Messages = append(t.out.Messages, t.question(d.Draft["q"], id))
		t.out.Effects = append(t.out.Effects, OpenThread{Resident: t.ev.UserID, ID: id})
		t.writingToTeam(id)
		t.sayToTeamMode(paragraphs("✅ "+t.html("handoff.sent"), t.html("handoff.follow_hint")), [][]Button{{t.withdrawButton(id)}, {t.menuButton()}})
	default:
		if !t.threadButton(action) {
			t.menu(t.html("fallback.text"))
		}
	}
}

// question is the message to the staff group: the question, the language
// the resident chose and their first name. Never their id, user name or
// last name. Staff read the team's language.
func (t *turn) question(q, id string) Message {
	staff := t.cat.Default()
	return Message{
		Chat:    t.staffChat,
		Text:    paragraphs(t.groupHead(staff), esc(q), "<i>"+esc(t.cat.T(staff, "handoff.group_hint"))+"</i>"),
		Buttons: [][]Button{{{Label: "✅ " + t.cat.T(staff, "button.close_thread"), Data: dataClose}}},
		Thread:  &Thread{Resident: t.ev.UserID, Lang: t.lang, ID: id},
	}
}

// staffReply relays a staff member's reply in the staff group to the
// resident whose question it answers: the staff's words as written, one
// line in the resident's language before them, and one short line in the
// group to say it went. Anything else in the group is left alone: members'
// replies, replies to other messages.
func (t *turn) staffReply() Decision {
	th := t.ev.Thread
	if t.ev.Role != RoleStaff || th == nil || th.Closed || th.Resident <= 0 || strings.TrimSpace(t.ev.Text) == "" {
		return t.out
	}
	r := &turn{Core: t.Core, ev: t.ev}
	r.setLang(th.Lang)
	if r.lang == "" {
		r.setLang(t.cat.Default())
	}
	t.out.Messages = append(t.out.Messages, Message{
		Chat:    th.Resident,
		Key:     "relay." + strconv.FormatInt(t.ev.ChatID, 10) + "." + strconv.Itoa(t.ev.MessageID), // the staff message: relayed once
		Text:    r.dir(paragraphs("💬 "+bold(r.tr("handoff.answer")), esc(cut(t.ev.Text, maxAnswer)))),
		Buttons: r.answerButtons(th),
	})
	t.setLang(t.cat.Default())
	t.out.Messages = append(t.out.Messages, Message{Chat: t.ev.ChatID, Text: "✅ " + t.html("handoff.relayed")})
	t.out.Lang = t.lang
	return t.out
}

// answerButtons are under the team's answer: a way to reply to the team
// (its data names the thread, so that a Telegram reply to the answer finds
// it too) and the menu.
func (t *turn) answerButtons(th *Thread) [][]Button {
	if th.ID == "" { // a thread from before threads had names: it can only be answered
		return [][]Button{{t.menuButton()}}
	}
	return [][]Button{{t.hoButton("↩️", "button.reply_team", hoReply+th.ID)}, {t.menuButton()}}
}

// langName is a language's own name ("Türkçe").
func (t *turn) langName(code string) string {
	if l, ok := t.cat.Lang(code); ok {
		return l.Name
	}
	return code
}

// firstName is the first name staff see; Telegram always has one, the
// terminal none.
func firstName(s string) string {
	if s = strings.TrimSpace(s); s == "" {
		return "–"
	}
	return cut(s, 64)
}

// cut shortens s to at most n UTF-16 units (as Telegram counts them),
// ending with an ellipsis when it had to.
func cut(s string, n int) string {
	units := 0
	for _, r := range s {
		units += utf16.RuneLen(r)
	}
	if units <= n {
		return s
	}
	units = 0
	for i, r := range s {
		if units+utf16.RuneLen(r) > n-1 { // room for the ellipsis
			return s[:i] + "…"
		}
		units += utf16.RuneLen(r)
	}
	return s
}
