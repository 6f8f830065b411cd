// Command integrabot is the Telegram bot of the Integrationsagentur NRW in Marl.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/integrationsagentur-marl/integrabot/internal/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Main(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
