// Package broadcast sends what staff broadcast to the followers of a topic:
// a job in the due set that any replica may take, page by page with a
// checkpoint, each recipient's message committed once to the bulk lane,
// pausable and cancellable between pages, with its counts kept for staff.
package broadcast

import (
	"context"
	"log/slog"
	"strconv"
	"time"

	"github.com/integrationsagentur-marl/integrabot/internal/conversation"
	"github.com/integrationsagentur-marl/integrabot/internal/reminder"
	"github.com/integrationsagentur-marl/integrabot/internal/store"
)

// Store is what a broadcast needs of Redis (store.Store).
type Store interface {
	GetBroadcast(ctx context.Context, id string) (store.Broadcast, bool, error)
	TransitionBroadcast(ctx context.Context, id, to string, now time.Time) (string, error)
	CountBroadcast(ctx context.Context, id, count string, n int64) error
	Checkpoint(ctx context.Context, id string, leaseEnd time.Time, part, cursor string) error
	FinishJob(ctx context.Context, id string) error
	Followers(ctx context.Context, topic string, cursor uint64, count int64) ([]int64, uint64, error)
	Unfollow(ctx context.Context, topic string, ids ...int64) error
	EndSubscriptions(ctx context.Context, userID int64) error
	Recipients(ctx context.Context, ids []int64) ([]store.Recipient, error)
	PushOnce(ctx context.Context, msgs []store.Outgoing, dedupe time.Duration) (store.Pushed, error)
}

// Sender does broadcast jobs.
type Sender struct {
	store  Store
	render func(conversation.Message) [][]byte
	wake   func()
	page   int64
	lease  time.Duration
	now    func() time.Time
	log    *slog.Logger
}

// New returns a sender; page is how many followers go in one round trip,
// lease how long a begun page is this replica's.
func New(s Store, render func(conversation.Message) [][]byte, wake func(), page int64, lease time.Duration, now func() time.Time, log *slog.Logger) *Sender {
	if page <= 0 {
		page = 500
	}
	if lease <= 0 {
		lease = 30 * time.Second
	}
	if now == nil {
		now = time.Now
	}
	return &Sender{store: s, render: render, wake: wake, page: page, lease: lease, now: now, log: log}
}

// Do sends one broadcast job (a reminder.JobFunc).
func (s *Sender) Do(ctx context.Context, src *reminder.Source, j *store.Job, now time.Time) (int, error) {
	id := j.Payload
	b, ok, err := s.store.GetBroadcast(ctx, id)
	if err != nil {
		return 0, err
	}
	if !ok {
		return 0, s.store.FinishJob(ctx, j.ID)
	}
	switch b.State {
	case store.BroadcastConfirmed:
		if _, err := s.store.TransitionBroadcast(ctx, id, store.BroadcastRunning, now); err != nil {
			return 0, nil // paused or cancelled meanwhile
		}
		s.log.Info("broadcast started", "broadcast", id, "topic", b.Topic)
	case store.BroadcastRunning:
	default:
		return 0, nil // paused, cancelled or done: its transition took the job away
	}
	cursor := j.Cursors["f"]
	total := 0
	for cursor != "done" {
		if b, _, err = s.store.GetBroadcast(ctx, id); err != nil {
			return total, err
		}
		if b.State != store.BroadcastRunning {
			s.log.Info("broadcast stopped between pages", "broadcast", id, "state", b.State)
			return total, nil
		}
		c, _ := strconv.ParseUint(cursor, 10, 64)
		ids, next, err := s.store.Followers(ctx, b.Topic, c, s.page)
		if err != nil {
			return total, err
		}
		n, err := s.page1(ctx, src, j.ID, b, ids)
		total += n
		if err != nil {
			return total, err
		}
		cursor = strconv.FormatUint(next, 10)
		if next == 0 {
			cursor = "done"
		}
		if err := s.store.Checkpoint(ctx, j.ID, s.now().Add(s.lease), "f", cursor); err != nil {
			return total, err
		}
		if total > 0 {
			s.wake()
		}
	}
	if _, err := s.store.TransitionBroadcast(ctx, id, store.BroadcastDone, now); err != nil {
		return total, nil // cancelled at the last moment: its record says so
	}
	b, _, _ = s.store.GetBroadcast(ctx, id)
	s.log.Info("broadcast queued for every recipient", "broadcast", id, "queued", b.Counts["queued"])
	return total, s.report(ctx, src, b)
}

// page1 commits the broadcast to one page of followers.
func (s *Sender) page1(ctx context.Context, src *reminder.Source, jobID string, b store.Broadcast, ids []int64) (int, error) {
	recips, err := s.store.Recipients(ctx, ids)
	if err != nil {
		return 0, err
	}
	var stale []int64
	var out []store.Outgoing
	var blocked int64
	for _, rc := range recips {
		switch {
		case rc.State == nil || !follows(rc.State.Subs, b.Topic):
			stale = append(stale, rc.ID)
		case rc.Gone:
			blocked++
			if err := s.store.EndSubscriptions(ctx, rc.ID); err != nil {
				return 0, err
			}
		case b.Lang != "" && rc.State.Lang != b.Lang:
		default:
			m := src.Core.Broadcast(b.Text, b.Topic, rc.ID, *rc.State)
			for i, p := range s.render(m) {
				out = append(out, store.Outgoing{ID: jobID + "." + strconv.Itoa(i), Chat: rc.ID, Lane: conversation.LaneBulk, Payload: p})
			}
		}
	}
	if err := s.store.Unfollow(ctx, b.Topic, stale...); err != nil {
		return 0, err
	}
	pushed, err := s.store.PushOnce(ctx, out, 48*time.Hour)
	if err != nil {
		return 0, err
	}
	if err := s.store.CountBroadcast(ctx, b.ID, "queued", int64(pushed.New)); err != nil {
		return pushed.New, err
	}
	return pushed.New, s.store.CountBroadcast(ctx, b.ID, "gone", blocked+int64(pushed.Gone))
}

// report tells the staff member who sent it that every recipient has it queued.
func (s *Sender) report(ctx context.Context, src *reminder.Source, b store.Broadcast) error {
	staff, err := s.store.Recipients(ctx, []int64{b.Staff})
	if err != nil {
		return err
	}
	var st conversation.State
	if staff[0].State != nil {
		st = *staff[0].State
	}
	m := src.Core.BroadcastReport(b.Staff, st, b.Counts["queued"])
	var out []store.Outgoing
	for i, p := range s.render(m) {
		out = append(out, store.Outgoing{ID: "rb:" + b.ID + "." + strconv.Itoa(i), Chat: b.Staff, Lane: conversation.LaneBulk, Payload: p})
	}
	_, err = s.store.PushOnce(ctx, out, 48*time.Hour)
	s.wake()
	return err
}

func follows(subs []string, topic string) bool {
	for _, t := range subs {
		if t == topic {
			return true
		}
	}
	return false
}
