// Package conversation is the bot's core: it takes what a resident did (a
// message, a command, a button) and the state of that conversation, and
// returns a decision: the messages to send, each to a chat and in a lane,
// typed effects, and the new state. It knows nothing of Telegram, the
// terminal or Redis; those are adapters around it.
package conversation

import (
	"encoding/json"
	"strings"
	"time"
)

// Kind is what the resident did.
type Kind int

// The kinds of events.
const (
	KindText        Kind = iota // wrote a message
	KindCommand                 // sent /command
	KindButton                  // tapped a button
	KindUnsupported             // sent a sticker, photo, voice message… that the bot cannot read
)

// Role is who sent an event; the adapter checks it on every event.
type Role int

// The roles.
const (
	RoleResident Role = iota
	RoleStaff         // a Telegram user id in ADMIN_IDS
)

// Event is one thing a resident did.
type Event struct {
	UserID       int64
	ChatID       int64  // where it happened: the resident's private chat (= UserID) or a group
	MessageID    int    // the message written or the one whose button was tapped (0: unknown)
	ReplyTo      int    // the message this one answers (0: none)
	Role         Role   // staff or resident
	Group        bool   // in a group chat: only commands are answered
	LanguageCode string // what the resident's app says (Telegram's language_code), may be empty
	// FirstName is the sender's first name as Telegram gives it, used only
	// for the text staff see when a resident passes a question on.
	FirstName string
	// Thread is the resident a reply in the staff group answers, when the
	// message it replies to passed a question on; the decider looks it up
	// before the core decides (nil: none, or not a reply in the staff group).
	// For a resident it is the thread their event concerns (ThreadFor), as
	// Redis has it: Root 0 while the question is on its way, Closed once it
	// was closed, withdrawn or has expired.
	Thread *Thread
	// ReplyThread is the thread named by the team's answer a resident's
	// message replies to (Telegram's reply to a relayed answer): the
	// adapter reads it from that answer's "reply to the team" button.
	ReplyThread string
	// Asked is how many questions the resident passed on to staff in the
	// current hour, looked up for a tap on Send (CountsQuestion).
	Asked int
	// FollowUps is how many follow-ups the resident wrote to the team in
	// the current hour, looked up with their thread for a text.
	FollowUps int
	Kind      Kind
	Command   string // KindCommand: lower case, without "/" and "@botname"
	Text      string // KindText: the message; KindCommand: what follows the command
	Data      string // KindButton: the button's data
	Media     *Media // a photo or file that came with the message (KindUnsupported for residents; Text is its caption)
	Now       time.Time
}

// Media is a photo or a file already on Telegram's servers, by its file id:
// a broadcast sends it on without downloading it.
type Media struct {
	Kind   string `json:"k"` // MediaPhoto or MediaDocument
	FileID string `json:"f"`
}

// The kinds of media.
const (
	MediaPhoto    = "photo"
	MediaDocument = "document"
)

// Addressed tells whether the bot answers ev at all: in a group it speaks
// only when spoken to with a command (or its buttons); the rest is the
// members talking among themselves.
func Addressed(ev Event) bool {
	return !ev.Group || ev.Kind == KindCommand || ev.Kind == KindButton
}

// Lane says how urgent a message is: a resident waiting for an answer goes
// before reminders and broadcasts.
type Lane int

// The lanes.
const (
	LaneReply Lane = iota // an answer someone is waiting for
	LaneBulk              // reminders, broadcasts: give way to replies
)

// Message is one message the bot sends.
type Message struct {
	Chat int64 // the recipient chat; 0: the chat the event came from
	Lane Lane
	// Text is HTML as Telegram reads it: only <b>, <i> and <a href> tags, every
	// other text escaped. Empty when the message is a contact card only.
	Text     string
	Buttons  [][]Button
	Contact  *Contact  // a contact card: tap to call, save to the phone book
	Document *Document // a file, with Text as its caption
	Media    *Media    // a photo or file by its Telegram file id, with Text as its caption
	// Record keeps the id Telegram gives the sent message under this name
	// (in its chat), so that a later message can edit it.
	Record string
	// Edit, when set, replaces the text and buttons of the message recorded
	// under this name in the same chat instead of sending a new one.
	Edit string
	// Key, when set, names the message across updates: a message with the
	// same key is committed once, however often its cause comes again (a
	// staff reply relayed to a resident).
	Key string
	// Thread, when set, makes the message a question passed to staff:
	// once sent, a reply to it in the staff group reaches Thread's resident.
	Thread *Thread
	// FollowUp, when set, makes the message a resident's follow-up in a
	// thread already open: once sent, a staff reply to it is relayed too.
	FollowUp *Thread
	// ReplyTo makes the message a reply to that message of the same chat
	// (0: none); sent even when that message is gone.
	ReplyTo int
}

// Thread is the resident a question in the staff group came from, and the
// language they chose, so that the team's answer is introduced in it.
type Thread struct {
	Resident int64
	Lang     string
	// ID names the thread among the resident's: the id of the message in
	// their chat whose Send passed the question on. Empty for threads
	// opened before threads had names (they can only be answered).
	ID     string
	Root   int  // the question's message id in the staff group; 0: not sent yet
	Closed bool // closed by staff, withdrawn or expired: nothing of it is left
}

// Document is a file the bot sends, such as a calendar entry.
type Document struct {
	Name  string // the file name the resident sees
	Data  []byte
	Photo bool // shown as a picture (a PNG or JPEG), not as a file
}

// Reply is the older name of Message, for the adapters that only answer.
type Reply = Message

// Button is a button under a message: it either sends Data back or opens URL.
type Button struct {
	Label string
	Data  string
	URL   string
}

// Contact is a person the resident can call.
type Contact struct {
	Name  string
	Phone string // E.164
}

// State is what the bot remembers about one resident in one chat between
// messages: as little as works (see the privacy text).
type State struct {
	Lang    string   `json:"l,omitempty"` // chosen in the picker; empty: from the app's language
	Screen  string   `json:"s,omitempty"` // the last screen shown
	Choices []string `json:"c,omitempty"` // its buttons' data, so that a typed number picks one
	// Print stands for Choices when the last screen is one the core can
	// show again (a menu, the list of encounters…): a short fingerprint of
	// its buttons' data instead of the data. A typed number shows the
	// screen again in memory and presses its button only if the
	// fingerprint still matches, so that it never presses what the
	// resident did not see. Stored with the screen in one field (MarshalJSON).
	Print    string    `json:"f,omitempty"`
	Dialogue *Dialogue `json:"d,omitempty"` // a dialogue in progress (a staff member's, say)
	Subs     []string  `json:"u,omitempty"` // topics followed (private chat only): TopicNews, TopicAll, TopicEncounter
}

// MarshalJSON writes a screen kept as a fingerprint in one field, "f":
// "<screen>.<fingerprint>", so that the resident's whole state fits the
// smallest string Redis keeps (28 bytes): most residents' state is that.
func (st State) MarshalJSON() ([]byte, error) {
	type plain State
	p := plain(st)
	if p.Print != "" && p.Screen != "" && !strings.Contains(p.Screen, ".") && !strings.Contains(p.Print, ".") {
		p.Print, p.Screen = p.Screen+"."+p.Print, ""
	}
	return json.Marshal(p)
}

// UnmarshalJSON reads a state as MarshalJSON writes it, and as it was
// written before (the screen in "s", its buttons' data in "c").
func (st *State) UnmarshalJSON(data []byte) error {
	type plain State
	var p plain
	if err := json.Unmarshal(data, &p); err != nil {
		return err
	}
	if screen, print, ok := strings.Cut(p.Print, "."); ok && p.Screen == "" {
		p.Screen, p.Print = screen, print
	}
	*st = State(p)
	return nil
}

// Dialogue is a multi-step conversation in progress: which one, where it
// stands, what was entered so far, and until when it is kept.
type Dialogue struct {
	Name    string            `json:"n"`
	Step    string            `json:"s,omitempty"`
	Draft   map[string]string `json:"d,omitempty"`
	Expires time.Time         `json:"e"`
}

// Effect is a change beyond the conversation's own state that a decision
// asks for; the commit applies it together with the state and the messages.
type Effect interface{ effect() }

// ForgetResident deletes everything stored about the resident.
type ForgetResident struct{ UserID int64 }

func (ForgetResident) effect() {}

// OpenThread marks a question passed on to staff as open, before it is
// sent, and counts it against the resident's hourly limit.
type OpenThread struct {
	Resident int64
	ID       string
}

// CloseThread deletes a thread: closed by staff or withdrawn by the resident.
type CloseThread struct {
	Resident int64
	ID       string
}

// FollowedUp counts a follow-up against the resident's hourly limit.
type FollowedUp struct{ Resident int64 }

func (OpenThread) effect()  {}
func (CloseThread) effect() {}
func (FollowedUp) effect()  {}

// Decision is the core's answer to an event.
type Decision struct {
	Messages []Message
	Effects  []Effect
	State    State
	Lang     string // the language the messages are in
	Save     bool   // State changed and should be stored
	// Tally names the counters of the figures this event adds one to (a
	// question's topic, a question passed to staff…): counts only, never
	// who or what.
	Tally []string
	// shown is the named screen this event showed and its buttons' data,
	// so that storing them as a fingerprint needs no second drawing
	shown shownScreen
}

type shownScreen struct {
	name    string
	choices []string
}

// Forgets tells whether the decision deletes the resident's data.
func (d Decision) Forgets() bool {
	for _, e := range d.Effects {
		if _, ok := e.(ForgetResident); ok {
			return true
		}
	}
	return false
}
