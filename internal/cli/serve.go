package cli

import (
	"context"
	"fmt"
	"io"
)

func serve(ctx context.Context, args []string, env func(string) string, stdout, stderr io.Writer) int {
	fmt.Fprintln(stderr, "serve: not wired yet")
	return 1
}
