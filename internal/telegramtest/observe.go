package telegramtest

import (
	"context"
	"fmt"
	"math"
	"strings"
	"time"
)

// Sent returns every accepted message-like call of the bot, in order.
func (s *Server) Sent() []Sent {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Sent(nil), s.sent...)
}

// SentCount is len(Sent()) without copying the messages.
func (s *Server) SentCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.sent)
}

// SentTo returns the accepted message-like calls addressed to chatID.
func (s *Server) SentTo(chatID int64) []Sent {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Sent
	for _, m := range s.sent {
		if m.ChatID == chatID {
			out = append(out, m)
		}
	}
	return out
}

// WaitSent waits until at least n message-like calls were accepted and
// returns all of them, or returns what there is with ctx's error.
func (s *Server) WaitSent(ctx context.Context, n int) ([]Sent, error) {
	for {
		s.mu.Lock()
		if len(s.sent) >= n {
			out := append([]Sent(nil), s.sent...)
			s.mu.Unlock()
			return out, nil
		}
		ch := s.changed
		out := append([]Sent(nil), s.sent...)
		s.mu.Unlock()
		select {
		case <-ctx.Done():
			return out, fmt.Errorf("telegramtest: %d of %d messages sent: %w", len(out), n, ctx.Err())
		case <-s.done:
			return out, fmt.Errorf("telegramtest: server closed with %d of %d messages sent", len(out), n)
		case <-ch:
		}
	}
}

// Calls returns how many requests of method (case-insensitive) reached the
// server, accepted or not.
func (s *Server) Calls(method string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[strings.ToLower(method)]
}

// Rejected returns every call the server answered with an error, in order.
func (s *Server) Rejected() []Rejection {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Rejection(nil), s.rejected...)
}

// Commands returns what setMyCommands stored for the default scope and
// languageCode ("" for all languages).
func (s *Server) Commands(languageCode string) []BotCommand {
	return s.CommandsInScope("default", languageCode)
}

// CommandsInScope returns what setMyCommands stored for a scope, given as
// its type ("all_private_chats", ...) or, for chat scopes, as type and chat
// id such as "chat:-100123" or "chat_member:-100123:42".
func (s *Server) CommandsInScope(scope, languageCode string) []BotCommand {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]BotCommand(nil), s.commands[scope+"|"+languageCode]...)
}

// BotName returns what setMyName, setMyDescription and setMyShortDescription
// stored for languageCode.
func (s *Server) BotName(languageCode string) (name, description, shortDescription string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.names[languageCode], s.descriptions[languageCode], s.shortDescriptions[languageCode]
}

// AnswerTo returns the bot's answerCallbackQuery for the callback query
// queued as updateID, and whether it was answered.
func (s *Server) AnswerTo(updateID int64) (CallbackAnswer, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	cb := s.callbacks[s.callbackByUpdate[updateID]]
	if cb == nil || !cb.answered {
		return CallbackAnswer{}, false
	}
	return cb.answer, true
}

// FailNext makes the next n calls of method (case-insensitive) fail with
// HTTP status code and description, before any other processing. An empty
// description takes Telegram's usual wording for the code ("Bad Gateway",
// "Internal Server Error", "Too Many Requests: retry after N", ...).
// retryAfter > 0 adds parameters.retry_after (for 429 it defaults to 1).
func (s *Server) FailNext(method string, n int, code int, description string, retryAfter int) {
	if code == 429 && retryAfter < 1 {
		retryAfter = 1
	}
	if description == "" {
		switch code {
		case 400:
			description = "Bad Request"
		case 401:
			description = "Unauthorized"
		case 403:
			description = "Forbidden"
		case 404:
			description = "Not Found"
		case 409:
			description = "Conflict"
		case 429:
			description = fmt.Sprintf("Too Many Requests: retry after %d", retryAfter)
		case 500:
			description = "Internal Server Error"
		case 502:
			description = "Bad Gateway"
		case 503:
			description = "Service Unavailable"
		case 504:
			description = "Gateway Timeout"
		default:
			description = "Error"
		}
	}
	key := strings.ToLower(method)
	s.mu.Lock()
	defer s.mu.Unlock()
	for range n {
		s.failures[key] = append(s.failures[key], &apiError{code: code, desc: description, retryAfter: retryAfter})
	}
}

func (s *Server) takeFailure(method string) (*apiError, bool) {
	key := strings.ToLower(method)
	s.mu.Lock()
	defer s.mu.Unlock()
	q := s.failures[key]
	if len(q) == 0 {
		return nil, false
	}
	s.failures[key] = q[1:]
	if q[0].code == 0 { // a call FailAfter lets pass
		return nil, false
	}
	return q[0], true
}

// FailAfter lets the next pass calls of method succeed, then fails n, as
// FailNext does: for a failure in the middle of a reply in several parts.
func (s *Server) FailAfter(method string, pass, n int, code int, description string, retryAfter int) {
	key := strings.ToLower(method)
	s.mu.Lock()
	for range pass {
		s.failures[key] = append(s.failures[key], &apiError{})
	}
	s.mu.Unlock()
	s.FailNext(method, n, code, description, retryAfter)
}

// Block makes the chat refuse the bot from now on: sends, edits and chat
// actions get 403 "Forbidden: bot was blocked by the user" (for a group:
// "Forbidden: bot was kicked from the group chat").
func (s *Server) Block(chatID int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.blocked[chatID] = true
}

// Unblock undoes Block.
func (s *Server) Unblock(chatID int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.blocked, chatID)
}

// rateState holds the send times that the flood limits look at.
type rateState struct {
	global []time.Time
	paid   []time.Time
	chats  map[int64][]time.Time
}

// paidBroadcastPerSec is Telegram's global limit for paid broadcasts
// (allow_paid_broadcast), beside the normal global limit.
const paidBroadcastPerSec = 1000

// rateCheckLocked applies WithRateLimits to a send to c and counts the
// send when it passes. A paid broadcast counts against its own global limit
// of paidBroadcastPerSec (when the global limit is on) instead of the normal
// one; per-chat and group limits apply to it all the same.
func (s *Server) rateCheckLocked(c *chat, paid bool) *apiError {
	cfg := s.cfg
	if cfg.globalPerSec <= 0 && cfg.perChatPerSec <= 0 && cfg.groupPerMin <= 0 {
		return nil
	}
	t := time.Now()
	if s.rate.chats == nil {
		s.rate.chats = map[int64][]time.Time{}
	}
	global, perSec := &s.rate.global, cfg.globalPerSec
	if paid {
		global, perSec = &s.rate.paid, paidBroadcastPerSec
	}
	wait := time.Duration(0)
	if cfg.globalPerSec > 0 {
		*global = since(*global, t.Add(-time.Second))
		if limit := int(math.Max(1, math.Floor(perSec))); len(*global) >= limit {
			wait = max(wait, (*global)[len(*global)-limit].Add(time.Second).Sub(t))
		}
	}
	hist := since(s.rate.chats[c.id], t.Add(-time.Minute))
	s.rate.chats[c.id] = hist
	if c.typ == "private" || c.typ == "" {
		if cfg.perChatPerSec > 0 && len(hist) > 0 {
			gap := time.Duration(float64(time.Second) / cfg.perChatPerSec)
			if last := hist[len(hist)-1]; t.Sub(last) < gap {
				wait = max(wait, last.Add(gap).Sub(t))
			}
		}
	} else if cfg.groupPerMin > 0 && len(hist) >= cfg.groupPerMin {
		wait = max(wait, hist[len(hist)-cfg.groupPerMin].Add(time.Minute).Sub(t))
	}
	if wait > 0 {
		return tooMany(int(math.Ceil(wait.Seconds())))
	}
	if cfg.globalPerSec > 0 {
		*global = append(*global, t)
	}
	s.rate.chats[c.id] = append(hist, t)
	return nil
}

func since(ts []time.Time, from time.Time) []time.Time {
	i := 0
	for i < len(ts) && ts[i].Before(from) {
		i++
	}
	return ts[i:]
}
