// Package retention deletes the data of residents who have not written for
// the retention period (RETENTION), and warns those who follow something
// once, RETENTION_WARNING before, with a button to stay.
//
// The sweep is a job in the due set that the reminder runner leases to one
// replica at a time: it walks the residents index, a page of its buckets
// at a time with a checkpoint, then plans itself again. What it
// does for one resident is safe to repeat, so a sweep begun again after a
// crash, or by a second replica after a lease ran out, warns nobody twice
// and deletes nothing the first did not.
package retention

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"github.com/integrationsagentur-marl/integrabot/internal/config"
	"github.com/integrationsagentur-marl/integrabot/internal/conversation"
	"github.com/integrationsagentur-marl/integrabot/internal/reminder"
	"github.com/integrationsagentur-marl/integrabot/internal/store"
)

// JobID is the sweep's job in the due set.
const JobID = "retention"

// The sweep's checkpoints in its job: how far it walked the residents to
// warn and delete, and to align their states' TTLs.
const (
	part      = "seen"
	alignPart = "ttl"
)

// Store is what the sweep keeps in Redis (store.Store).
type Store interface {
	SilentPage(ctx context.Context, before time.Time, cursor string, n int64) ([]store.Silent, string, error)
	Recipients(ctx context.Context, ids []int64) ([]store.Recipient, error)
	PushOnce(ctx context.Context, msgs []store.Outgoing, dedupe time.Duration) (store.Pushed, error)
	ForgetSilent(ctx context.Context, userID int64, before time.Time) (bool, error)
	EnsureJob(ctx context.Context, id string, due time.Time) error
	Checkpoint(ctx context.Context, id string, leaseEnd time.Time, part, cursor string) error
	RescheduleJob(ctx context.Context, id string, at time.Time) error
	StatesAligned(ctx context.Context) (time.Duration, error)
	SetStatesAligned(ctx context.Context, ttl time.Duration) error
	AlignStates(ctx context.Context, page []store.Silent, ttl time.Duration, now time.Time) error
}

// Options tune the sweep; zero values take the defaults.
type Options struct {
	Page  int64         // residents per round trip (default 500)
	Lease time.Duration // renewed after each page (default 30 s, the runner's)
	Now   func() time.Time
}

// Sweeper warns and deletes silent residents.
type Sweeper struct {
	store  Store
	render func(conversation.Message) [][]byte
	wake   func() // tells the delivery workers that messages wait
	keep   config.Retention
	ttl    time.Duration // a state's (config.Timing.StateTTL)
	every  time.Duration
	opt    Options
	log    *slog.Logger
}

// New returns the sweep of timing's retention, run every timing.Sweep.
func New(s Store, render func(conversation.Message) [][]byte, wake func(), timing config.Timing, opt Options, log *slog.Logger) *Sweeper {
	if opt.Page <= 0 {
		opt.Page = 500
	}
	if opt.Lease <= 0 {
		opt.Lease = 30 * time.Second
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	return &Sweeper{store: s, render: render, wake: wake, keep: timing.Retention, ttl: timing.StateTTL(), every: timing.Sweep, opt: opt, log: log}
}

// Ensure plans the sweep at now unless it is planned: the runner calls it
// whenever it plans, so that a fresh or flushed Redis gets it again.
func (s *Sweeper) Ensure(ctx context.Context, now time.Time) error {
	return s.store.EnsureJob(ctx, JobID, now)
}

// Do is one sweep (a reminder.JobFunc): it returns the warnings it committed.
func (s *Sweeper) Do(ctx context.Context, src *reminder.Source, j *store.Job, now time.Time) (int, error) {
	if err := s.align(ctx, j, now); err != nil {
		return 0, err
	}
	warnBefore := now.Add(-(s.keep.Period - s.keep.Warning))
	deleteBefore := now.Add(-s.keep.Period)
	cursor := j.Cursors[part]
	warned, deleted := 0, 0
	for {
		page, next, err := s.store.SilentPage(ctx, warnBefore, cursor, s.opt.Page)
		if err != nil {
			return warned, err
		}
		var warn []store.Silent
		for _, r := range page {
			if r.Last.After(deleteBefore) {
				warn = append(warn, r)
				continue
			}
			ok, err := s.store.ForgetSilent(ctx, r.ID, deleteBefore)
			if err != nil {
				return warned, err
			}
			if ok {
				deleted++
			}
		}
		n, err := s.warn(ctx, src, warn, now)
		warned += n
		if err != nil {
			return warned, err
		}
		cursor = next
		if err := s.store.Checkpoint(ctx, JobID, s.opt.Now().Add(s.opt.Lease), part, cursor); err != nil {
			return warned, err
		}
		if next == "" {
			break
		}
	}
	if warned > 0 {
		s.wake()
	}
	if warned+deleted > 0 {
		s.log.Info("retention: sweep done", "warned", warned, "deleted", deleted)
	}
	return warned, s.store.RescheduleJob(ctx, JobID, now.Add(s.every))
}

// warn commits the warning to each follower of the page who has not been
// warned for this silence: the message's id names their last update, so
// that it is pushed once however often the sweep passes, and again only
// after they wrote and fell silent once more. Who blocked the bot or
// follows nothing is deleted without a message.
func (s *Sweeper) warn(ctx context.Context, src *reminder.Source, page []store.Silent, now time.Time) (int, error) {
	if len(page) == 0 {
		return 0, nil
	}
	ids := make([]int64, len(page))
	last := map[int64]time.Time{}
	for i, r := range page {
		ids[i], last[r.ID] = r.ID, r.Last
	}
	recips, err := s.store.Recipients(ctx, ids)
	if err != nil {
		return 0, err
	}
	var out []store.Outgoing
	for _, rc := range recips {
		if rc.State == nil || rc.Gone {
			continue
		}
		m, ok := src.Core.RetentionWarning(rc.ID, *rc.State, last[rc.ID].Add(s.keep.Period), now)
		if !ok {
			continue
		}
		for i, p := range s.render(m) {
			id := "retention:" + strconv.FormatInt(last[rc.ID].Unix(), 10) + "." + strconv.Itoa(i)
			out = append(out, store.Outgoing{ID: id, Chat: rc.ID, Lane: conversation.LaneBulk, Payload: p})
		}
	}
	// the mark lives until the deletion, when it goes with the rest
	pushed, err := s.store.PushOnce(ctx, out, s.keep.Warning+s.every+24*time.Hour)
	if err != nil {
		return 0, fmt.Errorf("retention warnings: %w", err)
	}
	return pushed.New, nil
}

// align makes every resident's state live as long as the retention wants,
// once per state TTL: states written under a shorter one (an upgrade from
// the fixed 180 days, a RETENTION raised) would otherwise expire before
// the sweep warns a follower. It walks every resident once, with its own
// checkpoint, then records the TTL it aligned to.
func (s *Sweeper) align(ctx context.Context, j *store.Job, now time.Time) error {
	done, err := s.store.StatesAligned(ctx)
	if err != nil || done == s.ttl {
		return err
	}
	cursor := j.Cursors[alignPart]
	for {
		page, next, err := s.store.SilentPage(ctx, now, cursor, s.opt.Page)
		if err != nil {
			return err
		}
		if err := s.store.AlignStates(ctx, page, s.ttl, now); err != nil {
			return err
		}
		cursor = next
		if err := s.store.Checkpoint(ctx, JobID, s.opt.Now().Add(s.opt.Lease), alignPart, cursor); err != nil {
			return err
		}
		if next == "" {
			break
		}
	}
	s.log.Info("retention: states aligned to the retention period", "ttl", s.ttl.String())
	return s.store.SetStatesAligned(ctx, s.ttl)
}
