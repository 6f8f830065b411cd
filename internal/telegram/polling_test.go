package telegram

import (
	"context"
	"io"
	"log/slog"
	"sync/atomic"
	"testing"
	"time"

	"github.com/integrationsagentur-marl/integrabot/internal/decide"
	"github.com/integrationsagentur-marl/integrabot/internal/telegramtest"
)

// slowCommit is a decider whose every commit takes a few milliseconds, as
// Redis round trips do under load.
type slowCommit struct{ handled atomic.Int64 }

func (s *slowCommit) Handle(context.Context, decide.Update, bool) (decide.Result, error) {
	time.Sleep(3 * time.Millisecond)
	s.handled.Add(1)
	return decide.Committed, nil
}

func (s *slowCommit) Answer(context.Context, decide.Update) (decide.Result, error) {
	return decide.Direct, nil
}

// While updates are being committed, getUpdates returns them again (the
// offset cannot pass them yet). Fetching again at once, over and over,
// costs the bot and Telegram a call and the whole batch each time: the
// poller waits a moment for them instead, so that a steady stream of
// updates costs far fewer calls than updates.
func TestUpdatesBeingAnsweredAreNotFetchedOverAndOver(t *testing.T) {
	srv := telegramtest.New("123456:TEST")
	defer srv.Close()
	dec := &slowCommit{}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	p := NewPolling(NewPoller(srv.URL, srv.Token, time.Second), NewUpdates(dec, nil, nil, nil, log, nil, time.Now), 8, time.Second, log, nil, func() {})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- p.Run(ctx) }()
	defer func() { cancel(); <-done }()

	const updates = 200
	for i := range updates { // about one a millisecond, from 50 residents
		srv.SendText(telegramtest.User{ID: int64(100 + i%50), FirstName: "R"}, "Hilfe")
		time.Sleep(time.Millisecond)
	}
	deadline := time.Now().Add(20 * time.Second)
	for dec.handled.Load() < updates {
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d updates committed", dec.handled.Load(), updates)
		}
		time.Sleep(5 * time.Millisecond)
	}
	calls := srv.Calls("getUpdates")
	t.Logf("%d getUpdates calls for %d updates", calls, updates)
	if calls > updates/2 {
		t.Errorf("%d getUpdates calls for %d updates, want at most %d: updates being committed are fetched again and again", calls, updates, updates/2)
	}
}
