package config

import (
	"fmt"
	"strings"
	"time"
)

// Retention is how long residents' data is kept: everything of a resident
// who has not written for Period is deleted, and one who follows something
// is told Warning before, with a button to stay.
type Retention struct {
	Period  time.Duration // RETENTION
	Warning time.Duration // RETENTION_WARNING
}

const day = 24 * time.Hour

// DefaultRetention keeps a resident's data for a year after their last
// message and warns followers three weeks before.
var DefaultRetention = Retention{Period: 365 * day, Warning: 21 * day}

// The bounds of RETENTION and RETENTION_WARNING: shorter than a month
// deletes a resident who follows a monthly encounter between two dates;
// longer than ten years is no retention at all. A warning shorter than a
// day may come while the resident sleeps.
const (
	minRetention = 30 * day
	maxRetention = 3650 * day
	minWarning   = day
)

// RetentionGrace is how much longer than the retention period a state and
// the residents index keep a resident: the sweep deletes them at the
// period's end, and should no replica run for a while, the TTL does it.
const RetentionGrace = 7 * day

// readRetention reads RETENTION and RETENTION_WARNING: Go durations in
// hours (8760h is 365 days).
func readRetention(env func(string) string) (Retention, error) {
	r := DefaultRetention
	for _, v := range []struct {
		name string
		into *time.Duration
		min  time.Duration
		max  time.Duration
	}{{"RETENTION", &r.Period, minRetention, maxRetention}, {"RETENTION_WARNING", &r.Warning, minWarning, maxRetention / 2}} {
		s := strings.TrimSpace(env(v.name))
		if s == "" {
			continue
		}
		d, err := time.ParseDuration(s)
		if err != nil {
			return Retention{}, fmt.Errorf("%s: %q is not a duration; write it in hours, like 8760h for 365 days or 504h for 21 days", v.name, s)
		}
		if d < v.min || d > v.max {
			return Retention{}, fmt.Errorf("%s: %s is out of range; use %s to %s (%d to %d days)", v.name, s, v.min, v.max, v.min/day, v.max/day)
		}
		*v.into = d
	}
	if r.Warning > r.Period/2 {
		return Retention{}, fmt.Errorf("RETENTION_WARNING: %s is more than RETENTION %s allows; the warning may come at most half of RETENTION before the deletion", r.Warning, r.Period)
	}
	return r, nil
}

// Days is the retention period in whole days, rounded up: what the privacy
// text says.
func (r Retention) Days() int { return int((r.Period + day - 1) / day) }
