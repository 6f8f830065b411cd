package config

import (
	"fmt"
	"strings"
	"time"
)

// DefaultHandoffRetention is how long a question passed on to staff, and
// its thread, are kept unless HANDOFF_RETENTION says otherwise: 30 days.
const DefaultHandoffRetention = 30 * 24 * time.Hour

// The bounds of HANDOFF_RETENTION: long enough for the hourly limit of
// questions, never longer than a resident's own state is kept.
const (
	minHandoffRetention = time.Hour
	maxHandoffRetention = 180 * 24 * time.Hour
)

// readHandoffRetention reads HANDOFF_RETENTION: a Go duration ("720h").
func readHandoffRetention(env func(string) string) (time.Duration, error) {
	v := strings.TrimSpace(env("HANDOFF_RETENTION"))
	if v == "" {
		return DefaultHandoffRetention, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		return 0, fmt.Errorf("HANDOFF_RETENTION: %q is not a duration (write hours, like 720h for 30 days)", v)
	}
	if d < minHandoffRetention || d > maxHandoffRetention {
		return 0, fmt.Errorf("HANDOFF_RETENTION: %s is out of range: from 1h to 4320h (180 days, as long as a resident's own data is kept)", v)
	}
	return d, nil
}
