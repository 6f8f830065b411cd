package deliver

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/integrationsagentur-marl/integrabot/internal/conversation"
	"github.com/integrationsagentur-marl/integrabot/internal/metrics"
	"github.com/integrationsagentur-marl/integrabot/internal/store"
)

// Deliverer runs the delivery of one replica: a dispatcher that takes the
// chats whose time has come from Redis, a whole pool's worth in one round
// trip, and workers that make the Bot API calls.
type Deliverer struct {
	q       Queue
	bc      broadcastStates
	send    Sender
	lim     Limits
	rates   store.Rates
	settle  time.Duration
	log     *slog.Logger
	m       *metrics.Metrics // may be nil
	replica string
	stands  Stands

	wake chan struct{} // messages were committed

	// pausedUntil (unix ns) is when a 429 this replica drew ends: its
	// workers hold what they were handed meanwhile instead of sending it
	pausedUntil atomic.Int64

	direct *direct
}

// Stands tells whether an encounter still has a date starting at start (it
// neither moved nor was called off): a reminder of one that has not is
// dropped unsent, since the notice of the change tells the follower.
type Stands func(ctx context.Context, encounter string, start time.Time) bool

// New returns the delivery. lease is how long a replica may hold a chat
// (config.Timing.Lease), settle how long its last writes may take; stands
// (nil: every date stands) is asked before a reminder is sent.
func New(q Queue, s Sender, lim Limits, lease, settle time.Duration, stands Stands, log *slog.Logger, m *metrics.Metrics) *Deliverer {
	var id [6]byte
	_, _ = rand.Read(id[:])
	if stands == nil {
		stands = func(context.Context, string, time.Time) bool { return true }
	}
	return &Deliverer{
		q: q, send: s, lim: lim, rates: lim.rates(lease), settle: settle, log: log, m: m,
		replica: hex.EncodeToString(id[:]), stands: stands,
		wake:   make(chan struct{}, 1),
		direct: newDirect(s, lim, log, m),
	}
}

// Wake tells the delivery that messages were committed.
func (d *Deliverer) Wake() {
	select {
	case d.wake <- struct{}{}:
	default:
	}
}

// heartbeat is how often a replica says it is alive; idle how often an idle
// replica looks for work committed by others (its own commits wake it).
const (
	heartbeat = 5 * time.Second
	idle      = 500 * time.Millisecond
)

// job is a message a worker sends, with its place in the last second's log
// and when that place is free (zero: now).
type job struct {
	m    store.Queued
	slot string
	at   time.Time
}

// Run delivers until ctx ends; the messages being sent then are finished
// and their chats handed back first.
func (d *Deliverer) Run(ctx context.Context) error {
	if n, err := d.q.Repair(ctx); err != nil {
		d.log.Warn("could not look for chats with messages left waiting", "err", err)
	} else if n > 0 {
		d.log.Info("chats with messages left waiting found", "chats", n)
	}
	jobs := make(chan job, d.lim.Workers)
	results := make(chan store.Release, d.lim.Workers)
	var wg sync.WaitGroup
	for range d.lim.Workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				if rel, held := d.hold(ctx, j.m); held { // a broadcast paused or cancelled meanwhile
					rel.Slot, rel.Unsent = j.slot, true
					results <- rel
					continue
				}
				if !j.at.IsZero() && !sleep(ctx, time.Until(j.at)) { // stopping before its place was free
					results <- store.Release{Chat: j.m.Chat, Lane: laneName(j.m), Slot: j.slot, Unsent: true}
					continue
				}
				if wait := time.Until(time.Unix(0, d.pausedUntil.Load())); wait > 0 {
					// taken before the 429 came back: it waits the pause out
					results <- store.Release{Chat: j.m.Chat, Lane: laneName(j.m), After: wait, Slot: j.slot, Unsent: true}
					continue
				}
				if rel, dropped := d.outdated(ctx, j.m); dropped { // asked last, so that a change made while it waited is seen
					rel.Slot, rel.Unsent = j.slot, true
					results <- rel
					continue
				}
				// a call under way is finished even when stopping: its
				// outcome must be recorded, or it is sent again
				res := d.send.Send(context.WithoutCancel(ctx), j.m.Chat, j.m.Payload, j.m.Record != "")
				ended := time.Now() // its second in the log starts here, not when the chat is handed back
				rel := d.record(ctx, j.m, res)
				rel.Slot, rel.Ended = j.slot, ended
				results <- rel
			}
		}()
	}
	wg.Add(1)
	go func() { defer wg.Done(); d.beat(ctx) }()
	d.dispatch(ctx, jobs, results)
	close(jobs)
	wg.Wait()
	return nil
}

// dispatch hands messages to the workers. Chats are taken as soon as
// messages may be due (a commit woke it, or the time Redis named came) and a
// worker is free: a whole pool's worth in one round trip, and their first
// messages read in one more. The chats the workers are done with are handed
// back with the next take, or after a few milliseconds (a chat sent to
// waits a second for its next message anyway), so that a busy replica does
// not make a round trip for each. Workers send and record each outcome
// themselves, in parallel.
func (d *Deliverer) dispatch(ctx context.Context, jobs chan<- job, results <-chan store.Release) {
	const (
		holdBack = 10 * time.Millisecond // how long handed-back chats may wait to go together
		together = 32                    // or how many
		// takeGap is the least time between two takes a commit asks for: at
		// a thousand messages a second, a take for each commit is a round
		// trip for each message; this way commits that come within 2 ms
		// are taken together, at most 2 ms later
		takeGap = 2 * time.Millisecond
	)
	var (
		rels     []store.Release // chats to hand back
		relSince time.Time       // when the first of them came
		inFlight int
		nextTake time.Time // when a take may find work (zero: now)
		lastTake time.Time
		pause    = 50 * time.Millisecond
		timer    = time.NewTimer(0)
	)
	defer timer.Stop()
	collect := func(r store.Release) {
		inFlight--
		if len(rels) == 0 {
			relSince = time.Now()
		}
		rels = append(rels, r)
	}
	for {
		stopping := ctx.Err() != nil
		if stopping && inFlight == 0 && len(rels) == 0 {
			return
		}
		now := time.Now()
		free := d.lim.Workers - inFlight
		takeNow := !stopping && free > 0 && !now.Before(nextTake)
		releaseNow := len(rels) > 0 && (stopping || len(rels) >= together || now.Sub(relSince) >= holdBack)
		if takeNow || releaseNow {
			most := 0
			if takeNow {
				most = free
			}
			tctx, cancel := ctx, context.CancelFunc(func() {})
			if stopping {
				tctx, cancel = context.WithTimeout(context.WithoutCancel(ctx), d.settle)
			}
			taken, wait, err := d.q.TakeMany(tctx, d.rates, rels, most)
			cancel()
			if takeNow {
				lastTake = now
			}
			if err != nil {
				if stopping {
					d.log.Warn("could not hand chats back; they are free again when their lease ends", "err", err)
					return
				}
				d.redisError("take", err)
				nextTake = now.Add(pause) // the chats are handed back next time
				relSince = now
				pause = min(pause*2, 2*time.Second)
				sleep(ctx, pause)
				continue
			}
			pause = 50 * time.Millisecond
			rels = rels[:0]
			if takeNow {
				switch {
				case len(taken) == free:
					nextTake = time.Time{} // there may be more
				default:
					nextTake = now.Add(max(wait, time.Millisecond))
				}
			}
			for _, r := range d.start(ctx, taken, jobs, &inFlight) {
				if len(rels) == 0 {
					relSince = time.Now()
				}
				rels = append(rels, r)
			}
			continue
		}
		// wait for an outcome, a commit, the time work falls due, or the end
		deadline := now.Add(idle)
		if !stopping && free > 0 && nextTake.Before(deadline) {
			deadline = nextTake
		}
		if len(rels) > 0 && relSince.Add(holdBack).Before(deadline) {
			deadline = relSince.Add(holdBack)
		}
		timer.Reset(max(time.Until(deadline), 0))
		done := ctx.Done()
		if stopping {
			done = nil // only the sends under way are waited for now
		}
		select {
		case r := <-results:
			collect(r)
		case <-d.wake:
			nextTake = lastTake.Add(takeGap) // now, unless a take was just made
		case <-timer.C:
			if time.Now().After(now.Add(idle)) || deadline.Equal(now.Add(idle)) {
				nextTake = time.Time{} // look for work other replicas committed
			}
		case <-done:
		}
		if !timer.Stop() {
			select {
			case <-timer.C:
			default:
			}
		}
		// gather the outcomes that came meanwhile, to hand them back together
		for more := true; more; {
			select {
			case r := <-results:
				collect(r)
			default:
				more = false
			}
		}
	}
}

// start reads the first message of each chat taken and hands it to a
// worker; chats with nothing to send are handed back.
func (d *Deliverer) start(ctx context.Context, taken []store.Taken, jobs chan<- job, inFlight *int) []store.Release {
	if len(taken) == 0 {
		return nil
	}
	chats := make([]int64, len(taken))
	for i, t := range taken {
		chats[i] = t.Chat
	}
	answered := time.Now()
	heads, found, errs := d.q.Heads(ctx, chats)
	var rels []store.Release
	var unreadable []store.Acked
	var unsentSlots []string
	for i, chat := range chats {
		switch {
		case errs[i] != nil && !found[i]:
			d.redisError("head", errs[i])
			rels = append(rels, store.Release{Chat: chat, Lane: "r", After: time.Second, Slot: taken[i].Slot, Unsent: true})
		case !found[i]:
			rels = append(rels, store.Release{Chat: chat, Slot: taken[i].Slot, Unsent: true})
		case errs[i] != nil: // an entry that cannot be read: drop it, go on with the next
			d.log.Error("message in the queue not readable; dropped", "chat_id", chat, "message", heads[i].ID, "err", errs[i])
			unreadable = append(unreadable, store.Acked{M: heads[i], Outcome: store.Dropped})
			unsentSlots = append(unsentSlots, taken[i].Slot)
		default:
			j := job{m: heads[i], slot: taken[i].Slot}
			if taken[i].Wait > 0 {
				j.at = answered.Add(taken[i].Wait)
			}
			jobs <- j
			*inFlight++
		}
	}
	if len(unreadable) > 0 {
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), d.settle)
		defer cancel()
		lanes, _ := d.q.AckMany(sctx, unreadable)
		for i, a := range unreadable {
			rels = append(rels, store.Release{Chat: a.M.Chat, Lane: lanes[i], Slot: unsentSlots[i], Unsent: true})
		}
	}
	return rels
}

// failure is why a dropped message failed, as staff are told: Telegram's
// refusal, or that it could not be reached, try after try.
func failure(res Result) string {
	switch {
	case res.Kind != Refused:
		return conversation.FailUnreachable
	case res.Reason != "":
		return res.Reason
	}
	return conversation.FailRefused
}

// record writes what became of a message sent and says how to hand its
// chat back.
func (d *Deliverer) record(ctx context.Context, m store.Queued, res Result) store.Release {
	var outcome store.Outcome
	after := time.Duration(0)
	switch res.Kind {
	case Delivered:
		outcome, after = store.Sent, d.lim.gap(m.Chat)
		d.m.Message("sent")
	case SlowDown: // not the message's fault: it goes again after the pause, untouched
		d.log.Warn("telegram asks the bot to slow down", "retry_after", res.RetryAfter)
		until := time.Now().Add(res.RetryAfter).UnixNano()
		for old := d.pausedUntil.Load(); old < until && !d.pausedUntil.CompareAndSwap(old, until); old = d.pausedUntil.Load() {
		}
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), d.settle)
		defer cancel()
		if err := d.q.Pause(sctx, res.RetryAfter); err != nil {
			d.redisError("pause", err) // the hand-back below sets it too
		}
		return store.Release{Chat: m.Chat, Lane: laneName(m), After: res.RetryAfter, Pause: res.RetryAfter}
	case ChatGone:
		outcome = store.Gone
		d.log.Info("chat gone: its messages are dropped", "chat_id", m.Chat)
		d.m.Message("gone")
	case Refused:
		outcome = store.Dropped
		d.log.Error("message refused by telegram; dropped", "chat_id", m.Chat, "message", m.ID, "err", res.Err)
		d.m.Message("refused")
	default:
		if m.Tries+1 >= d.lim.MaxTries {
			outcome = store.Dropped
			d.log.Error("message given up after its tries", "chat_id", m.Chat, "message", m.ID, "tries", m.Tries+1, "err", res.Err)
			d.m.Message("given_up")
		} else {
			outcome, after = store.Retry, backoff(m.Tries)
			d.log.Warn("send failed; trying again", "chat_id", m.Chat, "message", m.ID, "try", m.Tries+1, "in", after, "err", res.Err)
			d.m.Message("retried")
		}
	}
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), d.settle)
	defer cancel()
	if outcome == store.Gone && m.Chat > 0 { // a private chat: the resident blocked the bot
		if err := d.q.EndSubscriptions(sctx, m.Chat); err != nil {
			d.redisError("ack", err) // the next reminder finds them gone and ends them
		}
	}
	if id, ok := store.BroadcastOf(m.ID); ok && outcome != store.Retry { // staff see what became of it
		var err error
		if outcome == store.Dropped {
			err = d.q.CountBroadcastFailed(sctx, id, failure(res))
		} else {
			err = d.q.CountBroadcast(sctx, id, map[store.Outcome]string{store.Sent: "sent", store.Gone: "gone"}[outcome], 1)
		}
		if err != nil {
			d.redisError("ack", err)
		}
	}
	lanes, errs := d.q.AckMany(sctx, []store.Acked{{M: m, Outcome: outcome, MessageID: res.MessageID}})
	lane := lanes[0]
	if errs[0] != nil {
		// it may go again: a duplicate at most, never a loss
		d.redisError("ack", errs[0])
		lane = laneName(m)
	}
	return store.Release{Chat: m.Chat, Lane: lane, After: after}
}

// beat keeps the count of live replicas (for the rate each may use alone
// with Redis away) and the number of chats waiting.
func (d *Deliverer) beat(ctx context.Context) {
	t := time.NewTicker(heartbeat)
	defer t.Stop()
	for {
		if n, err := d.q.Heartbeat(ctx, d.replica, 3*heartbeat); err == nil {
			d.direct.setReplicas(n)
		} else if ctx.Err() == nil {
			d.redisError("heartbeat", err)
		}
		if r, b, err := d.q.Waiting(ctx); err == nil {
			d.m.SetChatsWaiting(int(r + b))
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

func laneName(m store.Queued) string {
	if m.Lane == 0 {
		return "r"
	}
	return "b"
}

func (d *Deliverer) redisError(op string, err error) {
	d.m.RedisError(op)
	d.log.Warn("redis failed in delivery", "op", op, "err", err)
}

// sleep waits d, or until ctx ends: false then.
func sleep(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

// outdated drops a reminder whose date has begun: the outbox was held up
// (every replica down, a chat held after kill -9), and "starts at 15:00"
// read at 15:10 is no reminder. So is a reminder whose date moved or was
// called off since it was committed: the notice of the change, behind it in
// the chat's queue, tells the follower, and a reminder of the old time would
// mislead. It is asked right before the send, after any wait for the rate,
// so that a change committed before the send is seen.
func (d *Deliverer) outdated(ctx context.Context, m store.Queued) (store.Release, bool) {
	enc, start, ok := store.ReminderOf(m.ID)
	switch {
	case !ok:
		return store.Release{}, false
	case !time.Now().Before(start):
		return d.drop(ctx, m, d.dropped(m, "too_late"))
	case !d.stands(ctx, enc, start):
		return d.drop(ctx, m, d.dropped(m, "changed"))
	}
	return store.Release{}, false
}

// hold keeps back a broadcast's message while staff have it paused, and
// drops it once they cancelled it: pausing and cancelling take effect for
// what is already queued too, not only for what is still to be queued.
func (d *Deliverer) hold(ctx context.Context, m store.Queued) (store.Release, bool) {
	id, ok := store.BroadcastOf(m.ID)
	if !ok {
		return store.Release{}, false
	}
	switch d.bc.state(ctx, d.q, id) {
	case store.BroadcastPaused:
		return store.Release{Chat: m.Chat, Lane: laneName(m), After: 5 * time.Second}, true
	case store.BroadcastCancelled:
		return d.drop(ctx, m, func(sctx context.Context) { _ = d.q.CountBroadcast(sctx, id, "cancelled", 1) })
	}
	return store.Release{}, false
}

// dropped counts a reminder dropped unsent, and says why: too_late (its
// date had begun) or changed (its date moved or was called off).
func (d *Deliverer) dropped(m store.Queued, why string) func(context.Context) {
	return func(context.Context) {
		d.log.Info("message dropped unsent", "chat_id", m.Chat, "message", m.ID, "why", why)
		d.m.Message(why)
	}
}

// drop removes a message from its chat's queue unsent and, once that
// stands, counts it with counted.
func (d *Deliverer) drop(ctx context.Context, m store.Queued, counted func(context.Context)) (store.Release, bool) {
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), d.settle)
	defer cancel()
	lanes, errs := d.q.AckMany(sctx, []store.Acked{{M: m, Outcome: store.Dropped}})
	if errs[0] != nil {
		d.redisError("ack", errs[0])
		return store.Release{Chat: m.Chat, Lane: laneName(m), After: time.Second}, true
	}
	counted(sctx)
	return store.Release{Chat: m.Chat, Lane: lanes[0]}, true
}

// broadcastStates remembers broadcasts' states for a second, so that a
// broadcast's thousands of messages cost one read a second, not one each.
type broadcastStates struct {
	mu   sync.Mutex
	seen map[string]broadcastState
}

type broadcastState struct {
	state string
	at    time.Time
}

func (b *broadcastStates) state(ctx context.Context, q Queue, id string) string {
	b.mu.Lock()
	defer b.mu.Unlock()
	if s, ok := b.seen[id]; ok && time.Since(s.at) < time.Second {
		return s.state
	}
	state, err := q.BroadcastState(ctx, id)
	if err != nil {
		return store.BroadcastRunning // Redis away: send as before; the ack will fail and it goes again
	}
	if b.seen == nil || len(b.seen) > 1000 {
		b.seen = map[string]broadcastState{}
	}
	b.seen[id] = broadcastState{state: state, at: time.Now()}
	return state
}
