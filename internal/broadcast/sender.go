// Package broadcast sends what staff broadcast to the followers of a topic:
// a job in the due set that any replica may take, page by page with a
// checkpoint, each recipient's message committed once to the bulk lane,
// pausable and cancellable between pages, with its counts kept for staff.
package broadcast

import (
	"context"
	"log/slog"
	"slices"
	"strconv"
	"strings"
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
	RescheduleJob(ctx context.Context, id string, at time.Time) error
	BroadcastQueued(ctx context.Context, id string) error
	Followers(ctx context.Context, topic string, cursor uint64, count int64) ([]int64, uint64, error)
	Unfollow(ctx context.Context, topic string, ids ...int64) error
	EndSubscriptions(ctx context.Context, userID int64) error
	Recipients(ctx context.Context, ids []int64) ([]store.Recipient, error)
	PushOnce(ctx context.Context, msgs []store.Outgoing, dedupe time.Duration) (store.Pushed, error)
}

// Followers is what counting an audience reads.
type Followers interface {
	Followers(ctx context.Context, topic string, cursor uint64, count int64) ([]int64, uint64, error)
	Recipients(ctx context.Context, ids []int64) ([]store.Recipient, error)
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
		if b.Queued {
			return 0, s.store.FinishJob(ctx, j.ID)
		}
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
	if err := s.store.BroadcastQueued(ctx, id); err != nil {
		return total, err
	}
	b, _, _ = s.store.GetBroadcast(ctx, id)
	s.log.Info("broadcast queued for every recipient", "broadcast", id, "queued", b.Counts["queued"])
	return total, nil
}

// page1 commits the broadcast to one page of followers.
func (s *Sender) page1(ctx context.Context, src *reminder.Source, jobID string, b store.Broadcast, ids []int64) (int, error) {
	recips, err := s.store.Recipients(ctx, ids)
	if err != nil {
		return 0, err
	}
	var stale []int64
	var out []store.Outgoing
	var blocked, skipped int64
	for _, rc := range recips {
		switch {
		case rc.State == nil || !slices.Contains(rc.State.Subs, b.Topic):
			stale = append(stale, rc.ID)
		case rc.Gone:
			blocked++
			if err := s.store.EndSubscriptions(ctx, rc.ID); err != nil {
				return 0, err
			}
		case b.Lang != "" && rc.State.Lang != b.Lang:
		default:
			m, ok := src.Core.BroadcastFor(b.Text, b.Main, b.Versions, b.Fallback, b.Topic, rc.ID, *rc.State)
			if !ok {
				skipped++ // no version in their language, and staff chose to skip them
				continue
			}
			if kind, file, ok := strings.Cut(b.Media, ":"); ok {
				m.Media = &conversation.Media{Kind: kind, FileID: file}
			}
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
	if err := s.store.CountBroadcast(ctx, b.ID, "skipped", skipped); err != nil {
		return pushed.New, err
	}
	return pushed.New, s.store.CountBroadcast(ctx, b.ID, "blocked", blocked+int64(pushed.Gone))
}

// Progress keeps the staff member's progress message up to date, every few
// seconds until every message is sent, given up or cancelled, then reports
// (a reminder.JobFunc for the progress jobs). Many failures pause the
// broadcast and say so.
func (s *Sender) Progress(ctx context.Context, src *reminder.Source, j *store.Job, now time.Time) (int, error) {
	id := j.Payload
	b, ok, err := s.store.GetBroadcast(ctx, id)
	if err != nil {
		return 0, err
	}
	if !ok {
		return 0, s.store.FinishJob(ctx, j.ID)
	}
	f := Figures(b, now)
	var out []conversation.Message
	st := s.staffState(ctx, b.Staff)
	fresh := f.Failed - b.Counts["failed_seen"] // failures since staff last looked (they resumed after a pause)
	if b.State == store.BroadcastRunning && fresh >= failuresToPause && fresh*5 >= f.Sent+f.Failed-b.Counts["failed_seen"] {
		if _, err := s.store.TransitionBroadcast(ctx, id, store.BroadcastPaused, now); err == nil {
			_ = s.store.CountBroadcast(ctx, id, "failed_seen", fresh)
			b.State, f.State = store.BroadcastPaused, store.BroadcastPaused
			s.log.Warn("broadcast paused: too many failures", "broadcast", id, "failed", f.Failed, "sent", f.Sent)
			out = append(out, src.Core.BroadcastAutoPaused(b.Staff, st, id, f))
		}
	}
	finished := b.State == store.BroadcastCancelled || b.State == store.BroadcastDone
	if b.State == store.BroadcastRunning && b.Queued && f.Pending() <= 0 { // every message sent, refused or given up
		if _, err := s.store.TransitionBroadcast(ctx, id, store.BroadcastDone, now); err == nil {
			b.State, f.State, finished = store.BroadcastDone, store.BroadcastDone, true
		}
	}
	out = append([]conversation.Message{src.Core.BroadcastProgress(b.Staff, st, id, f, finished)}, out...)
	if finished {
		out = append(out, src.Core.BroadcastReport(b.Staff, st, f))
	}
	var msgs []store.Outgoing
	for k, m := range out {
		for i, p := range s.render(m) {
			msgs = append(msgs, store.Outgoing{ID: "bp:" + id + ":" + strconv.FormatInt(now.UnixMilli(), 10) + ":" + strconv.Itoa(k) + "." + strconv.Itoa(i), Chat: b.Staff, Lane: conversation.LaneReply, Payload: p})
		}
	}
	if _, err := s.store.PushOnce(ctx, msgs, time.Hour); err != nil {
		return 0, err
	}
	s.wake()
	if finished {
		s.log.Info("broadcast finished", "broadcast", id, "state", b.State, "sent", f.Sent, "blocked", f.Blocked, "failed", f.Failed)
		return len(msgs), s.store.FinishJob(ctx, j.ID)
	}
	return len(msgs), s.store.RescheduleJob(ctx, j.ID, now.Add(progressEvery))
}

// failuresToPause: a broadcast with at least this many failures, a fifth
// or more of what it tried, stops itself for staff to look.
const failuresToPause = 10

// progressEvery is how often the progress message is edited.
const progressEvery = 5 * time.Second

// Figures are a broadcast's counts as staff see them.
func Figures(b store.Broadcast, now time.Time) conversation.BroadcastFigures {
	c := b.Counts
	f := conversation.BroadcastFigures{State: b.State, Queued: c["queued"], Sent: c["sent"], Blocked: c["blocked"] + c["gone"],
		Gone: c["gone"], Failed: c["failed"], Cancelled: c["cancelled"]}
	for k, n := range c {
		if reason, ok := strings.CutPrefix(k, "failed:"); ok {
			if f.Reasons == nil {
				f.Reasons = map[string]int64{}
			}
			f.Reasons[reason] = n
		}
	}
	if minutes := now.Sub(b.Created).Minutes(); minutes > 0 {
		f.PerMinute = int64(float64(f.Sent) / max(minutes, 1.0/60))
	}
	return f
}

func (s *Sender) staffState(ctx context.Context, staff int64) conversation.State {
	rs, err := s.store.Recipients(ctx, []int64{staff})
	if err != nil || rs[0].State == nil {
		return conversation.State{}
	}
	return *rs[0].State
}

// Audience counts a topic's followers by the language they read (only
// lang's, when given): what staff see under a preview.
func Audience(ctx context.Context, st Followers, topic, lang string) (map[string]int, error) {
	counts := map[string]int{}
	cursor := uint64(0)
	for {
		ids, next, err := st.Followers(ctx, topic, cursor, 500)
		if err != nil {
			return nil, err
		}
		recips, err := st.Recipients(ctx, ids)
		if err != nil {
			return nil, err
		}
		for _, rc := range recips {
			if rc.State != nil && !rc.Gone && slices.Contains(rc.State.Subs, topic) && (lang == "" || rc.State.Lang == lang) {
				counts[rc.State.Lang]++
			}
		}
		if next == 0 {
			return counts, nil
		}
		cursor = next
	}
}
