package cli

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/integrationsagentur-marl/integrabot/internal/app"
	"github.com/integrationsagentur-marl/integrabot/internal/config"
	"github.com/integrationsagentur-marl/integrabot/internal/conversation"
	"github.com/integrationsagentur-marl/integrabot/internal/logging"
	"github.com/integrationsagentur-marl/integrabot/internal/store"
	"github.com/integrationsagentur-marl/integrabot/internal/terminal"
)

// chat runs the bot in the terminal on the embedded store.
func chat(ctx context.Context, args []string, env func(string) string, stdin io.Reader, stdout, stderr io.Writer) int {
	fl := flag.NewFlagSet("chat", flag.ContinueOnError)
	fl.SetOutput(stderr)
	lang := fl.String("lang", langFromLocale(env("LANG")), "language code, as a Telegram app would send it (empty: ask)")
	example := fl.Bool("example", false, "add the sample encounters")
	dir := fl.String("content", env("CONTENT_DIR"), "content folder (default: the embedded one)")
	if err := fl.Parse(args); err != nil {
		return 2
	}
	k, err := app.LoadKnowledge(*dir, *example)
	if err != nil {
		for _, p := range app.ProblemsOf(err) {
			fmt.Fprintln(stderr, p)
		}
		return 1
	}
	emb, rdb, err := store.NewEmbedded()
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	defer emb.Close()
	defer rdb.Close()
	log := logging.NewLevel(stderr, true, slog.LevelWarn)
	runner := conversation.NewRunner(k.Core().WithSurface(conversation.SurfaceTerminal), k.Catalog, store.New(rdb, "", config.DefaultTiming), log)
	if err := terminal.New(runner, stdin, stdout, *lang, time.Now).Run(ctx); err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	return 0
}

// langFromLocale turns a POSIX locale (de_DE.UTF-8) into a language code (de-DE).
func langFromLocale(l string) string {
	l, _, _ = strings.Cut(l, ".")
	if l == "C" || l == "POSIX" {
		return ""
	}
	return strings.ReplaceAll(l, "_", "-")
}
