package agency

import "time"

// Local times in the hour the clocks go back.
//
// In autumn an hour happens twice (in Europe/Berlin 02:00 to 03:00 on the
// last Sunday of October). A local time in it means the first of the two,
// still in summer time: that is when the day reaches it on the wall clock,
// and how RFC 5545 (and so every calendar a resident adds a date to) reads
// a local time with a TZID. Go's time.Date and time.ParseInLocation do not
// promise which of the two they return (today: the second).

// FirstAt is the earliest instant whose wall clock in t's location reads
// what t's does: t itself, unless t is the second pass of a repeated hour.
// A time in the spring gap (which no wall clock shows) is returned as it is.
func FirstAt(t time.Time) time.Time {
	loc := t.Location()
	y, m, d := t.Date()
	h, mi, s := t.Clock()
	wall := time.Date(y, m, d, h, mi, s, t.Nanosecond(), time.UTC)
	first := t
	// the offsets in force a day before and a day after are the only ones
	// the wall time can be in, one change at most lying between them
	for _, probe := range []time.Duration{-24 * time.Hour, 24 * time.Hour} {
		_, offset := wall.Add(probe).In(loc).Zone()
		c := wall.Add(-time.Duration(offset) * time.Second).In(loc)
		if c.Before(first) && sameWall(c, t) {
			first = c
		}
	}
	return first
}

func sameWall(a, b time.Time) bool {
	ay, am, ad := a.Date()
	by, bm, bd := b.Date()
	ah, ami, as := a.Clock()
	bh, bmi, bs := b.Clock()
	return ay == by && am == bm && ad == bd && ah == bh && ami == bmi && as == bs
}
