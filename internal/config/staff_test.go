package config

import (
	"strings"
	"testing"
)

func TestStaffChat(t *testing.T) {
	tests := []struct {
		value   string
		want    int64
		wantErr bool
	}{
		{"", 0, false},
		{"-1001234567890", -1001234567890, false},
		{" -4242 ", -4242, false},
		{"1234567", 0, true}, // a person, not a group
		{"0", 0, true},
		{"staff", 0, true},
		{"-12.5", 0, true},
	}
	for _, tt := range tests {
		c, err := FromEnv(env(map[string]string{"TELEGRAM_BOT_TOKEN": token, "STAFF_CHAT_ID": tt.value}))
		if tt.wantErr {
			if err == nil || !strings.Contains(err.Error(), "STAFF_CHAT_ID") {
				t.Errorf("STAFF_CHAT_ID=%q: err = %v, want one naming STAFF_CHAT_ID", tt.value, err)
			}
			continue
		}
		if err != nil || c.StaffChatID != tt.want {
			t.Errorf("STAFF_CHAT_ID=%q: %d, %v; want %d", tt.value, c.StaffChatID, err, tt.want)
		}
	}
}
