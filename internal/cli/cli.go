// Package cli is integrabot's command line: it reads the configuration,
// wires the parts and runs one of the subcommands.
package cli

import (
	"context"
	"fmt"
	"io"
)

const usage = `integrabot — the Telegram bot of the Integrationsagentur NRW in Marl

usage:
  integrabot chat [--lang xx] [--example] [--content DIR]   talk to the bot in this terminal
  integrabot serve                                          run the bot on Telegram (configured by environment variables, see README)
  integrabot check [--content DIR] [--example]              check content and locale files
  integrabot qr [--lang xx] [-o file.png] [--bot NAME] ID   the QR code of an encounter's link, for a poster
  integrabot export-user ID                                 everything stored about one resident, as JSON (REDIS_URL)
  integrabot export [--content DIR] [--example] [-o FILE]   every encounter, the files' and Telegram's, as encounters.yaml (REDIS_URL)
`

// Main runs the command line and returns the exit code.
func Main(ctx context.Context, args []string, env func(string) string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	switch args[0] {
	case "chat":
		return chat(ctx, args[1:], env, stdin, stdout, stderr)
	case "check":
		return check(args[1:], env, stdout, stderr)
	case "serve":
		return serve(ctx, args[1:], env, stdout, stderr)
	case "qr":
		return qr(ctx, args[1:], env, stdout, stderr)
	case "export":
		return export(ctx, args[1:], env, stdout, stderr)
	case "export-user":
		return exportUser(ctx, args[1:], env, stdout, stderr)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	}
	fmt.Fprintf(stderr, "unknown command %q\n\n%s", args[0], usage)
	return 2
}
