package config

import (
	"strings"
	"testing"
)

func TestFloodLimit(t *testing.T) {
	tests := []struct {
		value   string
		want    int
		wantErr string
	}{
		{"", DefaultFloodLimit, ""},
		{"30", 30, ""},
		{" 5 ", 5, ""},
		{"1000", 1000, ""},
		{"0", 0, "FLOOD_LIMIT"},
		{"-3", 0, "FLOOD_LIMIT"},
		{"1001", 0, "from 1 to 1000"},
		{"twenty", 0, `FLOOD_LIMIT: "twenty"`},
		{"2.5", 0, "whole number"},
	}
	for _, tt := range tests {
		c, err := FromEnv(env(map[string]string{"TELEGRAM_BOT_TOKEN": token, "FLOOD_LIMIT": tt.value}))
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("FLOOD_LIMIT=%q: err = %v, want it to say %q", tt.value, err, tt.wantErr)
			}
			continue
		}
		if err != nil || c.FloodLimit != tt.want {
			t.Errorf("FLOOD_LIMIT=%q: %d, %v; want %d", tt.value, c.FloodLimit, err, tt.want)
		}
	}
}

func TestFloodWindowMustBePositive(t *testing.T) {
	bad := DefaultTiming
	bad.FloodWindow = 0
	if bad.Check() == nil {
		t.Error("a flood window of 0 was accepted")
	}
}
