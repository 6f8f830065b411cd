package reminder

import (
	"encoding/json"
	"slices"
	"time"

	"github.com/integrationsagentur-marl/integrabot/internal/agency"
	"github.com/integrationsagentur-marl/integrabot/internal/conversation"
	"github.com/integrationsagentur-marl/integrabot/internal/store"
)

// plan is what the planner last planned for one encounter.
type plan struct {
	Files  string      `json:"f,omitempty"` // the stamp of the content files it came from (agency.Content.Stamp)
	Stored int64       `json:"s,omitempty"` // the stored encounters' change count it came from
	Until  int64       `json:"h"`           // the horizon it looked to (unix s): later dates are new, not moved
	Title  agency.Text `json:"t"`           // for the notice when the encounter leaves the content
	Place  string      `json:"p,omitempty"`
	Occ    []span      `json:"o,omitempty"` // its dates, soonest first
	Off    []span      `json:"c,omitempty"` // dates called off whose followers were told, not begun yet
	Later  bool        `json:"l,omitempty"` // it has dates beyond the horizon: its followers are told if it goes
	Gone   int64       `json:"g,omitempty"` // its followers were told it takes place no more, then (unix s): no dates; kept so that its return is told
}

// goneFor is how long an encounter that left the content (not merely
// cancelled in it) is remembered as told gone: one back within it gets
// "takes place again", one back later is planned as new.
const goneFor = 30 * 24 * time.Hour

// Version is which content a plan came from, as replicas can order it:
// the content files' stamp and the stored encounters' change count.
type Version struct {
	Files  string
	Stored int64
}

// newerThan tells whether the plan came from content newer than v in
// either part: a replica running v leaves it alone (older content never
// undoes newer), until it runs content as new itself.
func (p *plan) newerThan(v Version) bool {
	return p != nil && (p.Files > v.Files || p.Stored > v.Stored)
}

// has tells whether the plan lists a date starting at start (unix s).
func (p *plan) has(start int64) bool {
	return slices.ContainsFunc(p.Occ, func(s span) bool { return s[0] == start })
}

// span is an occurrence: start and end in unix seconds.
type span [2]int64

func (p *plan) encode() string {
	if p == nil {
		return ""
	}
	data, _ := json.Marshal(p)
	return string(data)
}

func decodePlan(s string) *plan {
	if s == "" {
		return nil
	}
	var p plan
	if json.Unmarshal([]byte(s), &p) != nil {
		return nil // unreadable: planned afresh (no notices)
	}
	return &p
}

// change is what replanning one encounter does.
type change struct {
	plan   *plan // nil: the encounter has no plan any more
	remove []string
	add    []store.Job
}

// replan compares an encounter's dates ahead (e nil: it left the content;
// e.Cancelled: the whole series is called off) with what was planned for
// it, and says which jobs to add and remove: reminders for new dates, a
// notice for each date that moved, was cancelled, or (cancelled before)
// takes place after all, and for the whole series going or coming back.
// false: nothing to change, or the plan came from newer content than v.
func replan(id string, old *plan, e *agency.Encounter, v Version, now, horizon time.Time, offsets []time.Duration) (change, bool) {
	if old.newerThan(v) {
		return change{}, false // another replica runs newer content: it plans
	}
	inContent := e != nil
	if e != nil && e.Cancelled {
		e = nil // the whole series is off: its followers are told once
	}
	var want []span
	var next *plan
	if e != nil {
		for _, o := range upcoming(e, now, horizon) {
			want = append(want, span{o.Start.Unix(), o.End.Unix()})
		}
		next = &plan{Files: v.Files, Stored: v.Stored, Until: horizon.Unix(), Title: e.Title, Place: e.Place, Occ: want, Later: later(e, horizon)}
	}
	var off []span // called off and told, not begun
	if old != nil {
		for _, s := range old.Off {
			if s[0] > now.Unix() {
				off = append(off, s)
			}
		}
	}
	c := change{plan: next}
	notice := func(j job) {
		j.Change = now.UnixMilli()
		c.add = append(c.add, store.Job{ID: j.id(), Due: now, Payload: j.encode()})
	}
	if old != nil && old.Gone != 0 { // its followers were told it goes
		if e == nil {
			if !inContent && now.Sub(time.Unix(old.Gone, 0)) > goneFor {
				return change{}, true // long gone: forgotten
			}
			if old.Files == v.Files && old.Stored == v.Stored && len(off) == len(old.Off) {
				return change{}, false
			}
			kept := *old
			kept.Files, kept.Stored, kept.Off = v.Files, v.Stored, off
			return change{plan: &kept}, true
		}
		// back: planned afresh, and its followers told, with its next date
		for _, s := range want {
			c.add = append(c.add, reminders(id, s, now, offsets)...)
		}
		next.Off = slices.DeleteFunc(off, func(o span) bool { return slices.ContainsFunc(want, func(s span) bool { return s[0] == o[0] }) })
		if o, ok := e.Next(now); ok {
			notice(job{Kind: conversation.NoticeSeriesRestored, Enc: id, Start: o.Start.Unix(), End: o.End.Unix(), Title: e.Title, Place: e.Place})
		}
		return c, true
	}
	if old == nil {
		if next == nil {
			return change{}, false
		}
		for _, s := range want {
			c.add = append(c.add, reminders(id, s, now, offsets)...)
		}
		return c, true
	}
	var before []span // planned, not begun, and still inside the horizon
	for _, s := range old.Occ {
		if s[0] > now.Unix() && s[0] < horizon.Unix() {
			before = append(before, s)
		}
	}
	vanished, appeared := minus(before, want), minus(want, before)
	if e != nil && len(vanished) == 0 && len(appeared) == 0 {
		next.Off = off
		if old.Place != e.Place || !sameText(old.Title, e.Title) || old.Later != next.Later || old.Files != v.Files || old.Stored != v.Stored {
			return change{plan: next}, true // the dates stand; kept for a later notice's title, and as planned from v
		}
		return change{}, false
	}
	for _, s := range appeared {
		c.add = append(c.add, reminders(id, s, now, offsets)...)
	}
	for _, s := range vanished {
		c.remove = append(c.remove, reminderIDs(id, s, offsets)...)
	}
	if e == nil {
		told := true
		switch {
		case len(before) > 0:
			notice(job{Kind: conversation.NoticeSeriesCancelled, Enc: id, Start: before[0][0], End: before[0][1], Title: old.Title, Place: old.Place})
		case old.Later && old.Until > now.Unix():
			// its next date was beyond the horizon: named by when it went
			notice(job{Kind: conversation.NoticeSeriesCancelled, Enc: id, Start: now.Unix(), End: now.Unix(), Title: old.Title, Place: old.Place})
		default:
			told = false // it had no dates ahead: nobody to tell, nothing to remember
		}
		if told { // remembered without dates, so that its return is told
			c.plan = &plan{Files: v.Files, Stored: v.Stored, Until: horizon.Unix(), Title: old.Title, Place: old.Place, Off: off, Gone: now.Unix()}
		}
		return c, true
	}
	// a date called off before that is back takes place after all; of the
	// others, a date that vanished and one that appeared where the old plan
	// looked (not merely at the horizon's new end) are one date moved
	var inside []span
	for _, s := range appeared {
		switch {
		case slices.ContainsFunc(off, func(o span) bool { return o[0] == s[0] }):
			off = slices.DeleteFunc(off, func(o span) bool { return o[0] == s[0] })
			notice(job{Kind: conversation.NoticeRestored, Enc: id, Start: s[0], End: s[1], Title: e.Title, Place: e.Place})
		case s[0] < old.Until:
			inside = append(inside, s)
		}
	}
	for i, s := range vanished {
		if i < len(inside) {
			notice(job{Kind: conversation.NoticeMoved, Enc: id, OldStart: s[0], OldEnd: s[1], Start: inside[i][0], End: inside[i][1], Title: e.Title, Place: e.Place})
		} else {
			notice(job{Kind: conversation.NoticeCancelled, Enc: id, Start: s[0], End: s[1], Title: e.Title, Place: e.Place})
			off = append(off, s)
		}
	}
	next.Off = off
	return c, true
}

// reminders are the jobs that remind of one date, at each offset still ahead.
func reminders(id string, s span, now time.Time, offsets []time.Duration) []store.Job {
	var out []store.Job
	for _, off := range offsets {
		due := time.Unix(s[0], 0).Add(-off)
		if !due.After(now) {
			continue // too late for this one: the next offset reminds
		}
		j := job{Kind: conversation.NoticeReminder, Enc: id, Start: s[0], End: s[1], Offset: int64(off / time.Second)}
		out = append(out, store.Job{ID: j.id(), Due: due, Payload: j.encode()})
	}
	return out
}

// reminderIDs are the ids of the reminders of one date.
func reminderIDs(id string, s span, offsets []time.Duration) []string {
	var out []string
	for _, off := range offsets {
		out = append(out, job{Kind: conversation.NoticeReminder, Enc: id, Start: s[0], Offset: int64(off / time.Second)}.id())
	}
	return out
}

func sameText(a, b agency.Text) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// minus is a without b.
func minus(a, b []span) []span {
	var out []span
	for _, s := range a {
		if !slices.Contains(b, s) {
			out = append(out, s)
		}
	}
	return out
}

// upcoming lists an encounter's dates that begin after now and before horizon.
// later tells whether e has a date that starts after the horizon.
func later(e *agency.Encounter, horizon time.Time) bool {
	o, ok := e.Next(horizon)
	return ok && o.Start.After(horizon)
}

func upcoming(e *agency.Encounter, now, horizon time.Time) []agency.Occurrence {
	var out []agency.Occurrence
	for _, o := range e.Between(now, horizon) {
		if o.Start.After(now) {
			out = append(out, o)
		}
	}
	return out
}
