package telegramtest

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"time"
)

// queuedUpdate is an update not yet confirmed by the bot.
type queuedUpdate struct {
	id   int64
	kind string
	data json.RawMessage
	// key orders webhook deliveries: updates with the same key (chat or
	// user) are delivered one after another, as Telegram does.
	key int64
	// webhook delivery state
	inFlight bool
	retryAt  time.Time
}

// updateTypes are the update kinds the Bot API knows; defaultAllowed is
// what a bot gets when it never specified allowed_updates or sent [].
var updateTypes = []string{
	"message", "edited_message", "channel_post", "edited_channel_post",
	"business_connection", "business_message", "edited_business_message",
	"deleted_business_messages", "message_reaction", "message_reaction_count",
	"inline_query", "chosen_inline_result", "callback_query", "shipping_query",
	"pre_checkout_query", "purchased_paid_media", "poll", "poll_answer",
	"my_chat_member", "chat_member", "chat_join_request", "chat_boost",
	"removed_chat_boost",
}

func isUpdateType(kind string) bool {
	for _, t := range updateTypes {
		if t == kind {
			return true
		}
	}
	return false
}

func defaultAllowed(kind string) bool {
	switch kind {
	case "chat_member", "message_reaction", "message_reaction_count":
		return false
	}
	return true
}

// allowedLocked tells whether an update of kind would be created now.
// Telegram filters when an update is created, so updates queued earlier
// are still delivered after allowed_updates changes. Kinds the Bot API does
// not know (pushed raw by a test) always pass.
func (s *Server) allowedLocked(kind string) bool {
	if !isUpdateType(kind) {
		return true
	}
	if s.allowed == nil {
		return defaultAllowed(kind)
	}
	return s.allowed[kind]
}

// setAllowedLocked applies an allowed_updates parameter like the Bot API:
// absent or unparsable keeps the previous setting, a list without known
// types (e.g. []) restores the default.
func (s *Server) setAllowedLocked(raw string) {
	if strings.TrimSpace(raw) == "" {
		return
	}
	var list []any
	if err := json.Unmarshal([]byte(raw), &list); err != nil {
		return
	}
	set := map[string]bool{}
	for _, v := range list {
		name, ok := v.(string)
		if !ok {
			return
		}
		name = strings.ToLower(name)
		if isUpdateType(name) {
			set[name] = true
		}
	}
	if len(set) == 0 {
		s.allowed = nil
		return
	}
	s.allowed = set
}

func (s *Server) allowedListLocked() []string {
	if s.allowed == nil {
		return nil
	}
	var out []string
	for _, t := range updateTypes {
		if s.allowed[t] {
			out = append(out, t)
		}
	}
	return out
}

// enqueueLocked creates an update of the given kind. It returns its
// update_id, or 0 when the bot's allowed_updates exclude the kind (Telegram
// then never creates the update). s.mu must be held.
func (s *Server) enqueueLocked(kind string, body any, key int64) int64 {
	if !s.allowedLocked(kind) {
		return 0
	}
	payload, err := json.Marshal(body)
	if err != nil {
		panic("telegramtest: update payload: " + err.Error())
	}
	id := s.nextID
	s.nextID++
	kindJSON, _ := json.Marshal(kind)
	data := make([]byte, 0, len(payload)+len(kind)+32)
	data = append(data, `{"update_id":`...)
	data = strconv.AppendInt(data, id, 10)
	data = append(data, ',')
	data = append(data, kindJSON...)
	data = append(data, ':')
	data = append(data, payload...)
	data = append(data, '}')
	if key == 0 {
		key = -id<<1 - 1 // a queue of its own
	}
	s.queue = append(s.queue, &queuedUpdate{id: id, kind: kind, data: data, key: key})
	s.signalLocked()
	return id
}

// forgetBeforeLocked confirms (drops) every update with id < offset.
func (s *Server) forgetBeforeLocked(offset int64) {
	i := 0
	for i < len(s.queue) && s.queue[i].id < offset {
		i++
	}
	if i > 0 {
		s.queue = append([]*queuedUpdate(nil), s.queue[i:]...)
		s.signalLocked()
	}
}

// collectLocked returns up to limit queued updates with id >= from.
func (s *Server) collectLocked(from int64, limit int) []json.RawMessage {
	out := []json.RawMessage{}
	for _, u := range s.queue {
		if u.id < from {
			continue
		}
		if len(out) == limit {
			break
		}
		out = append(out, u.data)
	}
	return out
}

// longPoll is a getUpdates request waiting for updates.
type longPoll struct {
	abort chan string
}

const longPollMaxTimeout = 50

const (
	conflictOtherGetUpdates = "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running"
	conflictWebhookActive   = "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first"
	conflictSetWebhook      = "Conflict: terminated by setWebhook request"
)

func clamp(v, lo, hi int64) int64 {
	return max(lo, min(v, hi))
}

func (s *Server) getUpdates(ctx context.Context, p *params) (okResult, *apiError) {
	s.mu.Lock()
	if s.hook != nil {
		s.mu.Unlock()
		return okResult{}, conflict(conflictWebhookActive)
	}
	offset := clamp(p.int("offset", 0), -1<<31, 1<<31-1)
	limit := int(clamp(p.int("limit", 100), 1, 100))
	timeout := clamp(p.int("timeout", 0), 0, longPollMaxTimeout)
	s.setAllowedLocked(p.get("allowed_updates"))

	if offset < 0 {
		if keep := int(-offset); keep < len(s.queue) {
			s.queue = append([]*queuedUpdate(nil), s.queue[len(s.queue)-keep:]...)
			s.signalLocked()
		}
		offset = 0
	}
	// An offset too far in the future is ignored (tdlib's TQueue: "from_id
	// is in the future"): the bot gets the queue from its head.
	if offset > s.nextID+10 {
		offset = 0
	}
	if offset > 0 {
		s.forgetBeforeLocked(offset)
	}
	ups := s.collectLocked(offset, limit)
	if len(ups) > 0 || timeout == 0 {
		s.mu.Unlock()
		return okResult{result: ups}, nil
	}

	s.abortPollLocked(conflictOtherGetUpdates)
	lp := &longPoll{abort: make(chan string, 1)}
	s.poll = lp
	timer := time.NewTimer(time.Duration(timeout) * time.Second)
	defer timer.Stop()
	finish := func() {
		if s.poll == lp {
			s.poll = nil
		}
	}
	for {
		ch := s.changed
		s.mu.Unlock()
		select {
		case msg := <-lp.abort:
			return okResult{}, conflict(msg)
		case <-ctx.Done():
			s.mu.Lock()
			finish()
			s.mu.Unlock()
			return okResult{}, &apiError{}
		case <-s.done:
			s.mu.Lock()
			finish()
			s.mu.Unlock()
			return okResult{result: []json.RawMessage{}}, nil
		case <-timer.C:
			s.mu.Lock()
			finish()
			ups := s.collectLocked(offset, limit)
			s.mu.Unlock()
			return okResult{result: ups}, nil
		case <-ch:
		}
		s.mu.Lock()
		select {
		case msg := <-lp.abort:
			s.mu.Unlock()
			return okResult{}, conflict(msg)
		default:
		}
		if ups := s.collectLocked(offset, limit); len(ups) > 0 {
			finish()
			s.mu.Unlock()
			return okResult{result: ups}, nil
		}
	}
}

// abortPollLocked ends a waiting getUpdates request with a 409 Conflict.
func (s *Server) abortPollLocked(msg string) {
	if s.poll != nil {
		s.poll.abort <- msg // buffered; a poll is aborted at most once
		s.poll = nil
	}
}

// Pending reports how many updates are queued and not yet confirmed by the
// bot (through a getUpdates offset or a 2xx webhook answer).
func (s *Server) Pending() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.queue)
}
