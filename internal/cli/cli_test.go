package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func run(t *testing.T, stdin string, e map[string]string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := Main(context.Background(), args, env(e), strings.NewReader(stdin), &out, &errb)
	return code, out.String(), errb.String()
}

// README's first command: the terminal chat on the embedded default.
func TestChatInTheTerminal(t *testing.T) {
	code, out, errOut := run(t, "2\nWann ist das nächste Treffen?\n/help\n", nil, "chat", "--lang", "de")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{"Integrationsagentur Marl", "[1] 📋 Angebote", "[2] ☎️ Ansprechpersonen",
		"Jens Flachmeier", "+49 151 17466885", "keine Begegnungen geplant",
		"die Zahl vor einer Auswahl"} { // the terminal numbers its choices, so its help says so
		if !strings.Contains(out, want) {
			t.Errorf("chat output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "<b>") || strings.Contains(out, "&amp;") {
		t.Errorf("HTML shown in the terminal:\n%s", out)
	}
}

func TestChatAsksForTheLanguageWhenUnknown(t *testing.T) {
	code, out, _ := run(t, "3\n", map[string]string{"LANG": "zh_CN.UTF-8"}, "chat")
	if code != 0 || !strings.Contains(out, "Українська") || !strings.Contains(out, "English from now on") {
		t.Errorf("exit %d, output:\n%s", code, out)
	}
}

func TestCheck(t *testing.T) {
	code, out, _ := run(t, "", nil, "check", "--example")
	if code != 0 || !strings.Contains(out, "check passed") || !strings.Contains(out, "not yet reviewed by a native speaker") {
		t.Fatalf("check on the shipped content: exit %d\n%s", code, out)
	}
	dir := t.TempDir()
	for _, f := range []string{"agency.yaml", "services.yaml", "contacts.yaml"} {
		data, err := os.ReadFile(filepath.Join("..", "..", "content", "default", f))
		if err != nil {
			t.Fatal(err)
		}
		if f == "contacts.yaml" {
			data = bytes.Replace(data, []byte(`phone: "0151-17466885"`), []byte(`phone: "ruf an"`), 1)
		}
		if err := os.WriteFile(filepath.Join(dir, f), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	code, out, _ = run(t, "", nil, "check", "--content", dir)
	if code != 1 || !strings.Contains(out, "contacts.yaml:") || !strings.Contains(out, "contacts[0].phone: not dialable") {
		t.Errorf("check of a broken folder: exit %d\n%s", code, out)
	}
}

func TestServeWithBadConfigExits2(t *testing.T) {
	code, _, errOut := run(t, "", map[string]string{"TELEGRAM_BOT_TOKEN": "nope"}, "serve")
	if code != 2 || !strings.Contains(errOut, "TELEGRAM_BOT_TOKEN") || strings.Count(strings.TrimSpace(errOut), "\n") != 0 {
		t.Errorf("exit %d, stderr %q; want 2 and one clear line", code, errOut)
	}
	const token = "123456789:AAFakeTokenForTestsOnly_abcdefghijklmno"
	const secret = "0123456789abcdef0123"
	for _, tt := range []struct {
		name, want string
		env        map[string]string
	}{
		{"webhook on /healthz", "WEBHOOK_URL", map[string]string{"WEBHOOK_URL": "https://bot.example.org/healthz", "WEBHOOK_SECRET": secret}},
		{"webhook on /metrics", "WEBHOOK_URL", map[string]string{"WEBHOOK_URL": "https://bot.example.org/metrics", "WEBHOOK_SECRET": secret}},
		{"webhook with a space", "WEBHOOK_URL", map[string]string{"WEBHOOK_URL": "https://bot.example.org/tele gram", "WEBHOOK_SECRET": secret}},
		{"listen port out of range", "LISTEN_ADDR", map[string]string{"LISTEN_ADDR": ":99999"}},
		{"reminder offsets in days", "REMINDER_OFFSETS", map[string]string{"REMINDER_OFFSETS": "1d,2h"}},
		{"reminder offset of no time", "REMINDER_OFFSETS", map[string]string{"REMINDER_OFFSETS": "24h,0s"}},
	} {
		tt.env["TELEGRAM_BOT_TOKEN"] = token
		tt.env["TELEGRAM_API_URL"] = "http://127.0.0.1:1" // never reached: the configuration is refused first
		code, _, errOut := run(t, "", tt.env, "serve")
		if code != 2 || !strings.Contains(errOut, tt.want) || strings.Count(strings.TrimSpace(errOut), "\n") != 0 {
			t.Errorf("%s: exit %d, stderr %q; want 2 and one line naming %s", tt.name, code, errOut, tt.want)
		}
	}
	if code, _, _ := run(t, "", nil, "frobnicate"); code != 2 {
		t.Errorf("unknown subcommand: exit %d, want 2", code)
	}
}
