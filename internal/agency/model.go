// Package agency holds what the bot knows about the agency — who it is, its
// services, its contact persons and its encounters — and loads it from a
// content folder with precise problems (file, line, field) for staff.
package agency

import (
	"time"

	"github.com/integrationsagentur-marl/integrabot/internal/problem"
)

// Text is a text in every language the bot speaks, by language code.
type Text map[string]string

// In returns the text in lang.
func (t Text) In(lang string) string { return t[lang] }

// SourceLang is the language every text is written in first: an encounter
// needs only this one.
const SourceLang = "de"

// Has tells whether the text is given in lang.
func (t Text) Has(lang string) bool { return t[lang] != "" }

// Or is the text in lang, or else in the source language.
func (t Text) Or(lang string) string {
	if s := t[lang]; s != "" {
		return s
	}
	return t[SourceLang]
}

// Content is everything the bot knows about the agency.
type Content struct {
	Agency     Agency
	Services   []Service
	Contacts   []Contact
	Encounters []Encounter
	Location   *time.Location
	Warnings   problem.List // worth fixing, but the content works (a missing encounter translation)
	Stamp      string       // which content this is, and how new (see Load)
}

// Agency describes the agency itself.
type Agency struct {
	Name     Text
	About    Text
	Provider string
	Since    int
	District string
	Partner  string
}

// Service is one of the agency's services.
type Service struct {
	ID       string
	Title    Text
	Short    Text
	Long     Text
	Keywords map[string][]string // words per language that point to this service
}

// Contact is a person residents can call.
type Contact struct {
	ID    string
	Name  string
	Role  Text
	Phone string // as written on the agency's page, for reading
	Dial  string // E.164 (+49…), for tap-to-call
}

// Repeat says how an encounter recurs.
type Repeat string

// The recurrences an encounter can have.
const (
	Once     Repeat = ""
	Weekly   Repeat = "weekly"
	Biweekly Repeat = "biweekly"
	Monthly  Repeat = "monthly" // same weekday of the month: the first Saturday, the third Tuesday…
)

// Last is Encounter.Week for the last weekday of its kind in the month.
const Last = -1

// Encounter is a Begegnung: a single event or a recurring one.
type Encounter struct {
	ID          string
	Title       Text
	Description Text
	Start, End  time.Time // the first occurrence, in Content.Location
	Repeat      Repeat
	// Days are the weekdays a weekly or biweekly encounter meets on, Monday
	// first (none: the start's weekday).
	Days []time.Weekday
	// Every is how many weeks lie between two rounds of a weekly encounter
	// (0 or 1: every week; Biweekly is always two).
	Every int
	// Week is the weekday of the month a monthly encounter meets on: 1 to 4,
	// or Last (0: the start's, which may be a fifth one: months without it
	// are skipped).
	Week      int
	Until     time.Time   // last day a recurrence may start on (zero: open-ended)
	Except    []time.Time // dates of the series that do not take place: midnight in Content.Location, in order
	Cancelled bool        // the whole encounter does not take place: no date is shown
	Place     string
	Link      string
}

// Service returns the service with the given id.
func (c *Content) Service(id string) (Service, bool) {
	for _, s := range c.Services {
		if s.ID == id {
			return s, true
		}
	}
	return Service{}, false
}

// Encounter returns the encounter with the given id.
func (c *Content) Encounter(id string) (Encounter, bool) {
	for _, e := range c.Encounters {
		if e.ID == id {
			return e, true
		}
	}
	return Encounter{}, false
}
