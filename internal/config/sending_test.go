package config

import (
	"strings"
	"testing"
)

func TestSendingRates(t *testing.T) {
	tests := []struct {
		name    string
		env     map[string]string
		want    Sending
		wantErr string
	}{
		{"defaults", nil, Sending{Rate: 25, BroadcastRate: 20}, ""},
		{"a lower rate lowers broadcasts too", map[string]string{"SEND_RATE": "10"}, Sending{Rate: 10, BroadcastRate: 10}, ""},
		{"both set", map[string]string{"SEND_RATE": "28", "BROADCAST_RATE": "5"}, Sending{Rate: 28, BroadcastRate: 5}, ""},
		{"over Telegram's free limit", map[string]string{"SEND_RATE": "100"}, Sending{}, "PAID_BROADCAST=true"},
		{"paid", map[string]string{"PAID_BROADCAST": "true", "SEND_RATE": "1000"}, Sending{Rate: 1000, BroadcastRate: 800, Paid: true}, ""},
		{"paid over 1000", map[string]string{"PAID_BROADCAST": "true", "SEND_RATE": "1001"}, Sending{}, "even with paid broadcasts"},
		{"broadcasts above the rate", map[string]string{"SEND_RATE": "10", "BROADCAST_RATE": "20"}, Sending{}, "BROADCAST_RATE: 20 is more than SEND_RATE"},
		{"not a number", map[string]string{"SEND_RATE": "fast"}, Sending{}, `SEND_RATE: "fast"`},
		{"zero", map[string]string{"BROADCAST_RATE": "0"}, Sending{}, "BROADCAST_RATE"},
		{"not a bool", map[string]string{"PAID_BROADCAST": "ja"}, Sending{}, "PAID_BROADCAST"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := map[string]string{"TELEGRAM_BOT_TOKEN": token}
			for k, v := range tt.env {
				m[k] = v
			}
			c, err := FromEnv(env(m))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want it to say %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if c.Sending != tt.want {
				t.Errorf("sending = %+v, want %+v", c.Sending, tt.want)
			}
		})
	}
}

func TestDefaultTimingAgrees(t *testing.T) {
	if err := DefaultTiming.Check(); err != nil {
		t.Fatal(err)
	}
	bad := DefaultTiming
	bad.Lease = bad.Request
	if bad.Check() == nil {
		t.Error("a lease no longer than a Bot API call was accepted")
	}
	bad = DefaultTiming
	bad.LockWait = bad.Claim
	if bad.Check() == nil {
		t.Error("a lock wait as long as the claim was accepted")
	}
}
