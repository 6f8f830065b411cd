package cli

import (
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/integrationsagentur-marl/integrabot/internal/telegramtest"
)

const qrToken = "123456789:AAE2eTestTokenNeverRealAbcdefghijklmnop"

// The poster's QR code: a PNG of the encounter's deep link, with the bot's
// name from a flag or asked from Telegram.
func TestQR(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "cafe.png")
	code, out, errOut := run(t, "", nil, "qr", "--example", "--bot", "@marl_bot", "--lang", "tr", "-o", file, "sample-cafe")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if want := "https://t.me/marl_bot?start=e_sample-cafe_tr"; !strings.Contains(out, want) {
		t.Errorf("output %q lacks the link %s", out, want)
	}
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(f)
	f.Close()
	if err != nil {
		t.Fatalf("not a PNG: %v", err)
	}
	if b := img.Bounds(); b.Dx() < 300 || b.Dx() != b.Dy() {
		t.Errorf("a %dx%d image; want a square large enough to print", b.Dx(), b.Dy())
	}

	api := telegramtest.New(qrToken, telegramtest.WithBotUser(999, "agentur_marl_bot"))
	defer api.Close()
	env := map[string]string{"TELEGRAM_BOT_TOKEN": qrToken, "TELEGRAM_API_URL": api.URL}
	code, out, errOut = run(t, "", env, "qr", "--example", "-o", filepath.Join(dir, "x.png"), "sample-cafe")
	if code != 0 || !strings.Contains(out, "https://t.me/agentur_marl_bot?start=e_sample-cafe\n") {
		t.Errorf("with the name from Telegram: exit %d, %q, %q", code, out, errOut)
	}

	for _, tt := range []struct {
		args []string
		env  map[string]string
		code int
		want string
	}{
		{[]string{"qr", "--example", "--bot", "b", "no-such"}, nil, 1, `no encounter "no-such"`},
		{[]string{"qr", "--example", "--bot", "b", "--lang", "xx", "sample-cafe"}, nil, 2, `--lang "xx"`},
		{[]string{"qr", "--example", "sample-cafe"}, map[string]string{}, 1, "--bot NAME"},
		{[]string{"qr"}, nil, 2, "usage"},
	} {
		code, _, errOut := run(t, "", tt.env, tt.args...)
		if code != tt.code || !strings.Contains(errOut, tt.want) {
			t.Errorf("%v: exit %d, %q; want %d and %q", tt.args, code, errOut, tt.code, tt.want)
		}
		if strings.Contains(errOut, qrToken) {
			t.Error("the token in an error")
		}
	}
}
