package store

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/integrationsagentur-marl/integrabot/internal/conversation"
)

// Export is everything stored about one resident, for a data access
// request: what `integrabot export-user` prints.
type Export struct {
	ID        int64                    `json:"telegram_id"`
	Private   *ExportedState           `json:"private_chat,omitempty"` // nil: nothing stored
	Groups    map[string]ExportedState `json:"groups,omitempty"`       // by group chat id
	Following []string                 `json:"following,omitempty"`    // topics whose index of followers lists them
	Gone      bool                     `json:"blocked_the_bot"`
	Pending   int64                    `json:"messages_waiting"` // committed to their chat, not sent yet
	LastSeen  *time.Time               `json:"last_seen,omitempty"`
	Updates   int                      `json:"recent_updates_remembered"` // marks that make a retried update count once
	Dedupe    int                      `json:"messages_sent_once_marks"`  // reminders and notices sent, remembered so as not to repeat them
	SentIDs   map[string]string        `json:"sent_message_ids,omitempty"`
	// Threads counts their open questions to staff (each: which messages
	// of the staff group are theirs, and their language; no texts).
	Threads   int `json:"open_questions_to_staff"`
	Asked     int `json:"questions_passed_on_this_hour"` // the count behind the hourly limit
	FollowUps int `json:"follow_ups_this_hour"`
}

// ExportedState is a state in words.
type ExportedState struct {
	Language      string            `json:"language,omitempty"`
	Screen        string            `json:"last_screen,omitempty"`
	Buttons       []string          `json:"last_buttons,omitempty"`
	ButtonsPrint  string            `json:"last_buttons_fingerprint,omitempty"` // stands for the buttons of a screen the bot can show again
	Subscriptions []string          `json:"subscriptions,omitempty"`
	Dialogue      *ExportedDialogue `json:"dialogue,omitempty"`
	KeptUntil     *time.Time        `json:"kept_until,omitempty"`
}

// ExportedDialogue is a dialogue in progress, in words.
type ExportedDialogue struct {
	Name    string            `json:"name"`
	Step    string            `json:"step,omitempty"`
	Draft   map[string]string `json:"draft,omitempty"`
	Expires time.Time         `json:"expires"`
}

// Export reads everything stored about a resident.
func (s *Store) Export(ctx context.Context, userID int64) (Export, error) {
	out := Export{ID: userID}
	f, err := s.findForget(ctx, userID)
	if err != nil {
		return out, fmt.Errorf("export: %w", err)
	}
	out.Following, out.Updates, out.Dedupe = f.topics, len(f.updates), len(f.slot)
	for _, k := range f.threads {
		if strings.Contains(k, "}:th:") {
			out.Threads++
		}
	}
	if out.Asked, err = s.Asked(ctx, userID); err == nil {
		out.FollowUps, err = s.FollowUps(ctx, userID)
	}
	if err != nil {
		return out, fmt.Errorf("export: %w", err)
	}
	keys := []string{s.stateKey(userID)}
	for _, g := range f.groups {
		keys = append(keys, s.convKey(g, userID))
	}
	states := make([]*redis.StringCmd, len(keys))
	ttls := make([]*redis.DurationCmd, len(keys))
	var gone, replies, bulk, done *redis.IntCmd
	var seen *redis.FloatCmd
	var sent *redis.MapStringStringCmd
	_, err = s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, k := range keys {
			states[i], ttls[i] = p.Get(ctx, k), p.PTTL(ctx, k)
		}
		gone = p.Exists(ctx, s.goneKey(userID))
		replies, bulk = p.LLen(ctx, s.replyQ(userID)), p.LLen(ctx, s.bulkQ(userID))
		seen = p.ZScore(ctx, s.seenKey(userID), strconv.FormatInt(userID, 10))
		sent = p.HGetAll(ctx, s.sentKey(userID))
		// the private chat's updates done in the last UpdateTTL, in the
		// set the release before kept them in (the record's are below)
		done = p.ZCount(ctx, s.doneKey(userID), strconv.FormatInt(time.Now().Add(-UpdateTTL).UnixMilli(), 10), "+inf")
		return nil
	})
	if err != nil && !errors.Is(err, redis.Nil) {
		return out, fmt.Errorf("export: %w", err)
	}
	now := time.Now()
	for i := range keys {
		data, err := states[i].Result()
		if err != nil {
			continue // redis.Nil: expired meanwhile
		}
		if i == 0 { // the private chat's record: its done updates, then its state
			rec, err := parseRecord(data)
			if err != nil {
				return out, fmt.Errorf("export: %w", err)
			}
			out.Updates += rec.doneSince(now.Add(-UpdateTTL))
			if data = rec.state; data == "" {
				continue
			}
		}
		st, err := decodeState(data)
		if err != nil {
			return out, fmt.Errorf("export: %w", err)
		}
		e := exported(st)
		if ttl := ttls[i].Val(); ttl > 0 {
			until := now.Add(ttl).Truncate(time.Second)
			e.KeptUntil = &until
		}
		if i == 0 {
			out.Private = &e
			continue
		}
		if out.Groups == nil {
			out.Groups = map[string]ExportedState{}
		}
		out.Groups[strconv.FormatInt(f.groups[i-1], 10)] = e
	}
	out.Gone = gone.Val() == 1
	out.Pending = replies.Val() + bulk.Val()
	out.Updates += int(done.Val())
	if at, err := seen.Result(); err == nil {
		t := time.Unix(int64(at), 0)
		out.LastSeen = &t
	}
	if m := sent.Val(); len(m) > 0 {
		out.SentIDs = m
	}
	return out, nil
}

func exported(st conversation.State) ExportedState {
	e := ExportedState{Language: st.Lang, Screen: st.Screen, Buttons: st.Choices, ButtonsPrint: st.Print, Subscriptions: st.Subs}
	if d := st.Dialogue; d != nil {
		e.Dialogue = &ExportedDialogue{Name: d.Name, Step: d.Step, Draft: d.Draft, Expires: d.Expires}
	}
	return e
}
