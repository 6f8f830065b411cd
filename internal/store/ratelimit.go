package store

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"
)

// takeScript hands out up to ARGV[1] of the ARGV[2] messages a window allows.
var takeScript = redis.NewScript(`
local want = tonumber(ARGV[1])
local c = redis.call('INCRBY', KEYS[1], want)
if c == want then redis.call('PEXPIRE', KEYS[1], 2000) end
local over = c - tonumber(ARGV[2])
if over <= 0 then return want end
if over >= want then return 0 end
return want - over`)

// SharedRate is a messages-per-second limit that all replicas on one Redis
// share (Telegram counts the bot's messages, not each replica's). Each
// replica takes a few tokens at a time, so that a message rarely costs a
// round trip. When Redis is away, fallback keeps this replica within the limit
// on its own.
type SharedRate struct {
	s        *Store
	perSec   int
	batch    int
	fallback interface{ Wait(context.Context) error }
	// turn lets one message at a time ask for a token, in the order they
	// came (Go hands a channel to blocked senders first come, first
	// served). Without it, all that wait for the next second wake together
	// and race, and a resident's answer can lose again and again.
	turn chan struct{}

	// held only by the message whose turn it is
	window int64 // unix second the local tokens belong to
	tokens int
	away   time.Time // Redis failed: the fallback decides until then
}

// awayFor is how long the fallback decides after Redis failed, so that
// messages do not each wait for Redis to fail again.
const awayFor = time.Second

// NewSharedRate returns a limit of perSec messages a second across replicas.
func (s *Store) NewSharedRate(perSec int, fallback interface{ Wait(context.Context) error }) *SharedRate {
	return &SharedRate{s: s, perSec: perSec, batch: max(1, min(5, perSec/5)), fallback: fallback, turn: make(chan struct{}, 1)}
}

// Wait blocks until one more message may be sent.
func (r *SharedRate) Wait(ctx context.Context) error {
	select {
	case r.turn <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	defer func() { <-r.turn }()
	for {
		now := time.Now()
		sec := now.Unix()
		if r.window == sec && r.tokens > 0 {
			r.tokens--
			return nil
		}
		if now.Before(r.away) && r.fallback != nil {
			return r.fallback.Wait(ctx)
		}
		n, err := takeScript.Run(ctx, r.s.rdb, []string{r.s.prefix + "rate:" + strconv.FormatInt(sec, 10)}, r.batch, r.perSec).Int()
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			if r.fallback == nil {
				return fmt.Errorf("shared rate: %w", err)
			}
			r.away = time.Now().Add(awayFor)
			return r.fallback.Wait(ctx)
		}
		if n > 0 {
			r.window, r.tokens = sec, n-1
			return nil
		}
		next := time.Unix(sec+1, 0)
		t := time.NewTimer(time.Until(next))
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
	}
}
