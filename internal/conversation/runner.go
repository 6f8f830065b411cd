package conversation

import (
	"context"
	"log/slog"

	"github.com/integrationsagentur-marl/integrabot/internal/i18n"
)

// StateStore keeps residents' state between messages.
type StateStore interface {
	LoadState(ctx context.Context, userID int64) (State, error)
	SaveState(ctx context.Context, userID int64, st State) error
	DeleteState(ctx context.Context, userID int64) error
}

// Runner answers events with the core, loading and saving state around it,
// for the terminal chat; on Telegram the decide package does this and
// commits the answer with the state in one step.
// When the store is away the resident is still answered: content questions
// need no state, and a choice that cannot be kept is said so kindly.
type Runner struct {
	core  *Core
	cat   *i18n.Catalog
	store StateStore
	log   *slog.Logger
}

// NewRunner returns a runner around core with the given store.
func NewRunner(core *Core, cat *i18n.Catalog, store StateStore, log *slog.Logger) *Runner {
	return &Runner{core: core, cat: cat, store: store, log: log}
}

// Handle answers one event.
func (r *Runner) Handle(ctx context.Context, ev Event) []Reply {
	st, err := r.store.LoadState(ctx, ev.UserID)
	if err != nil {
		r.log.Warn("state not loaded; answering without it", "err", err)
		st = State{}
	}
	return r.HandleLoaded(ctx, ev, st)
}

// HandleLoaded answers one event for a resident whose state the caller
// already loaded (together with other data, in one round trip).
func (r *Runner) HandleLoaded(ctx context.Context, ev Event, st State) []Reply {
	out := r.core.Handle(ev, st)
	switch {
	case out.Forgets():
		if err := r.store.DeleteState(ctx, ev.UserID); err != nil {
			r.log.Error("state not deleted", "err", err)
			// never claim a deletion that did not happen
			return []Reply{{Text: esc(r.cat.T(out.Lang, "error.generic")), Buttons: out.Messages[len(out.Messages)-1].Buttons}}
		}
	case out.Save:
		if err := r.store.SaveState(ctx, ev.UserID, out.State); err != nil {
			r.log.Warn("state not saved", "err", err)
			if out.State.Lang != st.Lang {
				out.Messages = append(out.Messages, Reply{Text: esc(r.cat.T(out.Lang, "error.not_saved"))})
			}
		}
	}
	return out.Messages
}
