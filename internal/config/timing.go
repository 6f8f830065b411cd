package config

import (
	"fmt"
	"time"
)

// Timing holds the durations that must agree with each other, in one place:
// how long an update's claim and a chat's lock live, how long SIGTERM waits,
// how long settling writes may take, and how long a delivery worker holds a
// chat, and the window a resident's updates are counted in against the
// flood limit. Tests shorten them; Check says when they no longer agree.
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
	case t.Lease <= t.Request:
		return fmt.Errorf("timing: a worker's lease on a chat (%v) must outlast a Bot API call (%v)", t.Lease, t.Request)
	}
	return nil
}
