package app

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"testing"
)

type fakeCounter struct {
	n   int64
	err error
}

func (f *fakeCounter) ContentReloads(context.Context) (int64, error) { return f.n, f.err }
func (f *fakeCounter) CountContentReload(context.Context) (int64, error) {
	if f.err != nil {
		return 0, f.err
	}
	f.n++
	return f.n, nil
}

// A replica loads its folder again when another replica reloaded, once per
// reload; not for reloads made before it started, not for its own, and
// not when Redis does not answer.
func TestContentWatch(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name  string
		steps func(w *contentWatch, c *fakeCounter)
		want  int
	}{
		{"reloads before the start are not followed", func(w *contentWatch, c *fakeCounter) { c.n = 4; w.check(ctx); w.check(ctx) }, 0},
		{"another replica's reload is followed once", func(w *contentWatch, c *fakeCounter) { w.check(ctx); c.n++; w.check(ctx); w.check(ctx) }, 1},
		{"two reloads between two looks: one load", func(w *contentWatch, c *fakeCounter) { w.check(ctx); c.n += 2; w.check(ctx) }, 1},
		{"its own reload is not done again", func(w *contentWatch, c *fakeCounter) { w.check(ctx); w.reloaded(ctx); w.check(ctx) }, 0},
		{"its own reload before the first look", func(w *contentWatch, c *fakeCounter) { w.reloaded(ctx); w.check(ctx) }, 0},
		{"Redis away: nothing loaded, then the reload is followed", func(w *contentWatch, c *fakeCounter) {
			w.check(ctx)
			c.err = errors.New("redis away")
			w.check(ctx)
			c.err = nil
			c.n++
			w.check(ctx)
		}, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, loads := &fakeCounter{}, 0
			w := newContentWatch(c, func() { loads++ }, 0, slog.New(slog.NewTextHandler(io.Discard, nil)))
			tc.steps(w, c)
			if loads != tc.want {
				t.Errorf("loaded %d times, want %d", loads, tc.want)
			}
		})
	}
}
