package config

import (
	"strings"
	"testing"
	"time"
)

func TestHandoffRetention(t *testing.T) {
	tests := []struct {
		value, retention string
		want             time.Duration
		wantErr          bool
	}{
		{"", "", 30 * 24 * time.Hour, false},
		{"720h", "", 720 * time.Hour, false},
		{" 48h ", "", 48 * time.Hour, false},
		{"1h", "", time.Hour, false},
		{"8760h", "", 8760 * time.Hour, false}, // as long as RETENTION's default year
		{"8761h", "", 0, true},
		{"1441h", "1440h", 0, true}, // longer than the rest of the resident's data
		{"1440h", "1440h", 1440 * time.Hour, false},
		{"59m", "", 0, true},
		{"30d", "", 0, true}, // Go durations have no days
		{"-720h", "", 0, true},
		{"lang", "", 0, true},
	}
	for _, tt := range tests {
		c, err := FromEnv(env(map[string]string{"TELEGRAM_BOT_TOKEN": token, "HANDOFF_RETENTION": tt.value, "RETENTION": tt.retention}))
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
