package config

import (
	"fmt"
	"strings"
	"time"
)

// DefaultHandoffRetention is how long a question passed on to staff, and
// its thread, are kept unless HANDOFF_RETENTION says otherwise: 30 days.
const DefaultHandoffRetention = 30 * 24 * time.Hour

// minHandoffRetention is long enough for the hourly limit of questions;
// the most is RETENTION: a question is never kept longer than the rest of
// a resident's data.
const minHandoffRetention = time.Hour

// readHandoffRetention reads HANDOFF_RETENTION: a Go duration ("720h"), at
// most retention (RETENTION).
func readHandoffRetention(env func(string) string, retention time.Duration) (time.Duration, error) {
	v := strings.TrimSpace(env("HANDOFF_RETENTION"))
	if v == "" {
		return DefaultHandoffRetention, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		return 0, fmt.Errorf("HANDOFF_RETENTION: %q is not a duration (write hours, like 720h for 30 days)", v)
	}
	if d < minHandoffRetention || d > retention {
		return 0, fmt.Errorf("HANDOFF_RETENTION: %s is out of range: from 1h to RETENTION (%gh): a question is never kept longer than the rest of a resident's data", v, retention.Hours())
	}
	return d, nil
}
