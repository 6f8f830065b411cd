package config

import (
	"strings"
	"testing"
)

func TestPrivacyContact(t *testing.T) {
	tests := []struct {
		name, value, want, wantErr string
	}{
		{"unset", "", "", ""},
		{"free text", "  Verantwortliche Stelle, datenschutz@example.org  ", "Verantwortliche Stelle, datenschutz@example.org", ""},
		{"300 characters", strings.Repeat("ä", 300), strings.Repeat("ä", 300), ""},
		{"too long", strings.Repeat("a", 301), "", "at most 300"},
		{"newline", "line one\nline two", "", "control character"},
		{"escape", "name\x1b[31m", "", "control character"},
		{"bad utf-8", "name \xff", "", "UTF-8"},
	}
	for _, tt := range tests {
		c, err := FromEnv(env(map[string]string{"TELEGRAM_BOT_TOKEN": token, "PRIVACY_CONTACT": tt.value}))
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), "PRIVACY_CONTACT") || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("%s: err = %v, want one naming PRIVACY_CONTACT and %q", tt.name, err, tt.wantErr)
			}
			continue
		}
		if err != nil || c.PrivacyContact != tt.want {
			t.Errorf("%s: got %q, %v; want %q", tt.name, c.PrivacyContact, err, tt.want)
		}
	}
}
