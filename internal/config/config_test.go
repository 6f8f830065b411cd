package config

import (
	"go/parser"
	gotoken "go/token"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

const token = "123456789:AAFakeTokenForTestsOnly_abcdefghijklmno"

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestFromEnv(t *testing.T) {
	file := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(file, []byte(token+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		env     map[string]string
		wantErr string // "" for valid
	}{
		{"token only", map[string]string{"TELEGRAM_BOT_TOKEN": token}, ""},
		{"token file", map[string]string{"TELEGRAM_BOT_TOKEN_FILE": file}, ""},
		{"no token", map[string]string{}, "TELEGRAM_BOT_TOKEN: missing"},
		{"both", map[string]string{"TELEGRAM_BOT_TOKEN": token, "TELEGRAM_BOT_TOKEN_FILE": file}, "both set"},
		{"bad token", map[string]string{"TELEGRAM_BOT_TOKEN": "hello"}, "does not look like a bot token"},
		{"missing file", map[string]string{"TELEGRAM_BOT_TOKEN_FILE": "/nonexistent/token"}, "TELEGRAM_BOT_TOKEN_FILE: cannot read"},
		{"bad api url", map[string]string{"TELEGRAM_BOT_TOKEN": token, "TELEGRAM_API_URL": "ftp://x"}, "TELEGRAM_API_URL"},
		{"bad redis", map[string]string{"TELEGRAM_BOT_TOKEN": token, "REDIS_URL": "mysql://secretpw@x"}, "REDIS_URL"},
		{"bad admin", map[string]string{"TELEGRAM_BOT_TOKEN": token, "ADMIN_IDS": "12,abc"}, `ADMIN_IDS: "abc"`},
		{"bad listen", map[string]string{"TELEGRAM_BOT_TOKEN": token, "LISTEN_ADDR": "8080"}, "LISTEN_ADDR"},
		{"listen port too big", map[string]string{"TELEGRAM_BOT_TOKEN": token, "LISTEN_ADDR": ":99999"}, "LISTEN_ADDR"},
		{"listen port negative", map[string]string{"TELEGRAM_BOT_TOKEN": token, "LISTEN_ADDR": ":-1"}, "LISTEN_ADDR"},
		{"listen port named", map[string]string{"TELEGRAM_BOT_TOKEN": token, "LISTEN_ADDR": ":http"}, "LISTEN_ADDR"},
		{"listen port missing", map[string]string{"TELEGRAM_BOT_TOKEN": token, "LISTEN_ADDR": "localhost:"}, "LISTEN_ADDR"},
		{"webhook", map[string]string{"TELEGRAM_BOT_TOKEN": token, "WEBHOOK_URL": "https://bot.example.org/telegram", "WEBHOOK_SECRET": "0123456789abcdef0123"}, ""},
		{"webhook without secret", map[string]string{"TELEGRAM_BOT_TOKEN": token, "WEBHOOK_URL": "https://bot.example.org/telegram"}, "WEBHOOK_SECRET: needed"},
		{"webhook over plain http", map[string]string{"TELEGRAM_BOT_TOKEN": token, "WEBHOOK_URL": "http://bot.example.org/t", "WEBHOOK_SECRET": "0123456789abcdef0123"}, "not an https URL"},
		{"secret without webhook", map[string]string{"TELEGRAM_BOT_TOKEN": token, "WEBHOOK_SECRET": "0123456789abcdef0123"}, "WEBHOOK_URL is not"},
		{"bad content dir", map[string]string{"TELEGRAM_BOT_TOKEN": token, "CONTENT_DIR": "/nonexistent"}, "CONTENT_DIR"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := FromEnv(env(tt.env))
			if tt.wantErr == "" {
				if err != nil {
					t.Fatal(err)
				}
				if c.Token != token || c.APIURL != DefaultAPIURL || c.ListenAddr != ":8080" {
					t.Errorf("config = %+v", c)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("err = %v, want it to say %q", err, tt.wantErr)
			}
			if strings.Contains(err.Error(), token) || strings.Contains(err.Error(), "secretpw") {
				t.Errorf("error shows a secret: %v", err)
			}
		})
	}
	for _, addr := range []string{":1", "127.0.0.1:65535", "[::1]:8080", "localhost:9090", "127.0.0.1:0"} { // 0: any free port
		if _, err := FromEnv(env(map[string]string{"TELEGRAM_BOT_TOKEN": token, "LISTEN_ADDR": addr})); err != nil {
			t.Errorf("LISTEN_ADDR=%s: %v", addr, err)
		}
	}
	c, _ := FromEnv(env(map[string]string{"TELEGRAM_BOT_TOKEN": token, "ADMIN_IDS": "1, 22,333"}))
	if len(c.AdminIDs) != 3 || c.AdminIDs[2] != 333 {
		t.Errorf("admin ids = %v", c.AdminIDs)
	}
}

// The webhook is served on LISTEN_ADDR beside /healthz, /readyz and /metrics,
// through net/http's ServeMux, which panics on a pattern it cannot parse or
// one that is already registered. FromEnv must refuse such a URL with one line
// naming WEBHOOK_URL, and every URL it accepts must register beside the others.
func TestWebhookURLIsAUsableRoute(t *testing.T) {
	const secret = "0123456789abcdef0123"
	tests := []struct {
		url  string
		want bool // accepted
	}{
		{"https://bot.example.org/telegram", true},
		{"https://bot.example.org/telegram/", true},
		{"https://bot.example.org", true},
		{"https://bot.example.org/", true},
		{"https://bot.example.org/hook/v1_a-b.c~d", true},
		{"https://bot.example.org:8443/telegram?x=1", true},
		{"http://127.0.0.1:8080/telegram", true},
		{"https://bot.example.org/healthz", false},
		{"https://bot.example.org/metrics", false},
		{"https://bot.example.org/readyz", false},
		{"https://bot.example.org/tele gram", false},
		{"https://bot.example.org/tele%20gram", false},
		{"https://bot.example.org/GET /telegram", false},
		{"https://bot.example.org/a{b", false},
		{"https://bot.example.org/{id}", false},
		{"https://bot.example.org/a/../b", false},
		{"https://bot.example.org/a/./b", false},
		{"https://bot.example.org/a//b", false},
		{"https://bot.example.org/a%2Fb", false},
		{"https://bot.example.org/%25zz", false},
		{"https://bot.example.org/telegram\n", false},
		{" https://bot.example.org/telegram", false},
		{"https://bot.example.org/telegram ", false},
	}
	for _, tt := range tests {
		t.Run(tt.url, func(t *testing.T) {
			c, err := FromEnv(env(map[string]string{"TELEGRAM_BOT_TOKEN": token, "WEBHOOK_URL": tt.url, "WEBHOOK_SECRET": secret}))
			if !tt.want {
				if err == nil {
					t.Fatalf("accepted; webhook path %q", c.WebhookPath())
				}
				if !strings.HasPrefix(err.Error(), "WEBHOOK_URL: ") || strings.Contains(err.Error(), "\n") {
					t.Errorf("err = %q, want one line starting with WEBHOOK_URL", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			mux := http.NewServeMux()
			for _, p := range []string{"/healthz", "/readyz", "/metrics"} {
				mux.HandleFunc(p, func(http.ResponseWriter, *http.Request) {})
			}
			defer func() {
				if r := recover(); r != nil {
					t.Fatalf("webhook path %q does not register: %v", c.WebhookPath(), r)
				}
			}()
			mux.HandleFunc(c.WebhookPath(), func(http.ResponseWriter, *http.Request) {})
		})
	}
}

// config sits at the edge of the import graph: of integrabot's own packages it
// may use only redisurl (to check REDIS_URL without making a store).
func TestImportsNoOtherPackageOfOurs(t *testing.T) {
	const module = "github.com/integrationsagentur-marl/integrabot/"
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		parsed, err := parser.ParseFile(gotoken.NewFileSet(), f, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range parsed.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			if strings.HasPrefix(p, module) && p != module+"internal/redisurl" {
				t.Errorf("%s imports %s", f, p)
			}
		}
	}
}

func TestReminderOffsets(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []time.Duration
		err  string
	}{
		{"", []time.Duration{24 * time.Hour, 2 * time.Hour}, ""},
		{"75s", []time.Duration{75 * time.Second}, ""},
		{"2h, 24h,2h", []time.Duration{24 * time.Hour, 2 * time.Hour}, ""},
		{"1d", nil, `"1d" is not a duration`},
		{"0s", nil, "out of range"},
		{"400h", nil, "out of range; use 1s to 336h (14 days)"},
		{"1500ms", nil, "1500ms is not whole seconds"},
		{"24h,,2h", nil, "an empty value between commas"},
		{"90m", []time.Duration{90 * time.Minute}, ""},
	} {
		got, err := readReminderOffsets(func(k string) string {
			if k == "REMINDER_OFFSETS" {
				return tc.in
			}
			return ""
		})
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%q: err %v, want %q", tc.in, err, tc.err)
			}
			continue
		}
		if err != nil || !slices.Equal(got, tc.want) {
			t.Errorf("%q: %v %v, want %v", tc.in, got, err, tc.want)
		}
	}
}
