package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/redis/go-redis/v9"

	"github.com/integrationsagentur-marl/integrabot/internal/app"
	"github.com/integrationsagentur-marl/integrabot/internal/config"
	"github.com/integrationsagentur-marl/integrabot/internal/logging"
	"github.com/integrationsagentur-marl/integrabot/internal/telegram"
)

// serve runs the bot on Telegram. Exit codes: 2 for a bad configuration,
// 1 when content or locales are broken or Telegram rejects the token.
func serve(ctx context.Context, args []string, env func(string) string, stdout, stderr io.Writer) int {
	if len(args) > 0 {
		fmt.Fprintf(stderr, "serve takes no arguments; it is configured by environment variables (see README)\n")
		return 2
	}
	cfg, err := config.FromEnv(env)
	if err != nil {
		fmt.Fprintln(stderr, "integrabot: "+err.Error())
		return 2
	}
	log := logging.New(stdout, isTerminal(stdout)) // text when a person reads it, JSON otherwise
	// go-redis writes its own lines through one logger for the whole process
	// (redis.SetLogger is package-global in that library). It is set here, in
	// the command line's wiring and nowhere else, so that those lines join
	// this log as warnings instead of plain text amid the JSON.
	redis.SetLogger(logging.Redis(log))
	k, err := app.LoadKnowledge(cfg.ContentDir, false)
	if err != nil {
		for _, p := range app.ProblemsOf(err) {
			fmt.Fprintln(stderr, p)
		}
		return 1
	}
	load := func() (*app.Knowledge, error) { return app.LoadKnowledge(cfg.ContentDir, false) }
	a, err := app.New(cfg, k, app.Options{Reload: load}, log) // the staff's reload button loads as SIGHUP does
	if err != nil {
		fmt.Fprintln(stderr, "integrabot: "+telegram.Redact(err, cfg.Token).Error())
		return 1
	}
	defer a.Close()
	// SIGHUP reloads the content folder after staff edited it
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer func() { signal.Stop(hup); close(hup) }()
	go func() {
		for range hup {
			_ = a.Reload(load)
		}
	}()
	if err := a.Run(ctx); err != nil {
		if errors.Is(err, telegram.ErrUnauthorized) {
			fmt.Fprintln(stderr, "integrabot: Telegram rejected the bot token; check TELEGRAM_BOT_TOKEN")
		} else {
			fmt.Fprintln(stderr, "integrabot: "+telegram.Redact(err, cfg.Token).Error())
		}
		return 1
	}
	return 0
}

// isTerminal tells whether w is a terminal (text logs) rather than a file or
// a container's log collector (JSON logs).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
