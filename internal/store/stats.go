package store

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/integrationsagentur-marl/integrabot/internal/conversation"
)

// The figures staff see with /stats. Counters per day (questions by topic,
// questions passed to staff and answered, reminders) are a hash per UTC day
// that expires after StatsTTL; they hold counts under fixed names, no
// resident id. The rest is counted from what is kept anyway: the residents
// index, the residents' states, the open threads and the broadcast records.

// StatsTTL is how long a day's counters are kept: the figures add up the
// last conversation.FiguresDays, with a margin.
const StatsTTL = 35 * 24 * time.Hour

func (s *Store) statsKey(day time.Time) string {
	return s.global("stats:" + day.UTC().Format("20060102"))
}

// Tally adds n to the day's counter name (reminders, counted once pushed),
// written with the other counts within a second (Tallier).
func (s *Store) Tally(now time.Time, name string, n int) {
	if n > 0 {
		s.counts.add(s.statsKey(now), int64(n), name)
	}
}

// Figures counts what /stats shows, at now; staffChat is the staff group
// whose open questions are counted (0: none).
func (s *Store) Figures(ctx context.Context, now time.Time, staffChat int64) (conversation.Figures, error) {
	f := conversation.Figures{Residents: map[string]int64{}, Subscribers: map[string]int64{}, Counts: map[string]int64{}}
	if err := s.FlushTallies(ctx); err != nil { // this replica's latest count too
		return f, fmt.Errorf("figures: %w", err)
	}
	ids, err := s.Seen(ctx, now.Add(-s.timing.StateTTL()))
	if err != nil {
		return f, fmt.Errorf("figures: %w", err)
	}
	for len(ids) > 0 { // their states, a page a round trip
		page := ids[:min(len(ids), 500)]
		ids = ids[len(page):]
		recips, err := s.Recipients(ctx, page)
		if err != nil {
			return f, fmt.Errorf("figures: %w", err)
		}
		for _, r := range recips {
			if r.State == nil {
				continue // forgotten or expired: nobody any more
			}
			f.Residents[r.State.Lang]++
			if len(r.State.Subs) > 0 && !r.Gone {
				f.Subscribers[r.State.Lang]++
			}
		}
	}
	since := func(d time.Duration) string { return strconv.FormatInt(now.Add(-d).Unix(), 10) }
	var week, month []*redis.IntCmd
	var bcs *redis.StringSliceCmd
	days := make([]*redis.MapStringStringCmd, conversation.FiguresDays)
	_, err = s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for _, key := range s.seenKeys() {
			week = append(week, p.ZCount(ctx, key, since(7*24*time.Hour), "+inf"))
			month = append(month, p.ZCount(ctx, key, since(30*24*time.Hour), "+inf"))
		}
		bcs = p.ZRangeByScore(ctx, s.broadcastsKey(), &redis.ZRangeBy{Min: since(conversation.FiguresDays * 24 * time.Hour), Max: "+inf"})
		for i := range days {
			days[i] = p.HGetAll(ctx, s.statsKey(now.AddDate(0, 0, -i)))
		}
		return nil
	})
	if err != nil {
		return f, fmt.Errorf("figures: %w", err)
	}
	for i := range week {
		f.Active7 += week[i].Val()
		f.Active30 += month[i].Val()
	}
	for _, d := range days {
		for k, v := range d.Val() {
			n, _ := strconv.ParseInt(v, 10, 64)
			f.Counts[k] += n
		}
	}
	for _, id := range bcs.Val() {
		b, ok, err := s.GetBroadcast(ctx, id)
		if err != nil {
			return f, fmt.Errorf("figures: %w", err)
		}
		if ok && b.Counts["sent"] > 0 {
			f.Broadcasts++
			f.BroadcastMessages += b.Counts["sent"]
		}
	}
	if staffChat != 0 {
		if err := s.scan(ctx, s.tag(staffChat)+":thread:*", func(string) { f.Open++ }); err != nil {
			return f, fmt.Errorf("figures: %w", err)
		}
	}
	return f, nil
}
