package config

import (
	"strings"
	"testing"
	"time"
)

func TestHandoffRetention(t *testing.T) {
	tests := []struct {
		value   string
		want    time.Duration
		wantErr bool
	}{
		{"", 30 * 24 * time.Hour, false},
		{"720h", 720 * time.Hour, false},
		{" 48h ", 48 * time.Hour, false},
		{"1h", time.Hour, false},
		{"4320h", 4320 * time.Hour, false},
		{"59m", 0, true},
		{"4321h", 0, true},
		{"30d", 0, true}, // Go durations have no days
		{"-720h", 0, true},
		{"lang", 0, true},
	}
	for _, tt := range tests {
		c, err := FromEnv(env(map[string]string{"TELEGRAM_BOT_TOKEN": token, "HANDOFF_RETENTION": tt.value}))
		if tt.wantErr {
			if err == nil || !strings.Contains(err.Error(), "HANDOFF_RETENTION") {
				t.Errorf("HANDOFF_RETENTION=%q: err = %v, want one naming HANDOFF_RETENTION", tt.value, err)
			}
			continue
		}
		if err != nil || c.HandoffRetention != tt.want {
			t.Errorf("HANDOFF_RETENTION=%q: %v, %v; want %v", tt.value, c.HandoffRetention, err, tt.want)
		}
	}
}
