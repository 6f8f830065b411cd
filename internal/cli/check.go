package cli

import (
	"flag"
	"fmt"
	"github.com/integrationsagentur-marl/integrabot/internal/app"
	"io"
	"strings"

	"github.com/integrationsagentur-marl/integrabot/internal/i18n"
)

// check validates the content folder and the locale files and prints every
// problem with file, line and field, then coverage and review per language.
func check(args []string, env func(string) string, stdout, stderr io.Writer) int {
	fl := flag.NewFlagSet("check", flag.ContinueOnError)
	fl.SetOutput(stderr)
	dir := fl.String("content", env("CONTENT_DIR"), "content folder to check (default: the embedded one)")
	example := fl.Bool("example", false, "check the sample encounters too")
	if err := fl.Parse(args); err != nil {
		return 2
	}
	k, err := app.LoadKnowledge(*dir, *example)
	if err != nil {
		for _, p := range app.ProblemsOf(err) {
			fmt.Fprintln(stdout, p)
		}
		fmt.Fprintln(stdout, "check failed")
		return 1
	}
	where := "embedded default content"
	if *dir != "" {
		where = *dir
	}
	for _, w := range k.Content.Warnings {
		fmt.Fprintln(stdout, "warning: "+w.String())
	}
	fmt.Fprintf(stdout, "content: %s: %d services, %d contacts, %d encounters, the agency's texts in all %d languages",
		where, len(k.Content.Services), len(k.Content.Contacts), len(k.Content.Encounters), len(k.Catalog.Languages()))
	if n := len(k.Content.Warnings); n > 0 {
		fmt.Fprintf(stdout, ", %d encounter translations missing (warnings above)", n)
	}
	fmt.Fprintln(stdout)
	ids := len(k.Catalog.MessageIDs())
	for _, l := range k.Catalog.Languages() {
		fmt.Fprintf(stdout, "%-12s %-18s messages %d/%d  %s\n", l.Code, l.Name, ids, ids, reviewLine(k.Catalog.Review(l.Code)))
	}
	fmt.Fprintln(stdout, "check passed")
	return 0
}

func reviewLine(r i18n.Review) string {
	if !r.Reviewed {
		return "not yet reviewed by a native speaker"
	}
	return strings.TrimSpace(fmt.Sprintf("reviewed by %s %s", r.Reviewer, r.Date))
}
