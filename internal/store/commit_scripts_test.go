package store

import (
	"context"
	"testing"
	"time"

	"github.com/integrationsagentur-marl/integrabot/internal/conversation"
)

// A new release may find Redis knowing its commit script (unchanged) but not
// a newer script sent in the same round trip. The round trip is then sent
// again, and the commit, done the first time, must not count as lost: the
// scripts are loaded when the store starts.
func TestCommitAfterAReleaseWithNewScripts(t *testing.T) {
	embedded, rdb, err := NewEmbedded()
	if err != nil {
		t.Fatal(err)
	}
	defer embedded.Close()
	ctx := context.Background()
	s := newStore(t, rdb)
	c, err := s.Claim(ctx, UpdateRef{ID: 1, Chat: 7, User: 7}, false)
	if err != nil {
		t.Fatal(err)
	}
	rdb.ScriptFlush(ctx)
	commitScript.Load(ctx, rdb) // what the release before knew
	if err := s.LoadScripts(ctx); err != nil {
		t.Fatal(err)
	}
	msg := Outgoing{ID: "1.0", Chat: 7, Lane: conversation.LaneReply, Payload: []byte(`sendMessage {"text":"x"}`)}
	if err := s.Commit(ctx, Commit{Claimed: c, Messages: []Outgoing{msg}}, time.Now()); err != nil {
		t.Fatalf("the commit counts as lost: %v", err)
	}
}
