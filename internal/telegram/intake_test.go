package telegram

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/go-telegram/bot/models"

	"github.com/integrationsagentur-marl/integrabot/internal/decide"
)

// failing is a decider for which one update never commits.
type failing struct {
	bad      int64
	mu       sync.Mutex
	handled  []int64
	answered []int64
}

func (f *failing) Handle(_ context.Context, u decide.Update, _ bool) (decide.Result, error) {
	if u.ID == f.bad {
		return 0, errors.New("redis: commit failed")
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.handled = append(f.handled, u.ID)
	return decide.Committed, nil
}

func (f *failing) Answer(_ context.Context, u decide.Update) (decide.Result, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.answered = append(f.answered, u.ID)
	return decide.Direct, nil
}

func message(id, chat int64) models.Update {
	return models.Update{ID: id, Message: &models.Message{ID: int(id), Chat: models.Chat{ID: chat, Type: models.ChatTypePrivate}, From: &models.User{ID: chat}, Text: "Hilfe"}}
}

// An update that keeps failing in a way a retry might mend is tried a few
// times, then answered without Redis: it holds up neither the other chats
// nor, for good, the getUpdates offset.
func TestAnUpdateThatKeepsFailingStallsNothing(t *testing.T) {
	dec := &failing{bad: 11}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	p := NewPolling(nil, NewUpdates(dec, nil, nil, nil, log, nil, time.Now), 2, time.Second, log, nil, func() {})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	in := newIntake(ctx, p)
	in.add([]models.Update{message(10, 1), message(11, 2), message(12, 2), message(13, 3)})
	deadline := time.Now().Add(10 * time.Second)
	for in.position().offset != 14 {
		if time.Now().After(deadline) {
			t.Fatalf("the offset stands at %d, want 14: the failing update holds it", in.position().offset)
		}
		time.Sleep(10 * time.Millisecond)
	}
	dec.mu.Lock()
	defer dec.mu.Unlock()
	if len(dec.answered) != 1 || dec.answered[0] != 11 {
		t.Errorf("answered without Redis: %v, want the failing update 11", dec.answered)
	}
	if len(dec.handled) != 3 {
		t.Errorf("committed %v, want 10, 12 and 13", dec.handled)
	}
	in.close(time.Second)
}
