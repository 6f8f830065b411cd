package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
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
	c, _ := FromEnv(env(map[string]string{"TELEGRAM_BOT_TOKEN": token, "ADMIN_IDS": "1, 22,333"}))
	if len(c.AdminIDs) != 3 || c.AdminIDs[2] != 333 {
		t.Errorf("admin ids = %v", c.AdminIDs)
	}
}
