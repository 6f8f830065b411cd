package reminder

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/integrationsagentur-marl/integrabot/internal/agency"
	"github.com/integrationsagentur-marl/integrabot/internal/conversation"
	"github.com/integrationsagentur-marl/integrabot/internal/metrics"
	"github.com/integrationsagentur-marl/integrabot/internal/store"
)

// Store is what the runner keeps in Redis (store.Store).
type Store interface {
	Plans(ctx context.Context) (map[string]string, error)
	Plan(ctx context.Context, encounter string) (string, error)
	Replan(ctx context.Context, encounter, old, plan string, remove []string, add []store.Job) (bool, error)
	TakeJob(ctx context.Context, now time.Time, lease time.Duration) (*store.Job, error)
	Checkpoint(ctx context.Context, id string, leaseEnd time.Time, part, cursor string) error
	FinishJob(ctx context.Context, id string) error
	NextDue(ctx context.Context) (time.Time, bool, error)
	Followers(ctx context.Context, topic string, cursor uint64, count int64) ([]int64, uint64, error)
	Unfollow(ctx context.Context, topic string, ids ...int64) error
	EndSubscriptions(ctx context.Context, userID int64) error
	Recipients(ctx context.Context, ids []int64) ([]store.Recipient, error)
	PushOnce(ctx context.Context, msgs []store.Outgoing, dedupe time.Duration) (store.Pushed, error)
	Tally(now time.Time, name string, n int)
}

// Source is the content and the core that writes its notices; replaced
// together when the content is reloaded.
type Source struct {
	Content *agency.Content
	Core    *conversation.Core
	Stored  int64 // the change count of the stored encounters in Content
}

// version is which content src is, for the order of replicas' plans.
func (src *Source) version() Version {
	return Version{Files: src.Content.Stamp, Stored: src.Stored}
}

// Options tune the runner; zero values take the defaults.
type Options struct {
	Lease   time.Duration // how long a begun job is another replica's to leave alone (default 30 s)
	Page    int64         // followers per round trip (default 500)
	Replan  time.Duration // how often the dates ahead are planned again (default 1 min)
	MaxWait time.Duration // longest sleep between looks for due jobs (default 500 ms)
	Now     func() time.Time
}

// Runner plans and sends reminders and change notices.
type Runner struct {
	store   Store
	wake    func() // tells the delivery workers that messages wait
	render  func(conversation.Message) [][]byte
	offsets []time.Duration
	opt     Options
	src     atomic.Pointer[Source]
	replan  chan struct{}
	kinds   map[string]JobFunc // other jobs in the due set, by their id's prefix
	onPlan  []func(ctx context.Context, now time.Time) error
	log     *slog.Logger
	m       *metrics.Metrics

	mu   sync.Mutex
	told string // the newer plan's version this replica last logged that it leaves alone
}

// New returns a runner; offsets are REMINDER_OFFSETS, largest first.
func New(s Store, wake func(), render func(conversation.Message) [][]byte, offsets []time.Duration, src Source, opt Options, log *slog.Logger, m *metrics.Metrics) *Runner {
	if opt.Lease <= 0 {
		opt.Lease = 30 * time.Second
	}
	if opt.Page <= 0 {
		opt.Page = 500
	}
	if opt.Replan <= 0 {
		opt.Replan = time.Minute
	}
	if opt.MaxWait <= 0 {
		opt.MaxWait = 500 * time.Millisecond
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	r := &Runner{store: s, wake: wake, render: render, offsets: offsets, opt: opt, replan: make(chan struct{}, 1), kinds: map[string]JobFunc{}, log: log, m: m}
	r.src.Store(&src)
	return r
}

// JobFunc does one job of another kind that shares the due set (a
// broadcast): it returns the messages it committed.
type JobFunc func(ctx context.Context, src *Source, j *store.Job, now time.Time) (int, error)

// Handle makes the runner do the due jobs whose id starts with prefix with fn.
// Call it before Run.
func (r *Runner) Handle(prefix string, fn JobFunc) { r.kinds[prefix] = fn }

// OnPlan makes the runner call fn whenever it plans (at start, then every
// Options.Replan): a job that repeats (the retention sweep) plans itself
// there should Redis have lost it. Call it before Run.
func (r *Runner) OnPlan(fn func(ctx context.Context, now time.Time) error) {
	r.onPlan = append(r.onPlan, fn)
}

// SetSource makes the runner plan from new content at once.
func (r *Runner) SetSource(src Source) {
	r.src.Store(&src)
	select {
	case r.replan <- struct{}{}:
	default:
	}
}

// horizon is how far ahead dates are planned: past the largest offset, so
// that downtime of up to a week still finds each reminder planned.
func (r *Runner) horizon() time.Duration {
	var largest time.Duration
	if len(r.offsets) > 0 {
		largest = r.offsets[0]
	}
	return largest + 7*24*time.Hour
}

// Run plans and sends until ctx ends. A failing Redis is retried with
// back-off; nothing is lost meanwhile (the jobs wait in Redis).
func (r *Runner) Run(ctx context.Context) error {
	var planned time.Time
	backoff := time.Second
	for ctx.Err() == nil {
		now := r.opt.Now()
		var err error
		if now.Sub(planned) >= r.opt.Replan {
			if err = r.Plan(ctx, now); err == nil {
				planned = now
			}
		}
		if err == nil {
			_, err = r.Pass(ctx, now)
		}
		wait := r.opt.MaxWait
		if err != nil {
			if ctx.Err() != nil {
				break
			}
			r.log.Warn("reminders: redis unavailable, retrying", "err", err, "in", backoff.String())
			wait, backoff = backoff, min(2*backoff, 30*time.Second)
		} else {
			backoff = time.Second
			if next, ok, err := r.store.NextDue(ctx); err == nil && ok {
				wait = min(wait, max(next.Sub(r.opt.Now()), 0))
			}
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
		case <-t.C:
		case <-r.replan:
			planned = time.Time{}
		}
		t.Stop()
	}
	return nil
}

// Plan brings the jobs in line with the content's dates ahead of now.
func (r *Runner) Plan(ctx context.Context, now time.Time) error {
	src := r.src.Load()
	plans, err := r.store.Plans(ctx)
	if err != nil {
		return err
	}
	horizon := now.Add(r.horizon())
	v := src.version()
	seen := map[string]bool{}
	for i := range src.Content.Encounters {
		e := &src.Content.Encounters[i]
		seen[e.ID] = true
		if err := r.replanOne(ctx, e.ID, plans[e.ID], e, v, now, horizon); err != nil {
			return err
		}
	}
	for id, old := range plans {
		if !seen[id] { // left the content: its followers are told
			if err := r.replanOne(ctx, id, old, nil, v, now, horizon); err != nil {
				return err
			}
		}
	}
	for _, fn := range r.onPlan {
		if err := fn(ctx, now); err != nil {
			return err
		}
	}
	return nil
}

func (r *Runner) replanOne(ctx context.Context, id, old string, e *agency.Encounter, v Version, now, horizon time.Time) error {
	p := decodePlan(old)
	if p.newerThan(v) {
		r.leftAlone(id, p, v)
	}
	c, ok := replan(id, p, e, v, now, horizon, r.offsets)
	if !ok {
		return nil
	}
	next := c.plan.encode()
	applied, err := r.store.Replan(ctx, id, old, next, c.remove, c.add)
	if err != nil {
		return err
	}
	if applied {
		r.log.Debug("reminders planned", "encounter", id, "jobs_added", len(c.add), "jobs_removed", len(c.remove))
	}
	return nil // not applied: another replica replanned first; the next plan sees its result
}

// leftAlone logs, once for each newer content, that this replica runs older
// content than another's plans came from and leaves them alone: an operator
// who sees it for long has a replica not yet updated, or went back to an
// older content folder (which then needs a newer file time: README).
func (r *Runner) leftAlone(id string, p *plan, v Version) {
	key := p.Files + "/" + strconv.FormatInt(p.Stored, 10)
	r.mu.Lock()
	same := r.told == key
	r.told = key
	r.mu.Unlock()
	if !same {
		r.log.Warn("reminders: encounters were planned from newer content than this replica's; it leaves their reminders alone",
			"encounter", id, "content", v.Files, "planned_from", p.Files, "stored_changes", v.Stored, "planned_from_stored_changes", p.Stored)
	}
}

// Pass does every job due at now and returns how many messages it committed.
func (r *Runner) Pass(ctx context.Context, now time.Time) (int, error) {
	total := 0
	for ctx.Err() == nil {
		j, err := r.store.TakeJob(ctx, now, r.opt.Lease)
		if err != nil || j == nil {
			return total, err
		}
		r.m.JobLate(r.opt.Now().Sub(j.Due))
		n, err := r.do(ctx, j, now)
		total += n
		if err != nil {
			return total, fmt.Errorf("job %s: %w", j.ID, err) // its lease runs out and it is taken again
		}
	}
	return total, ctx.Err()
}

// do sends one job to the followers of its encounter, page by page, with a
// checkpoint after each, and finishes it.
func (r *Runner) do(ctx context.Context, sj *store.Job, now time.Time) (int, error) {
	for prefix, fn := range r.kinds {
		if strings.HasPrefix(sj.ID, prefix) {
			return fn(ctx, r.src.Load(), sj, now)
		}
	}
	j, err := decodeJob(sj.Payload)
	if err != nil {
		r.log.Error("reminders: dropping an unreadable job", "job", sj.ID, "err", err)
		return 0, r.store.FinishJob(ctx, sj.ID)
	}
	src := r.src.Load()
	if !r.wanted(ctx, j, src, now) {
		return 0, r.store.FinishJob(ctx, sj.ID)
	}
	if e, ok := src.Content.Encounter(j.Enc); ok { // the title and place as they are now
		j.Title, j.Place = e.Title, e.Place
	}
	n := j.notice()
	sent := 0
	for _, topic := range conversation.Followers(j.Enc) {
		cursor := sj.Cursors[topic]
		for cursor != "done" {
			c, _ := strconv.ParseUint(cursor, 10, 64)
			ids, next, err := r.store.Followers(ctx, topic, c, r.opt.Page)
			if err != nil {
				return sent, err
			}
			k, err := r.send(ctx, src, sj.ID, topic, n, ids, now, j)
			sent += k
			if err != nil {
				return sent, err
			}
			cursor = strconv.FormatUint(next, 10)
			if next == 0 {
				cursor = "done"
			}
			if err := r.store.Checkpoint(ctx, sj.ID, r.opt.Now().Add(r.opt.Lease), topic, cursor); err != nil {
				return sent, err
			}
		}
	}
	if sent > 0 {
		r.wake()
	}
	r.m.Notices(j.kind(), sent)
	r.log.Info("reminders: job done", "job", sj.ID, "messages", sent)
	return sent, r.store.FinishJob(ctx, sj.ID)
}

// wanted tells whether a job should still go out at now: never a reminder
// of a date that has begun or no longer is in the newest content, nor one whose
// next (shorter) offset is due as well: after downtime one reminder goes
// late, not two at once.
func (r *Runner) wanted(ctx context.Context, j job, src *Source, now time.Time) bool {
	if j.Kind != conversation.NoticeReminder {
		return true
	}
	start := time.Unix(j.Start, 0)
	if !start.After(now) {
		return false
	}
	for _, off := range r.offsets {
		if int64(off/time.Second) < j.Offset && !start.Add(-off).After(now) {
			return false
		}
	}
	return r.stands(ctx, src, j.Enc, start)
}

// Stands tells whether encounter still has a date starting at start, as
// the newest content any replica runs says: this replica's own, unless the
// encounter's plan came from newer content (another replica took it up
// first), whose dates the plan lists. The delivery asks it before it sends
// a reminder committed earlier. Redis away: this replica's content answers.
func (r *Runner) Stands(ctx context.Context, encounter string, start time.Time) bool {
	return r.stands(ctx, r.src.Load(), encounter, start)
}

func (r *Runner) stands(ctx context.Context, src *Source, encounter string, start time.Time) bool {
	// the plan as it is now, never as this replica saw it a moment ago: a
	// change another replica committed before this send must be seen (one
	// read a reminder: BenchmarkStands)
	if raw, err := r.store.Plan(ctx, encounter); err == nil {
		if p := decodePlan(raw); p.newerThan(src.version()) {
			return p.has(start.Unix())
		}
	}
	e, ok := src.Content.Encounter(encounter)
	if !ok {
		return false
	}
	o, ok := e.Next(start.Add(-time.Second))
	return ok && o.Start.Equal(start)
}

// send commits the notice to one page of followers of topic. Residents whose
// state is gone, or who follow the topic no more, leave its index; those
// who blocked the bot lose their subscriptions.
func (r *Runner) send(ctx context.Context, src *Source, jobID, topic string, n conversation.Notice, ids []int64, now time.Time, j job) (int, error) {
	recips, err := r.store.Recipients(ctx, ids)
	if err != nil {
		return 0, err
	}
	var stale []int64
	var out []store.Outgoing
	for _, rc := range recips {
		switch {
		case rc.State == nil || !slices.Contains(rc.State.Subs, topic):
			stale = append(stale, rc.ID)
		case rc.Gone:
			if err := r.store.EndSubscriptions(ctx, rc.ID); err != nil {
				return 0, err
			}
		default:
			m, ok := src.Core.Notice(n, rc.ID, *rc.State, now)
			if !ok {
				continue
			}
			for i, p := range r.render(m) {
				out = append(out, store.Outgoing{ID: jobID + "." + strconv.Itoa(i), Chat: rc.ID, Lane: conversation.LaneBulk, Payload: p})
			}
		}
	}
	if err := r.store.Unfollow(ctx, topic, stale...); err != nil {
		return 0, err
	}
	pushed, err := r.store.PushOnce(ctx, out, r.dedupe(j))
	if err == nil && j.Kind == conversation.NoticeReminder && pushed.New > 0 {
		// for the staff's figures: one round trip a page of followers, not a follower
		r.store.Tally(now, conversation.TallyReminders, pushed.New)
	}
	return pushed.New, err
}

// dedupe is how long a follower's message of a job is remembered: until
// the job can no longer run (its date began), with a margin.
func (r *Runner) dedupe(j job) time.Duration {
	if j.Kind == conversation.NoticeReminder {
		return time.Duration(j.Offset)*time.Second + 2*time.Hour
	}
	return 2 * time.Hour
}
