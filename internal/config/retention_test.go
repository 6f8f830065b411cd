package config

import (
	"strings"
	"testing"
	"time"
)

func TestRetention(t *testing.T) {
	day := 24 * time.Hour
	tests := []struct {
		period, warning string
		want            Retention
		wantErr         string
	}{
		{"", "", Retention{Period: 365 * day, Warning: 21 * day}, ""},
		{"8760h", "504h", Retention{Period: 365 * day, Warning: 21 * day}, ""},
		{" 4320h ", "", Retention{Period: 180 * day, Warning: 21 * day}, ""},
		{"2160h", "168h", Retention{Period: 90 * day, Warning: 7 * day}, ""},
		{"12mo", "", Retention{}, `RETENTION: "12mo" is not a duration`},
		{"365d", "", Retention{}, "8760h"},
		{"-8760h", "", Retention{}, "RETENTION"},
		{"24h", "", Retention{}, "RETENTION: 24h is out of range"},
		{"90000h", "", Retention{}, "RETENTION: 90000h is out of range"},
		{"", "three weeks", Retention{}, `RETENTION_WARNING: "three weeks" is not a duration`},
		{"", "1h", Retention{}, "RETENTION_WARNING: 1h is out of range"},
		{"720h", "504h", Retention{}, "at most half of RETENTION"},
	}
	for _, tt := range tests {
		c, err := FromEnv(env(map[string]string{"TELEGRAM_BOT_TOKEN": token, "RETENTION": tt.period, "RETENTION_WARNING": tt.warning}))
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("RETENTION=%q RETENTION_WARNING=%q: err = %v, want it to say %q", tt.period, tt.warning, err, tt.wantErr)
			}
			continue
		}
		if err != nil || c.Retention != tt.want {
			t.Errorf("RETENTION=%q RETENTION_WARNING=%q: %+v, %v; want %+v", tt.period, tt.warning, c.Retention, err, tt.want)
		}
	}
}

// A resident's state outlives the retention period, so that the sweep
// finds it to warn them and then deletes it; the warning comes before the
// deletion and the sweep runs often enough to keep its dates.
func TestRetentionAgreesWithTheStateTTL(t *testing.T) {
	if err := DefaultTiming.Check(); err != nil {
		t.Fatal(err)
	}
	if ttl := DefaultTiming.StateTTL(); ttl <= DefaultTiming.Retention.Period {
		t.Errorf("the state lives %v, not longer than the retention period %v: it could expire before the sweep", ttl, DefaultTiming.Retention.Period)
	}
	var zero Timing
	if zero.StateTTL() != DefaultTiming.StateTTL() {
		t.Errorf("a timing without retention keeps states %v, want the default's %v", zero.StateTTL(), DefaultTiming.StateTTL())
	}
	for name, edit := range map[string]func(*Timing){
		"warning not before the deletion": func(t *Timing) { t.Retention.Warning = t.Retention.Period },
		"no retention":                    func(t *Timing) { t.Retention.Period = 0 },
		"sweep slower than the warning":   func(t *Timing) { t.Sweep = t.Retention.Warning },
		"no sweep":                        func(t *Timing) { t.Sweep = 0 },
	} {
		bad := DefaultTiming
		edit(&bad)
		if bad.Check() == nil {
			t.Errorf("%s: accepted %+v", name, bad)
		}
	}
}
