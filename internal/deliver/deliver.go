// Package deliver sends what the bot committed: a pool of workers on every
// replica takes chats whose messages are ready from Redis, sends each chat's
// messages in order, and keeps to Telegram's limits together with the other
// replicas (the whole bot's rate, one message a second per chat, twenty a
// minute per group, a 429's pause), replies before reminders and broadcasts.
// A message that keeps failing is given up after a few tries and never holds
// up its chat for ever.
package deliver

import (
	"context"
	"time"

	"github.com/integrationsagentur-marl/integrabot/internal/store"
)

// Queue is where committed messages wait (store.Store).
type Queue interface {
	TakeMany(ctx context.Context, r store.Rates, rels []store.Release, most int) ([]store.Taken, time.Duration, error)
	Heads(ctx context.Context, chats []int64) ([]store.Queued, []bool, []error)
	AckMany(ctx context.Context, acks []store.Acked) ([]string, []error)
	Heartbeat(ctx context.Context, replica string, window time.Duration) (int, error)
	Repair(ctx context.Context) (int, error)
	Waiting(ctx context.Context) (replies, bulk int64, err error)
	EndSubscriptions(ctx context.Context, userID int64) error // a resident who blocked the bot follows nothing more
	CountBroadcast(ctx context.Context, id, count string, n int64) error
	CountBroadcastFailed(ctx context.Context, id, reason string) error
	Pause(ctx context.Context, d time.Duration) error              // Telegram answered 429: every replica waits
	BroadcastState(ctx context.Context, id string) (string, error) // "" when there is no such broadcast
}

// Kind is what became of one send.
type Kind int

// The kinds of results.
const (
	Delivered Kind = iota
	Transient      // try again later
	SlowDown       // 429: everyone waits RetryAfter, then the same message goes again
	ChatGone       // the chat cannot be written to
	Refused        // never passes: drop the message
)

// Result is the outcome of one Bot API call.
type Result struct {
	Kind       Kind
	RetryAfter time.Duration
	MessageID  int
	Reason     string // Refused: why, as staff are told (conversation.Fail…)
	Err        error  // for the log; never holds the token or texts
}

// Sender makes the Bot API call a payload describes (the Telegram adapter).
type Sender interface {
	Send(ctx context.Context, chat int64, payload []byte, wantID bool) Result
}

// Limits are the sending limits.
type Limits struct {
	Rate     float64       // messages a second for the whole bot (SEND_RATE)
	BulkRate float64       // of which bulk may use (BROADCAST_RATE)
	Burst    int           // messages the whole bot may send at once; Rate still holds for any second
	PerChat  time.Duration // between two messages to one private chat
	Group    time.Duration // between two messages to one group
	MaxTries int           // tries of one message before it is given up
	Workers  int           // sends in flight at once on this replica
}

// DefaultLimits keep below Telegram's: 1 s per chat and 20 a minute per
// group, with a margin for the time a request travels. Messages may go two
// at once (the burst): a sender that wakes a millisecond late, or a bulk
// message that gives its slot to a reply, makes the time up with the next
// instead of losing it; without it, a broadcast got 80 % of BROADCAST_RATE
// while residents wrote. At high rates (paid broadcasts) the burst is a
// tenth of a second's worth: one round trip to Redis takes several, and
// updates that come in a bunch (getUpdates returns them so) are answered at
// once rather than spread out. The rolling second still holds them to the
// rate.
func DefaultLimits(rate, bulk float64) Limits {
	l := Limits{Rate: rate, BulkRate: bulk, Burst: 2, PerChat: 1100 * time.Millisecond, Group: 3100 * time.Millisecond, MaxTries: 6, Workers: 16}
	if rate > 100 {
		l.Burst = int(rate / 10)
		l.Workers = min(256, int(rate/20)) // many calls in flight
	}
	return l
}

// rates are the limits as the store applies them: no rolling second carries
// more than Rate (the log counts a send in flight until it ended, then for
// a second, so there is no margin to keep for the time a request travels);
// within that, messages go at Rate, Burst at once, and bulk at BulkRate,
// Burst at once.
func (l Limits) rates(lease time.Duration) store.Rates {
	burst := max(l.Burst, 1)
	bulk := min(l.BulkRate, l.Rate)
	every := func(r float64) time.Duration { return time.Duration(float64(time.Second) / r) }
	return store.Rates{
		PerSecond:     max(int(l.Rate), 1),
		Interval:      every(l.Rate),
		BulkInterval:  every(bulk),
		Tolerance:     time.Duration(burst-1) * every(l.Rate),
		BulkTolerance: time.Duration(burst-1) * every(bulk),
		Ahead:         ahead,
		Lease:         lease,
	}
}

// ahead is how long before its place in the rolling second frees a chat is
// taken: enough for a wake-up and the two round trips to Redis before the
// send (a take and the read of its message), so that while the bot sends at
// its full rate each place is used again when it frees; without it, each
// second's sends started a few milliseconds later than the last's, and at a
// thousand messages a second the delay grew for as long as the load lasted.
const ahead = 20 * time.Millisecond

// gap is how long a chat waits after a message before the next.
func (l Limits) gap(chat int64) time.Duration {
	if chat < 0 { // group and channel ids are negative
		return l.Group
	}
	return l.PerChat
}

// backoff is how long a message waits after its n-th failed try.
func backoff(tries int) time.Duration {
	d := 500 * time.Millisecond << min(tries, 6)
	return min(d, 30*time.Second)
}
