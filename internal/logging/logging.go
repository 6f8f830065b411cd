// Package logging builds the logger an operator reads: JSON lines for a log
// collector, text for a person at a terminal, durations written as "1.5s",
// and go-redis's own lines brought into the same log.
package logging

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
)

// New returns a logger writing to w: text when terminal is set (a person
// reads it), JSON lines otherwise.
func New(w io.Writer, terminal bool) *slog.Logger {
	return NewLevel(w, terminal, slog.LevelInfo)
}

// NewLevel is New with the lowest level that is written.
func NewLevel(w io.Writer, terminal bool, level slog.Leveler) *slog.Logger {
	opts := &slog.HandlerOptions{Level: level, ReplaceAttr: durationAsText}
	if terminal {
		return slog.New(slog.NewTextHandler(w, opts))
	}
	return slog.New(slog.NewJSONHandler(w, opts))
}

// durationAsText writes a time.Duration as "1.5s" or "250ms"; slog's JSON
// handler would write nanoseconds.
func durationAsText(_ []string, a slog.Attr) slog.Attr {
	if a.Value.Kind() == slog.KindDuration {
		a.Value = slog.StringValue(a.Value.Duration().String())
	}
	return a
}

// RedisLogger has the shape of go-redis's logger (redis.SetLogger): each of
// go-redis's lines becomes a warning in log, marked logger=go-redis, instead
// of plain text on stderr in the middle of the JSON log.
type RedisLogger struct{ log *slog.Logger }

// Redis returns the go-redis logger that writes into log.
func Redis(log *slog.Logger) RedisLogger { return RedisLogger{log: log} }

// Printf logs one of go-redis's lines.
func (r RedisLogger) Printf(ctx context.Context, format string, v ...any) {
	r.log.WarnContext(ctx, strings.TrimSpace(fmt.Sprintf(format, v...)), "logger", "go-redis")
}
