package outbox

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/go-telegram/bot"

	"github.com/integrationsagentur-marl/integrabot/internal/telegram"
)

// scriptedAPI answers each call with the next scripted error (nil: success)
// and records the chats it was called for, in order.
type scriptedAPI struct {
	mu      sync.Mutex
	answers []error
	calls   int
	chats   []int64
}

func (s *scriptedAPI) next(chatID any) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls++
	if id, ok := chatID.(int64); ok {
		s.chats = append(s.chats, id)
	}
	if len(s.answers) == 0 {
		return nil
	}
	err := s.answers[0]
	s.answers = s.answers[1:]
	return err
}

// sent returns the chats called so far, in order.
func (s *scriptedAPI) sent() []int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]int64(nil), s.chats...)
}

func (s *scriptedAPI) SendMessage(_ context.Context, p *bot.SendMessageParams) error {
	return s.next(p.ChatID)
}
func (s *scriptedAPI) SendContact(_ context.Context, p *bot.SendContactParams) error {
	return s.next(p.ChatID)
}
func (s *scriptedAPI) AnswerCallbackQuery(context.Context, *bot.AnswerCallbackQueryParams) error {
	return s.next(nil)
}

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// noChatLimit lifts the per-chat limits, so that only the global one counts.
var noChatLimit = Limits{Global: 1000, PerChat: time.Nanosecond, Burst: 10}

// lanes are the two ways to send, for tests that hold for both.
var lanes = []struct {
	name string
	send func(o *Outbox, ctx context.Context, chatID int64, msgs []telegram.Message) error
}{
	{"reply", (*Outbox).Send},
	{"bulk", (*Outbox).SendBulk},
}

func TestSendRetriesWhatAFewSecondsMend(t *testing.T) {
	badRequest := func(d string) error { return fmt.Errorf("%w, %s", bot.ErrorBadRequest, d) }
	tests := []struct {
		name      string
		answers   []error
		wantErr   error // nil, ErrGone or a generic failure (errAny)
		wantCalls int
		wantSleep time.Duration
	}{
		{"ok", nil, nil, 1, 0},
		{"429 waits retry_after", []error{&bot.TooManyRequestsError{Message: "429", RetryAfter: 3}}, nil, 2, 2900 * time.Millisecond}, // the pause is measured from the 429, a moment before the wait
		{"5xx backs off", []error{errors.New("error response from telegram for method sendMessage, 502 Bad Gateway"), errors.New("net: connection reset")}, nil, 3, 1500 * time.Millisecond},
		{"blocked", []error{fmt.Errorf("%w, Forbidden: bot was blocked by the user", bot.ErrorForbidden)}, ErrGone, 1, 0},
		{"chat not found", []error{badRequest("Bad Request: chat not found")}, ErrGone, 1, 0},
		{"other 400 is not retried", []error{badRequest("Bad Request: message is too long")}, errAny, 1, 0},
		{"gives up after maxTries", []error{errors.New("500"), errors.New("500"), errors.New("500"), errors.New("500"), errors.New("500"), errors.New("500")}, errAny, maxTries, 0},
	}
	for _, lane := range lanes { // bulk fails and retries as replies do
		for _, tt := range tests {
			t.Run(lane.name+"/"+tt.name, func(t *testing.T) {
				api := &scriptedAPI{answers: append([]error(nil), tt.answers...)}
				o := New(api, "tok", Limits{Global: 1000, PerChat: time.Millisecond, Burst: 10}, quiet, nil)
				var slept time.Duration
				o.sleep = func(_ context.Context, d time.Duration) error { slept += d; return nil }
				err := lane.send(o, context.Background(), 1, []telegram.Message{{Text: "hi"}})
				switch {
				case tt.wantErr == nil && err != nil, tt.wantErr == ErrGone && !errors.Is(err, ErrGone), tt.wantErr == errAny && (err == nil || errors.Is(err, ErrGone)):
					t.Fatalf("err = %v, want %v", err, tt.wantErr)
				}
				if api.calls != tt.wantCalls {
					t.Errorf("%d calls, want %d", api.calls, tt.wantCalls)
				}
				if tt.wantSleep > 0 && slept < tt.wantSleep {
					t.Errorf("waited %v, want at least %v", slept, tt.wantSleep)
				}
			})
		}
	}
}

var errAny = errors.New("any failure")

// A 429 for one chat pauses everyone, replies and bulk alike, as Telegram's
// retry_after asks.
func TestTooManyRequestsPausesEveryone(t *testing.T) {
	for _, first := range lanes {
		for _, then := range lanes {
			t.Run(first.name+" then "+then.name, func(t *testing.T) {
				api := &scriptedAPI{answers: []error{&bot.TooManyRequestsError{Message: "429", RetryAfter: 2}}}
				o := New(api, "tok", Limits{Global: 1000, PerChat: time.Millisecond, Burst: 10}, quiet, nil)
				var mu sync.Mutex
				var slept []time.Duration
				o.sleep = func(_ context.Context, d time.Duration) error {
					mu.Lock()
					slept = append(slept, d)
					mu.Unlock()
					return nil
				}
				if err := first.send(o, context.Background(), 1, []telegram.Message{{Text: "a"}}); err != nil {
					t.Fatal(err)
				}
				n := len(slept)
				if err := then.send(o, context.Background(), 2, []telegram.Message{{Text: "b"}}); err != nil {
					t.Fatal(err)
				}
				if len(slept) == n || slept[len(slept)-1] <= 0 {
					t.Errorf("the other chat did not wait for the pause: %v", slept)
				}
			})
		}
	}
}

func TestGroupsGetTheirOwnPace(t *testing.T) {
	o := New(&scriptedAPI{}, "tok", DefaultLimits, quiet, nil)
	_ = o.wait(context.Background(), -100, reply)
	_ = o.wait(context.Background(), 100, reply)
	if g, p := o.chats[-100].Limit(), o.chats[100].Limit(); !(g < p) || g > 1.0/3+0.001 {
		t.Errorf("group pace %v/s, private %v/s; want at most 20 per minute for groups", g, p)
	}
}
