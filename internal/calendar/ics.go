// Package calendar writes iCalendar files (RFC 5545) for encounters, so that
// a resident can add one to the calendar on their phone. It uses
// github.com/arran4/golang-ical, a maintained iCalendar library, rather
// than text written by hand.
package calendar

import (
	"fmt"
	"time"

	ics "github.com/arran4/golang-ical"

	"github.com/integrationsagentur-marl/integrabot/internal/agency"
)

// localFormat is a local date and time, read with the event's TZID.
const localFormat = "20060102T150405"

// Event is the iCalendar file of one occurrence: local times with the
// agency's TZID (and that zone's rules for the year, so that a calendar
// needs no outside knowledge), and a UID that stays the same for the same
// occurrence, so that adding it twice updates one entry.
func Event(o agency.Occurrence, title, description string, now time.Time) []byte {
	loc := o.Start.Location()
	cal := ics.NewCalendar()
	cal.SetMethod(ics.MethodPublish)
	cal.SetProductId("-//Integrationsagentur NRW Marl//integrabot//DE")
	addZone(cal, loc, o.Start)
	ev := cal.AddEvent(UID(o))
	ev.SetDtStampTime(now)
	setTime(ev, ics.ComponentPropertyDtStart, o.Start.In(loc))
	setTime(ev, ics.ComponentPropertyDtEnd, o.End.In(loc))
	ev.SetSummary(title)
	if description != "" {
		ev.SetDescription(description)
	}
	if o.Encounter.Place != "" {
		ev.SetLocation(o.Encounter.Place)
	}
	if o.Encounter.Link != "" {
		ev.SetURL(o.Encounter.Link)
	}
	return []byte(cal.Serialize())
}

// setTime writes t as a local time with its TZID, which a calendar reads
// as the first of the two when the clocks go back and the hour repeats; a
// time in the second pass of that hour (an end, an hour after a start in the
// first) cannot be said so and is written in UTC.
func setTime(ev *ics.VEvent, p ics.ComponentProperty, t time.Time) {
	if !agency.FirstAt(t).Equal(t) {
		ev.SetProperty(p, t.UTC().Format(localFormat)+"Z")
		return
	}
	ev.SetProperty(p, t.Format(localFormat), ics.WithTZID(t.Location().String()))
}

// UID names one occurrence of one encounter, the same every time.
func UID(o agency.Occurrence) string {
	return fmt.Sprintf("%s-%s@integrabot", o.Encounter.ID, o.Start.UTC().Format("20060102T1504Z"))
}

// addZone writes loc's offsets through the occurrence's year as a VTIMEZONE.
func addZone(cal *ics.Calendar, loc *time.Location, around time.Time) {
	tz := cal.AddTimezone(loc.String())
	t := time.Date(around.Year(), 1, 1, 0, 0, 0, 0, loc)
	end := t.AddDate(1, 0, 0)
	for i := 0; i < 8 && t.Before(end); i++ {
		start, next := t.ZoneBounds()
		name, offset := t.Zone()
		before := offset
		if !start.IsZero() {
			_, before = start.Add(-time.Second).Zone()
		} else {
			start = t
		}
		var part *ics.ComponentBase
		if t.IsDST() {
			d := &ics.Daylight{}
			tz.Components = append(tz.Components, d)
			part = &d.ComponentBase
		} else {
			s := tz.AddStandard()
			part = &s.ComponentBase
		}
		part.SetProperty(ics.ComponentPropertyDtStart, start.In(time.FixedZone("", before)).Format(localFormat))
		part.SetProperty(ics.ComponentProperty("TZOFFSETFROM"), offsetText(before))
		part.SetProperty(ics.ComponentProperty("TZOFFSETTO"), offsetText(offset))
		part.SetProperty(ics.ComponentProperty("TZNAME"), name)
		if next.IsZero() {
			break
		}
		t = next
	}
}

func offsetText(seconds int) string {
	sign := "+"
	if seconds < 0 {
		sign, seconds = "-", -seconds
	}
	return fmt.Sprintf("%s%02d%02d", sign, seconds/3600, seconds%3600/60)
}
