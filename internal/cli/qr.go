package cli

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/go-telegram/bot"

	"github.com/integrationsagentur-marl/integrabot/internal/app"
	"github.com/integrationsagentur-marl/integrabot/internal/config"
	"github.com/integrationsagentur-marl/integrabot/internal/conversation"
	"github.com/integrationsagentur-marl/integrabot/internal/poster"
	"github.com/integrationsagentur-marl/integrabot/internal/telegram"
)

// qr writes the QR code of an encounter's deep link as a PNG, for a poster
// or a flyer: scanning it opens the bot at that encounter (the staff's QR
// button makes the same picture, see package poster). Exit codes: 2 for wrong arguments, 1 when the content is broken, the
// encounter unknown, Telegram cannot name the bot or the file not written.
func qr(ctx context.Context, args []string, env func(string) string, stdout, stderr io.Writer) int {
	fl := flag.NewFlagSet("qr", flag.ContinueOnError)
	fl.SetOutput(stderr)
	lang := fl.String("lang", "", "the poster's language (the bot answers in it when the resident chose none)")
	out := fl.String("o", "", "the PNG file to write (default: ENCOUNTER_ID.png, or ENCOUNTER_ID-LANG.png)")
	name := fl.String("bot", env("TELEGRAM_BOT_USERNAME"), "the bot's username (default: asked from Telegram with TELEGRAM_BOT_TOKEN)")
	dir := fl.String("content", env("CONTENT_DIR"), "content folder (default: the embedded one)")
	example := fl.Bool("example", false, "add the sample encounters")
	if err := fl.Parse(args); err != nil {
		return 2
	}
	if fl.NArg() != 1 {
		fmt.Fprintln(stderr, "usage: integrabot qr [--lang xx] [-o file.png] [--bot NAME] ENCOUNTER_ID")
		return 2
	}
	id := fl.Arg(0)
	k, err := app.LoadKnowledge(*dir, *example)
	if err != nil {
		for _, p := range app.ProblemsOf(err) {
			fmt.Fprintln(stderr, p)
		}
		return 1
	}
	if _, ok := k.Content.Encounter(id); !ok {
		var ids []string
		for _, e := range k.Content.Encounters {
			ids = append(ids, e.ID)
		}
		fmt.Fprintf(stderr, "integrabot: no encounter %q in the content; its encounters: %s\n", id, strings.Join(ids, ", "))
		return 1
	}
	if *lang != "" {
		if _, ok := k.Catalog.Lang(*lang); !ok {
			fmt.Fprintf(stderr, "integrabot: --lang %q is not one of the bot's languages\n", *lang)
			return 2
		}
	}
	username := strings.TrimPrefix(*name, "@")
	if username == "" {
		if username, err = askUsername(ctx, env); err != nil {
			fmt.Fprintln(stderr, "integrabot: "+err.Error())
			return 1
		}
	}
	payload := conversation.EncounterLink(id, *lang)
	link, err := poster.Link(username, payload)
	if err != nil {
		fmt.Fprintln(stderr, "integrabot: "+err.Error())
		return 1
	}
	file := *out
	if file == "" {
		file = strings.TrimSuffix(strings.ReplaceAll(payload, "_", "-"), "-")[len("e-"):] + ".png"
	}
	if err := writeQR(link, file); err != nil {
		fmt.Fprintf(stderr, "integrabot: %s: %v\n", file, err)
		return 1
	}
	fmt.Fprintf(stdout, "%s: %s\n", file, link)
	return 0
}

// askUsername asks Telegram for the bot's username with the token from the
// environment.
func askUsername(ctx context.Context, env func(string) string) (string, error) {
	token := strings.TrimSpace(env("TELEGRAM_BOT_TOKEN"))
	if token == "" {
		return "", fmt.Errorf("give the bot's username with --bot NAME, or set TELEGRAM_BOT_TOKEN so that Telegram can tell it")
	}
	apiURL := strings.TrimRight(env("TELEGRAM_API_URL"), "/")
	if apiURL == "" {
		apiURL = config.DefaultAPIURL
	}
	b, err := bot.New(token, bot.WithServerURL(apiURL), bot.WithSkipGetMe())
	if err != nil {
		return "", telegram.Redact(err, token)
	}
	me, err := b.GetMe(ctx)
	if err != nil {
		return "", fmt.Errorf("Telegram did not tell the bot's username (%v); give it with --bot NAME", telegram.Redact(err, token))
	}
	return me.Username, nil
}

func writeQR(link, file string) error {
	f, err := os.Create(file)
	if err != nil {
		return err
	}
	if err := poster.WritePNG(f, link); err != nil {
		_ = f.Close()
		return err
	}
	return f.Close()
}
