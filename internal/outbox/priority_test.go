package outbox

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"golang.org/x/time/rate"

	"github.com/integrationsagentur-marl/integrabot/internal/telegram"
)

var hi = []telegram.Message{{Text: "hi"}}

// A reply that comes while a broadcast is flowing goes out within about one
// global interval, not behind the broadcast's backlog.
func TestReplyGoesAheadOfBulk(t *testing.T) {
	api := &scriptedAPI{}
	o := New(api, "tok", noChatLimit, quiet, nil)
	o.global = rate.NewLimiter(50, 1) // one message every 20 ms

	const bulkChats = 40
	var wg sync.WaitGroup
	for chat := int64(1); chat <= bulkChats; chat++ {
		wg.Go(func() {
			if err := o.SendBulk(context.Background(), chat, hi); err != nil {
				t.Errorf("bulk to %d: %v", chat, err)
			}
		})
	}
	// Let the broadcast get going (about 100 ms); then the resident writes.
	waitFor(t, func() bool { return len(api.sent()) >= 5 })
	before := len(api.sent())
	const resident = 1000
	if err := o.Send(context.Background(), resident, hi); err != nil {
		t.Fatal(err)
	}
	sent := api.sent()
	ahead := slices.Index(sent, resident) - before
	// Without the priority nearly all the remaining bulk (about 35) would
	// go first; with it one or two do. The slack is for slow machines.
	if ahead > 10 {
		t.Errorf("%d bulk messages went out between the reply being started and sent; want a few at most (order %v)", ahead, sent)
	}
	wg.Wait()
	if n := len(api.sent()); n != bulkChats+1 {
		t.Errorf("%d messages sent, want %d", n, bulkChats+1)
	}
	if d := o.depth.Load(); d != 0 {
		t.Errorf("depth %d after all was sent, want 0", d)
	}
}

// A bulk message whose ctx ends while it waits gives up at once, wherever it
// waits, and leaves nothing stuck behind it.
func TestBulkGivesUpWhenCtxEnds(t *testing.T) {
	tests := []struct {
		name  string
		ahead func(o *Outbox, ctx context.Context, chatID int64, msgs []telegram.Message) error // holds the global token; nil: nothing
	}{
		{"waiting for the global token", nil},
		{"waiting for a reply to go", (*Outbox).Send},
		{"waiting behind other bulk", (*Outbox).SendBulk},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			api := &scriptedAPI{}
			o := New(api, "tok", noChatLimit, quiet, nil)
			tap := make(tokens) // no token until closed
			o.global = tap

			var wg sync.WaitGroup
			waiting := int64(0)
			if tt.ahead != nil {
				waiting++
				wg.Go(func() {
					if err := tt.ahead(o, context.Background(), 1, hi); err != nil {
						t.Errorf("message ahead: %v", err)
					}
				})
				waitFor(t, func() bool { return o.depth.Load() == waiting })
			}

			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan error, 1)
			go func() { done <- o.SendBulk(ctx, 2, hi) }()
			waitFor(t, func() bool { return o.depth.Load() == waiting+1 })
			time.Sleep(10 * time.Millisecond) // let it settle where it waits
			cancel()
			select {
			case err := <-done:
				if !errors.Is(err, context.Canceled) {
					t.Errorf("err = %v, want context.Canceled", err)
				}
			case <-time.After(5 * time.Second):
				t.Fatal("bulk did not give up when its ctx ended")
			}

			close(tap) // tokens for everyone from now on
			wg.Wait()
			if err := o.Send(context.Background(), 3, hi); err != nil {
				t.Errorf("reply afterwards: %v", err)
			}
			if err := o.SendBulk(context.Background(), 4, hi); err != nil {
				t.Errorf("bulk afterwards: %v", err)
			}
			want := []int64{1, 3, 4}
			if tt.ahead == nil {
				want = want[1:]
			}
			if got := api.sent(); !slices.Equal(got, want) {
				t.Errorf("sent to %v, want %v", got, want)
			}
			if d := o.depth.Load(); d != 0 {
				t.Errorf("depth %d after all was sent, want 0", d)
			}
		})
	}
}

// Replies now and then hold bulk back only for a moment: every bulk message
// goes out, each once.
func TestBulkIsNotStarvedByReplies(t *testing.T) {
	api := &scriptedAPI{}
	o := New(api, "tok", noChatLimit, quiet, nil)
	o.global = rate.NewLimiter(500, 1)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	const bulkChats = 200
	var bulk sync.WaitGroup
	for chat := int64(1); chat <= bulkChats; chat++ {
		bulk.Go(func() {
			if err := o.SendBulk(ctx, chat, hi); err != nil {
				t.Errorf("bulk to %d: %v", chat, err)
			}
		})
	}
	stop := make(chan struct{})
	var replies sync.WaitGroup
	replied := 0
	replies.Go(func() {
		for chat := int64(10_000); ; chat++ {
			select {
			case <-stop:
				return
			case <-time.After(5 * time.Millisecond):
			}
			if err := o.Send(ctx, chat, hi); err != nil {
				t.Errorf("reply to %d: %v", chat, err)
			}
			replied++
		}
	})
	bulk.Wait()
	close(stop)
	replies.Wait()

	count := map[int64]int{}
	for _, chat := range api.sent() {
		count[chat]++
	}
	for chat := int64(1); chat <= bulkChats; chat++ {
		if count[chat] != 1 {
			t.Errorf("chat %d got %d messages, want 1", chat, count[chat])
		}
	}
	if replied == 0 {
		t.Error("no reply was sent while the bulk went out; the test proves nothing")
	}
	if n := len(api.sent()); n != bulkChats+replied {
		t.Errorf("%d messages sent, want %d", n, bulkChats+replied)
	}
}

// tokens is a global limit the test opens: Wait blocks until it is closed.
type tokens chan struct{}

func (t tokens) Wait(ctx context.Context) error {
	select {
	case <-t:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// waitFor polls cond until it holds, or fails the test after a while.
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("timed out waiting")
		}
		time.Sleep(time.Millisecond)
	}
}
