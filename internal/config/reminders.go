package config

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// DefaultReminderOffsets are how long before an encounter its followers are
// reminded: the day before, and two hours before.
var DefaultReminderOffsets = []time.Duration{24 * time.Hour, 2 * time.Hour}

// maxReminderOffset keeps reminders within what residents expect (and the
// planning horizon small).
const maxReminderOffset = 14 * 24 * time.Hour

// readReminderOffsets reads REMINDER_OFFSETS: Go durations, comma-separated
// ("24h,2h", "75s"), largest first, each once.
func readReminderOffsets(env func(string) string) ([]time.Duration, error) {
	v := strings.TrimSpace(env("REMINDER_OFFSETS"))
	if v == "" {
		return slices.Clone(DefaultReminderOffsets), nil
	}
	var out []time.Duration
	for _, part := range strings.Split(v, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			return nil, fmt.Errorf("REMINDER_OFFSETS: an empty value between commas in %q; write them like 24h,2h", v)
		}
		d, err := time.ParseDuration(part)
		if err != nil {
			return nil, fmt.Errorf("REMINDER_OFFSETS: %q is not a duration; write them like 24h,2h or 90m or 75s", part)
		}
		if d < time.Second || d > maxReminderOffset {
			return nil, fmt.Errorf("REMINDER_OFFSETS: %s is out of range; use 1s to %dh (%d days)", part, maxReminderOffset/time.Hour, maxReminderOffset/(24*time.Hour))
		}
		if d%time.Second != 0 {
			// a reminder is named by its offset in seconds: 1.2s and 1.7s would be one
			return nil, fmt.Errorf("REMINDER_OFFSETS: %s is not whole seconds; write it like 2s or 90s", part)
		}
		if !slices.Contains(out, d) {
			out = append(out, d)
		}
	}
	slices.SortFunc(out, func(a, b time.Duration) int { return int(b - a) })
	return out, nil
}
