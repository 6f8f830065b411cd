package store

import (
	"fmt"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"
)

// Embedded is an in-process Redis (miniredis) for trying the bot without a
// Redis server. It keeps nothing across restarts. miniredis does not expire
// keys by itself; Embedded moves its clock forward every second so that TTLs
// are honoured.
type Embedded struct {
	m    *miniredis.Miniredis
	stop chan struct{}
	done chan struct{}
}

// NewEmbedded starts an in-process Redis and returns a client for it.
func NewEmbedded() (*Embedded, redis.UniversalClient, error) {
	m := miniredis.NewMiniRedis()
	// On a free port of 127.0.0.1, which nothing outside this machine
	// reaches. Its in-memory pipes (miniredis' Dial) are unbuffered: a
	// pipeline longer than a read buffer would stall both ends.
	if err := m.StartAddr("127.0.0.1:0"); err != nil {
		return nil, nil, fmt.Errorf("start embedded redis: %w", err)
	}
	// with a password only this process knows: another process on the
	// machine must not read residents' state or mark their updates done
	password := newToken()
	m.RequireAuth(password)
	e := &Embedded{m: m, stop: make(chan struct{}), done: make(chan struct{})}
	go e.tick(time.Second)
	return e, redis.NewClient(&redis.Options{Addr: m.Addr(), Password: password}), nil
}

func (e *Embedded) tick(every time.Duration) {
	defer close(e.done)
	t := time.NewTicker(every)
	defer t.Stop()
	last := time.Now()
	for {
		select {
		case <-e.stop:
			return
		case now := <-t.C:
			e.m.FastForward(now.Sub(last))
			last = now
		}
	}
}

// Close stops the in-process Redis.
func (e *Embedded) Close() {
	close(e.stop)
	<-e.done
	e.m.Close()
}
