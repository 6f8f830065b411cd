// Package poster makes what an encounter's poster or flyer needs: the deep
// link that opens the bot at that encounter, and its QR code as a PNG. The
// command line (integrabot qr) and the staff's QR button share it.
package poster

import (
	"bytes"
	"fmt"
	"io"
	"regexp"
	"strings"

	"github.com/yeqown/go-qrcode/v2"
	"github.com/yeqown/go-qrcode/writer/standard"
)

// payloadPattern is what Telegram allows after ?start=.
var payloadPattern = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

// Link is the deep link t.me/<bot>?start=<payload>; an error when the
// payload is not one Telegram takes (too long, or other characters).
func Link(bot, payload string) (string, error) {
	bot = strings.TrimPrefix(bot, "@")
	if bot == "" {
		return "", fmt.Errorf("the bot's username is not known")
	}
	if !payloadPattern.MatchString(payload) {
		return "", fmt.Errorf("the link %q is longer than Telegram allows (64 characters)", payload)
	}
	return "https://t.me/" + bot + "?start=" + payload, nil
}

// WritePNG writes the QR code of link as a PNG to w. It uses
// github.com/yeqown/go-qrcode, a maintained encoder, rather than one of our
// own; a module is 20 pixels, sharp when printed on a poster.
func WritePNG(w io.Writer, link string) error {
	code, err := qrcode.New(link)
	if err != nil {
		return fmt.Errorf("qr code: %w", err)
	}
	out := standard.NewWithWriter(nopCloser{w}, standard.WithBuiltinImageEncoder(standard.PNG_FORMAT), standard.WithQRWidth(20))
	if err := code.Save(out); err != nil {
		return fmt.Errorf("qr code: %w", err)
	}
	return nil
}

// PNG is the QR code of link as a PNG.
func PNG(link string) ([]byte, error) {
	var b bytes.Buffer
	if err := WritePNG(&b, link); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// nopCloser lets a writer the caller closes (or a buffer) take the
// encoder's Close.
type nopCloser struct{ io.Writer }

func (nopCloser) Close() error { return nil }
