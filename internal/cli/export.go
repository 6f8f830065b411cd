package cli

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/integrationsagentur-marl/integrabot/internal/agency"
	"github.com/integrationsagentur-marl/integrabot/internal/app"
	"github.com/integrationsagentur-marl/integrabot/internal/config"
	"github.com/integrationsagentur-marl/integrabot/internal/encounters"
	"github.com/integrationsagentur-marl/integrabot/internal/redisurl"
	"github.com/integrationsagentur-marl/integrabot/internal/store"
)

// export writes every encounter — the content files' and those staff made
// in Telegram (from the Redis serve uses) — in the format of
// encounters.yaml, so that nothing is locked in Redis: the output, put in a
// content folder, loads as the same encounters. Exit codes: 2 for wrong
// arguments or configuration, 1 when the content or Redis cannot be read.
func export(ctx context.Context, args []string, env func(string) string, stdout, stderr io.Writer) int {
	fl := flag.NewFlagSet("export", flag.ContinueOnError)
	fl.SetOutput(stderr)
	dir := fl.String("content", env("CONTENT_DIR"), "content folder (default: the embedded one)")
	example := fl.Bool("example", false, "with the sample encounters")
	out := fl.String("o", "", "write to this file instead of the standard output")
	if err := fl.Parse(args); err != nil {
		return 2
	}
	if fl.NArg() != 0 {
		fmt.Fprintln(stderr, "usage: integrabot export [--content DIR] [--example] [-o encounters.yaml]")
		return 2
	}
	k, err := app.LoadKnowledge(*dir, *example)
	if err != nil {
		for _, p := range app.ProblemsOf(err) {
			fmt.Fprintln(stderr, p)
		}
		fmt.Fprintln(stderr, "integrabot: the content does not load; fix it first (integrabot check)")
		return 1
	}
	list := k.Content.Encounters
	if url := env("REDIS_URL"); url == "" {
		fmt.Fprintln(stderr, "integrabot: REDIS_URL is empty: only the content files' encounters are written (those made in Telegram live in Redis)")
	} else {
		if _, err := redisurl.Parse(url); err != nil {
			fmt.Fprintln(stderr, "integrabot: REDIS_URL: not valid (write it like redis://localhost:6379/0; see README for Sentinel and Cluster)")
			return 2
		}
		prefix := env("REDIS_KEY_PREFIX")
		rdb, err := store.NewClient(url)
		if err != nil {
			fmt.Fprintln(stderr, "integrabot: REDIS_URL: "+err.Error())
			return 2
		}
		defer rdb.Close()
		stored, _, err := store.New(rdb, prefix, config.DefaultTiming).Encounters(ctx)
		if err != nil {
			fmt.Fprintln(stderr, "integrabot: "+err.Error())
			return 1
		}
		extra, _, unreadable := encounters.Parse(stored, k.Content.Location, langCodes(k))
		for id, err := range unreadable {
			fmt.Fprintf(stderr, "integrabot: the stored encounter %s is unreadable: %v\n", id, err)
		}
		if len(unreadable) > 0 {
			return 1
		}
		merged, _ := encounters.Merge(k.Content, extra, nil, nil)
		list = merged.Encounters
	}
	data, err := agency.MarshalEncounters(list, k.Content.Location)
	if err != nil {
		fmt.Fprintln(stderr, "integrabot: "+err.Error())
		return 1
	}
	header := []byte("# All encounters, from the content files and from Telegram, written by integrabot export.\n")
	if *out == "" {
		_, err = stdout.Write(append(header, data...))
	} else {
		err = os.WriteFile(*out, append(header, data...), 0o644)
	}
	if err != nil {
		fmt.Fprintln(stderr, "integrabot: "+err.Error())
		return 1
	}
	fmt.Fprintf(stderr, "%d encounters written\n", len(list))
	return 0
}

func langCodes(k *app.Knowledge) []string {
	var out []string
	for _, l := range k.Catalog.Languages() {
		out = append(out, l.Code)
	}
	return out
}
