package cli

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"strconv"

	"github.com/integrationsagentur-marl/integrabot/internal/config"
	"github.com/integrationsagentur-marl/integrabot/internal/redisurl"
	"github.com/integrationsagentur-marl/integrabot/internal/store"
)

// exportUser prints, as JSON, everything stored about one resident: for a
// data access request. It reads the Redis serve uses (REDIS_URL,
// REDIS_KEY_PREFIX) and writes nothing. Exit codes: 2 for wrong arguments
// or configuration, 1 when Redis cannot be read.
func exportUser(ctx context.Context, args []string, env func(string) string, stdout, stderr io.Writer) int {
	fl := flag.NewFlagSet("export-user", flag.ContinueOnError)
	fl.SetOutput(stderr)
	if err := fl.Parse(args); err != nil {
		return 2
	}
	id, err := strconv.ParseInt(fl.Arg(0), 10, 64)
	if fl.NArg() != 1 || err != nil || id <= 0 {
		fmt.Fprintln(stderr, "usage: integrabot export-user TELEGRAM_ID (the resident's Telegram user id, a number)")
		return 2
	}
	url := env("REDIS_URL")
	if url == "" {
		fmt.Fprintln(stderr, "integrabot: REDIS_URL: missing; export-user reads the Redis that serve uses (the embedded store keeps nothing)")
		return 2
	}
	if _, err := redisurl.Parse(url); err != nil {
		fmt.Fprintln(stderr, "integrabot: REDIS_URL: not valid (write it like redis://localhost:6379/0; see README for Sentinel and Cluster)")
		return 2
	}
	prefix := env("REDIS_KEY_PREFIX")
	if prefix == "" {
		prefix = "ib:"
	}
	rdb, err := store.NewClient(url)
	if err != nil {
		fmt.Fprintln(stderr, "integrabot: REDIS_URL: "+err.Error())
		return 2
	}
	defer rdb.Close()
	e, err := store.New(rdb, prefix, config.DefaultTiming).Export(ctx, id)
	if err != nil {
		fmt.Fprintln(stderr, "integrabot: "+err.Error())
		return 1
	}
	enc := json.NewEncoder(stdout)
	enc.SetIndent("", "  ")
	if err := enc.Encode(e); err != nil {
		fmt.Fprintln(stderr, "integrabot: "+err.Error())
		return 1
	}
	return 0
}
