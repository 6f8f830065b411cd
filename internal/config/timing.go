package config

import (
	"fmt"
	"time"
)

// Timing holds the durations that must agree with each other, in one place:
// how long an update's claim and a chat's lock live, how long SIGTERM waits,
// how long settling writes may take, and how long a delivery worker holds a
// chat, and the window a resident's updates are counted in against the
// flood limit, and how long residents' data is kept. Tests shorten them; Check says when they no longer agree.
type Timing struct {
	// Claim is how long an update stays claimed by the process handling
	// it. Handling is deciding and committing, milliseconds; a process that
	// dies frees its updates after this. Another process never takes over a
	// live claim: during a rolling deploy the new one waits this long at most.
	Claim time.Duration
	// ChatLock is how long a chat stays locked (webhook replicas) by the
	// replica handling one of its updates, and LockWait how long another
	// update of that chat waits for it.
	ChatLock time.Duration
	LockWait time.Duration
	// Settle bounds the writes that end an update's claim after its own
	// time ran out (releasing the claim, the lock).
	Settle time.Duration
	// Drain is how long SIGTERM waits for updates in flight.
	Drain time.Duration
	// Lease is how long a delivery worker holds a chat while it sends one
	// message; a replica that dies meanwhile frees the chat after it. It must
	// outlast a Bot API call (Request).
	Lease   time.Duration
	Request time.Duration
	// FloodWindow is the window in which a resident's updates are counted
	// against FLOOD_LIMIT: it begins with their first update after a quiet
	// window and ends this long after it (Redis's clock, shared by all
	// replicas).
	FloodWindow time.Duration
	// Retention is RETENTION and RETENTION_WARNING; every TTL of a
	// resident's data derives from it (StateTTL). Sweep is how often a
	// replica walks the residents index to warn and delete: much less
	// than the warning, so that the date the warning names holds.
	Retention Retention
	Sweep     time.Duration
}

// DefaultTiming is what serve runs with.
var DefaultTiming = Timing{
	Claim:    10 * time.Second,
	ChatLock: 10 * time.Second,
	LockWait: 8 * time.Second,
	Settle:   2 * time.Second,
	Drain:    20 * time.Second,
	Lease:    45 * time.Second,
	Request:  30 * time.Second,

	FloodWindow: time.Minute,

	Retention: DefaultRetention,
	Sweep:     time.Hour,
}

// StateTTL is how long a resident's state, their blocked mark and their
// place in the residents index live after their last update: the retention
// period and a grace, so that the sweep finds them to warn and delete
// (RETENTION_WARNING before and at RETENTION); should no replica sweep for
// a while, they expire by themselves. A timing without retention has the
// default's.
func (t Timing) StateTTL() time.Duration {
	p := t.Retention.Period
	if p <= 0 {
		p = DefaultRetention.Period
	}
	return p + RetentionGrace
}

// Check tells whether the durations agree: an update's claim outlives the
// wait for its chat's lock, and a worker's lease outlives a Bot API call.
func (t Timing) Check() error {
	switch {
	case t.Claim <= 0 || t.ChatLock <= 0 || t.LockWait <= 0 || t.Settle <= 0 || t.Drain <= 0 || t.Lease <= 0 || t.Request <= 0 || t.FloodWindow <= 0:
		return fmt.Errorf("timing: every duration must be positive: %+v", t)
	case t.LockWait >= t.Claim:
		return fmt.Errorf("timing: the wait for a chat's lock (%v) must end before the update's claim (%v) expires", t.LockWait, t.Claim)
	case t.LockWait >= t.ChatLock:
		return fmt.Errorf("timing: the wait for a chat's lock (%v) must be shorter than the lock (%v)", t.LockWait, t.ChatLock)
	case t.Retention.Period <= 0 || t.Retention.Warning <= 0 || t.Sweep <= 0:
		return fmt.Errorf("timing: the retention period, its warning and the sweep's interval must be positive: %+v", t.Retention)
	case t.Retention.Warning >= t.Retention.Period:
		return fmt.Errorf("timing: the warning (%v before) must come after the last update, within the retention period (%v)", t.Retention.Warning, t.Retention.Period)
	case t.Sweep >= t.Retention.Warning:
		return fmt.Errorf("timing: the sweep (every %v) must run more often than the warning comes before the deletion (%v)", t.Sweep, t.Retention.Warning)
	case t.Lease <= t.Request:
		return fmt.Errorf("timing: a worker's lease on a chat (%v) must outlast a Bot API call (%v)", t.Lease, t.Request)
	}
	return nil
}
