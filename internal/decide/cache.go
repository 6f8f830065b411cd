package decide

import (
	"strings"
	"sync"

	"github.com/integrationsagentur-marl/integrabot/internal/conversation"
)

// cache remembers the state of the chats this process saw last, so that
// with Redis away a resident who chose Turkish is still answered in Turkish.
// It holds at most size states and forgets the oldest first.
type cache struct {
	mu    sync.Mutex
	size  int
	items map[[2]int64]conversation.State
	order [][2]int64 // insertion order, for forgetting
}

func newCache(size int) *cache {
	return &cache{size: size, items: make(map[[2]int64]conversation.State, size)}
}

func (c *cache) put(chat, user int64, st conversation.State, forget bool) {
	key := [2]int64{chat, user}
	c.mu.Lock()
	defer c.mu.Unlock()
	if forget {
		delete(c.items, key)
		return
	}
	if _, ok := c.items[key]; !ok {
		c.order = append(c.order, key)
		for len(c.order) > c.size {
			delete(c.items, c.order[0])
			c.order = c.order[1:]
		}
	}
	c.items[key] = st
}

func (c *cache) get(chat, user int64) (conversation.State, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	st, ok := c.items[[2]int64{chat, user}]
	return st, ok
}

var escaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

func esc(s string) string { return escaper.Replace(s) }
