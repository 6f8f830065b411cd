package conversation

import (
	"strconv"
	"strings"
	"time"
)

// Threads: a question passed on to staff opens a thread, which lives until
// staff close it, the resident withdraws it, or it expires
// (HANDOFF_RETENTION). While it is open the resident can add to it.
//
// Which of a resident's messages go to the team, and which to the bot: a
// message goes to the thread when it is a Telegram reply to the team's
// relayed answer (always, while the thread is open), or when the resident
// is writing to the team: right after their question went, or after they
// tapped "Reply to the team" under an answer. Every confirmation says so
// ("anything else you write now goes to the team too; tap Menu to talk to
// me again"), and any button or command, or a day without writing, ends
// it. Anything else is a question to the bot, as before: a resident who
// adds "and I have two children" a minute after asking expects the team to
// read it; one who comes back next week for the encounters expects the bot.

const (
	dialogueThread = "thread" // the resident is writing to the team: their texts go to thread Draft["t"]
	stepFollow     = "follow"

	hoReply    = "re:" // + thread id: the resident wants to write to the team again
	hoWithdraw = "wd:" // + thread id: the resident withdraws the question

	// dataClose is the staff's button under a question in the staff group;
	// the message it is under names the thread. Signed: it carries authority.
	dataClose = "hc:close"

	// followWindow is how long after their last message to the team a
	// resident's texts still go to it.
	followWindow = 24 * time.Hour

	// MaxQuestionsPerHour is how many new questions a resident may pass on
	// to staff in an hour; follow-ups in an open thread are not counted.
	MaxQuestionsPerHour = 3
	// MaxFollowUpsPerHour is how many follow-ups: enough for a
	// conversation, too few to fill the group (Telegram lets the bot send
	// 20 a minute there, for everyone's questions).
	MaxFollowUpsPerHour = 10
)

// ReplyThreadOf reads the thread a button of the team's relayed answer
// names: a resident's Telegram reply to that answer belongs to it.
func ReplyThreadOf(data string) (string, bool) {
	id, ok := strings.CutPrefix(data, dataHandoff+hoReply)
	return id, ok && id != ""
}

// ThreadFor is the thread of the resident's own that ev concerns, which the
// decider looks up before the core decides: a follow-up, a tap on Reply to
// the team or on Withdraw.
func (c *Core) ThreadFor(ev Event, st State) (string, bool) {
	if c.staffChat == 0 || ev.Group || ev.ChatID == c.staffChat {
		return "", false
	}
	switch ev.Kind {
	case KindButton:
		if id, ok := strings.CutPrefix(ev.Data, dataHandoff+hoReply); ok && id != "" {
			return id, true
		}
		if id, ok := strings.CutPrefix(ev.Data, dataHandoff+hoWithdraw); ok && id != "" {
			return id, true
		}
	case KindText:
		return followingThread(ev, st)
	}
	return "", false
}

// followingThread is the thread a resident's text goes to, if any.
func followingThread(ev Event, st State) (string, bool) {
	if ev.ReplyThread != "" {
		return ev.ReplyThread, true
	}
	if d := st.Dialogue; d != nil && d.Name == dialogueThread && ev.Now.Before(d.Expires) && d.Draft["t"] != "" {
		return d.Draft["t"], true
	}
	return "", false
}

// CountsQuestion tells whether ev would pass a new question on (a tap on
// Send), for which the decider looks up how many the resident passed on
// this hour.
func (c *Core) CountsQuestion(ev Event) bool {
	return c.staffChat != 0 && !ev.Group && ev.Kind == KindButton && ev.Data == dataHandoff+hoSend
}

// StaffThreadMessage is the message in the staff group whose thread the
// decider looks up before the core decides ev: the one a reply answers, or
// the one whose Close button was pressed.
func (c *Core) StaffThreadMessage(ev Event) (int, bool) {
	switch {
	case c.StaffReply(ev):
		return ev.ReplyTo, true
	case c.staffClose(ev):
		return ev.MessageID, ev.MessageID > 0
	}
	return 0, false
}

func (c *Core) staffClose(ev Event) bool {
	return c.staffChat != 0 && ev.ChatID == c.staffChat && ev.Kind == KindButton && ev.Data == dataClose
}

// threadID names a new thread: the message whose Send the resident tapped
// (the same when the update comes again), unique in their chat.
func (t *turn) threadID() string {
	if t.ev.MessageID > 0 {
		return strconv.Itoa(t.ev.MessageID)
	}
	return strconv.FormatInt(t.ev.Now.Unix(), 10)
}

// writingToTeam keeps the resident's texts going to thread id for a while.
func (t *turn) writingToTeam(id string) {
	t.out.State.Dialogue = &Dialogue{Name: dialogueThread, Step: stepFollow, Draft: map[string]string{"t": id}, Expires: t.ev.Now.Add(followWindow)}
}

// sayToTeamMode is a confirmation while the resident writes to the team:
// its buttons are not remembered for typed numbers, so that "2" is a text
// for the team, never a tap.
func (t *turn) sayToTeamMode(text string, buttons [][]Button) {
	t.say(text, buttons)
	t.out.State.Choices = nil
}

// threadHere is the thread the decider found for id, nil when it found
// none (Redis away: unknown).
func (t *turn) threadHere(id string) (*Thread, bool) {
	th := t.ev.Thread
	if th == nil {
		return nil, true
	}
	if th.Closed || th.ID != id || th.Resident != t.ev.UserID {
		return nil, false
	}
	return th, true
}

// followUp passes a resident's text on to their open thread, as a reply to
// its first message in the group; a thread that ended offers the text as a
// new question instead, so that nothing is lost.
func (t *turn) followUp(msg string) bool {
	if !t.handoffOn() {
		return false
	}
	id, ok := followingThread(t.ev, t.out.State)
	if !ok {
		return false
	}
	th, open := t.threadHere(id)
	if !open {
		t.say(t.html("handoff.thread_over"), [][]Button{{t.askButton()}, {t.menuButton()}})
		t.keepQuestion(stepAsked, msg)
		return true
	}
	if t.ev.FollowUps >= MaxFollowUpsPerHour { // one resident cannot fill the group
		t.writingToTeam(id)
		t.sayToTeamMode(t.html("handoff.follow_limit"), [][]Button{{t.menuButton()}})
		return true
	}
	root := 0
	if th != nil {
		root = th.Root
	}
	t.out.Messages = append(t.out.Messages, t.followUpMessage(id, root, msg))
	t.out.Effects = append(t.out.Effects, FollowedUp{Resident: t.ev.UserID})
	t.writingToTeam(id)
	t.sayToTeamMode(paragraphs("✅ "+t.html("handoff.follow_sent"), t.html("handoff.follow_hint")), [][]Button{{t.menuButton()}})
	return true
}

// followUpMessage is a follow-up as staff see it: first name and language
// only, like the question.
func (t *turn) followUpMessage(id string, root int, msg string) Message {
	staff := t.cat.Default()
	head := "💬 " + bold(t.cat.Format(staff, "handoff.group_follow", map[string]any{"Name": firstName(t.ev.FirstName), "Lang": t.langName(t.lang) + " (" + t.lang + ")"}))
	return Message{
		Chat:     t.staffChat,
		Text:     paragraphs(head, esc(cut(strings.TrimSpace(msg), maxQuestion)), "<i>"+esc(t.cat.T(staff, "handoff.group_hint"))+"</i>"),
		FollowUp: &Thread{Resident: t.ev.UserID, Lang: t.lang, ID: id},
		ReplyTo:  root,
	}
}

// threadButton handles the resident's buttons of an open thread.
func (t *turn) threadButton(action string) bool {
	if id, ok := strings.CutPrefix(action, hoReply); ok {
		t.replyToTeam(id)
		return true
	}
	if id, ok := strings.CutPrefix(action, hoWithdraw); ok {
		t.withdraw(id)
		return true
	}
	return false
}

// replyToTeam is the tap on "Reply to the team" under the team's answer.
func (t *turn) replyToTeam(id string) {
	if _, open := t.threadHere(id); !open {
		t.say(t.html("handoff.not_open"), [][]Button{{t.askButton()}, {t.menuButton()}})
		return
	}
	t.writingToTeam(id)
	t.sayToTeamMode(paragraphs(t.html("handoff.reply_prompt"), t.html("handoff.follow_hint")), [][]Button{{t.menuButton()}})
}

// withdraw takes the question back: the group's message says so, the
// thread is deleted, a staff reply reaches nobody.
func (t *turn) withdraw(id string) {
	th, open := t.threadHere(id)
	switch {
	case !open:
		t.menu(t.html("handoff.not_open"))
	case th == nil: // Redis away: cannot be done now
		t.menu(t.html("error.generic"))
	case th.Root == 0: // still on its way to the group: nothing to edit yet
		t.sayToTeamMode(t.html("handoff.withdraw_wait"), [][]Button{{t.withdrawButton(id)}, {t.menuButton()}})
		t.writingToTeam(id)
	default:
		staff := t.cat.Default()
		t.out.Effects = append(t.out.Effects, CloseThread{Resident: t.ev.UserID, ID: id})
		t.out.Messages = append(t.out.Messages, Message{
			Chat: t.staffChat,
			Edit: EditRef(th.Root),
			Text: paragraphs(t.groupHead(staff), "↩️ "+esc(t.cat.Format(staff, "handoff.group_withdrawn", map[string]any{"Name": firstName(t.ev.FirstName)}))),
		})
		t.menu("✅ " + t.html("handoff.withdrawn"))
	}
}

func (t *turn) withdrawButton(id string) Button {
	return t.hoButton("↩️", "button.withdraw", hoWithdraw+id)
}

// groupHead is the first lines of a question in the staff group.
func (t *turn) groupHead(staff string) string {
	return "🙋 " + bold(t.cat.T(staff, "handoff.group_title")) + "\n" +
		esc(t.cat.Format(staff, "handoff.group_from", map[string]any{"Name": firstName(t.ev.FirstName), "Lang": t.langName(t.lang) + " (" + t.lang + ")"}))
}

// staffClose is a press of Close under a question in the staff group: only
// staff may; the resident is told kindly in their language, the group's
// message says who closed it, and the thread is deleted.
func (t *turn) staffClose() Decision {
	t.setLang(t.cat.Default())
	t.out.Lang = t.lang
	group := t.ev.ChatID
	if t.ev.Role != RoleStaff {
		t.out.Messages = append(t.out.Messages, Message{Chat: group, Text: t.html("staff.only")})
		return t.out
	}
	title := "🙋 " + bold(t.tr("handoff.group_title"))
	th := t.ev.Thread
	if th == nil { // not looked up: Redis is away
		t.out.Messages = append(t.out.Messages, Message{Chat: group, Text: t.html("error.generic")})
		return t.out
	}
	if th.Closed || th.ID == "" || th.Resident <= 0 { // one line: a double tap must not overwrite who closed it
		t.out.Messages = append(t.out.Messages, Message{Chat: group, Text: t.html("handoff.already_closed")})
		return t.out
	}
	t.out.Effects = append(t.out.Effects, CloseThread{Resident: th.Resident, ID: th.ID})
	t.out.Messages = append(t.out.Messages, Message{
		Chat: group,
		Edit: EditRef(t.ev.MessageID),
		Text: paragraphs(title, "✅ "+esc(t.cat.Format(t.lang, "handoff.group_closed", map[string]any{"Name": firstName(t.ev.FirstName)}))),
	})
	r := &turn{Core: t.Core, ev: t.ev}
	r.setLang(th.Lang)
	if r.lang == "" {
		r.setLang(t.cat.Default())
	}
	t.out.Messages = append(t.out.Messages, Message{Chat: th.Resident, Text: r.dir(r.html("handoff.closed")), Buttons: [][]Button{{r.menuButton()}}})
	return t.out
}

// EditRef names a message by its id for Message.Edit, when its id is known
// (a question in the staff group) rather than recorded under a name.
func EditRef(messageID int) string { return "#" + strconv.Itoa(messageID) }
