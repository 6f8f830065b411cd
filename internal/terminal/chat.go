// Package terminal is the bot in a terminal: the same conversation core a
// resident meets on Telegram, with buttons shown as numbered choices.
package terminal

import (
	"bufio"
	"context"
	"fmt"
	"html"
	"io"
	"regexp"
	"strings"
	"time"

	"github.com/integrationsagentur-marl/integrabot/internal/conversation"
)

// Handler answers events (conversation.Runner).
type Handler interface {
	Handle(ctx context.Context, ev conversation.Event) []conversation.Reply
}

// Chat runs a conversation between a person at a terminal and the bot.
type Chat struct {
	handler  Handler
	in       io.Reader
	out      io.Writer
	langCode string
	now      func() time.Time
}

// New returns a chat; langCode plays the part of Telegram's language_code.
func New(h Handler, in io.Reader, out io.Writer, langCode string, now func() time.Time) *Chat {
	return &Chat{handler: h, in: in, out: out, langCode: langCode, now: now}
}

// userID is the one resident at this terminal.
const userID = 1

// Run starts with /start and answers every line until the input ends or ctx is done.
func (c *Chat) Run(ctx context.Context) error {
	c.send(ctx, "/start")
	sc := bufio.NewScanner(c.in)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	for {
		fmt.Fprint(c.out, "> ")
		if !sc.Scan() {
			fmt.Fprintln(c.out)
			return sc.Err()
		}
		if ctx.Err() != nil {
			return nil
		}
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		c.send(ctx, line)
	}
}

func (c *Chat) send(ctx context.Context, line string) {
	ev := conversation.Event{UserID: userID, LanguageCode: c.langCode, Kind: conversation.KindText, Text: line, Now: c.now()}
	if strings.HasPrefix(line, "/") {
		cmd, arg, _ := strings.Cut(strings.TrimPrefix(line, "/"), " ")
		ev.Kind, ev.Command, ev.Text = conversation.KindCommand, strings.ToLower(cmd), strings.TrimSpace(arg)
	}
	for _, r := range c.handler.Handle(ctx, ev) {
		c.print(r)
	}
}

var tags = regexp.MustCompile(`</?(b|i|a)( [^>]*)?>`)

// print shows a reply: HTML as plain text, buttons as numbered choices. The
// numbers are what the core understands when typed.
func (c *Chat) print(r conversation.Reply) {
	if r.Text != "" {
		fmt.Fprintln(c.out, html.UnescapeString(tags.ReplaceAllString(r.Text, "")))
	}
	if r.Contact != nil {
		fmt.Fprintf(c.out, "☎️  %s: %s\n", r.Contact.Name, r.Contact.Phone)
	}
	if r.Document != nil {
		fmt.Fprintf(c.out, "📎 %s\n", r.Document.Name)
	}
	n := 0
	for _, row := range r.Buttons {
		for _, b := range row {
			if b.URL != "" {
				fmt.Fprintf(c.out, "    %s: %s\n", b.Label, b.URL)
				continue
			}
			n++
			fmt.Fprintf(c.out, "  [%d] %s\n", n, b.Label)
		}
	}
	fmt.Fprintln(c.out)
}
