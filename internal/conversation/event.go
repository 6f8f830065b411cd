// Package conversation is the bot's core: it takes what a resident did (a
// message, a command, a button) and the resident's state, and returns the
// replies and the new state. It knows nothing of Telegram, the terminal or
// Redis; those are adapters around it.
package conversation

import "time"

// Kind is what the resident did.
type Kind int

// The kinds of events.
const (
	KindText        Kind = iota // wrote a message
	KindCommand                 // sent /command
	KindButton                  // tapped a button
	KindUnsupported             // sent a sticker, photo, voice message… that the bot cannot read
)

// Event is one thing a resident did.
type Event struct {
	UserID       int64
	Group        bool   // in a group chat: only commands are answered
	LanguageCode string // what the resident's app says (Telegram's language_code), may be empty
	Kind         Kind
	Command      string // KindCommand: lower case, without "/" and "@botname"
	Text         string // KindText: the message; KindCommand: what follows the command
	Data         string // KindButton: the button's data
	Now          time.Time
}

// Reply is one message to the resident.
type Reply struct {
	// Text is HTML as Telegram reads it: only <b>, <i> and <a href> tags, every
	// other text escaped. Empty when the reply is a contact card only.
	Text    string
	Buttons [][]Button
	Contact *Contact // a contact card: tap to call, save to the phone book
}

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

// State is what the bot remembers about a resident between messages: as
// little as works (see the privacy text).
type State struct {
	Lang    string   `json:"l,omitempty"` // chosen in the picker; empty: from the app's language
	Screen  string   `json:"s,omitempty"` // the last screen shown
	Choices []string `json:"c,omitempty"` // its buttons' data, so that a typed number picks one
}

// Outcome is the core's answer to an event.
type Outcome struct {
	Replies []Reply
	State   State
	Lang    string // the language the replies are in
	Save    bool   // State changed and should be stored
	Delete  bool   // the resident asked to delete what is stored
}
