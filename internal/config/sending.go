package config

import (
	"fmt"
	"strconv"
	"strings"
)

// Sending is how fast the bot may send: Telegram's limit is the bot's
// capacity, shared by all replicas.
type Sending struct {
	Rate          float64 // messages a second for the whole bot (SEND_RATE)
	BroadcastRate float64 // what reminders and broadcasts may use of it (BROADCAST_RATE)
	Paid          bool    // PAID_BROADCAST: messages carry allow_paid_broadcast, Rate up to 1000
}

// Limits of SEND_RATE: Telegram lets a bot send about 30 messages a second,
// and up to 1000 with paid broadcasts.
const (
	DefaultSendRate      = 25
	DefaultBroadcastRate = 20
	maxFreeRate          = 30
	maxPaidRate          = 1000
)

func readSending(env func(string) string) (Sending, error) {
	s := Sending{Rate: DefaultSendRate, BroadcastRate: DefaultBroadcastRate}
	if v := strings.TrimSpace(env("PAID_BROADCAST")); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return s, fmt.Errorf("PAID_BROADCAST: %q is not true or false", v)
		}
		s.Paid = b
	}
	limit := float64(maxFreeRate)
	if s.Paid {
		limit = maxPaidRate
	}
	rate, err := positive(env, "SEND_RATE", s.Rate, limit, s.Paid)
	if err != nil {
		return s, err
	}
	s.Rate = rate
	bdef := min(s.BroadcastRate, s.Rate)
	if s.Paid && env("BROADCAST_RATE") == "" {
		bdef = s.Rate * 0.8 // leave a fifth for answers to residents
	}
	if s.BroadcastRate, err = positive(env, "BROADCAST_RATE", bdef, s.Rate, false); err != nil {
		return s, err
	}
	return s, nil
}

func positive(env func(string) string, name string, def, limit float64, paid bool) (float64, error) {
	v := strings.TrimSpace(env(name))
	if v == "" {
		return def, nil
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || f <= 0 {
		return 0, fmt.Errorf("%s: %q is not a positive number of messages a second", name, v)
	}
	if f > limit {
		switch {
		case name == "BROADCAST_RATE":
			return 0, fmt.Errorf("BROADCAST_RATE: %v is more than SEND_RATE (%v); broadcasts share the bot's rate", f, limit)
		case paid:
			return 0, fmt.Errorf("%s: %v is more than Telegram allows even with paid broadcasts (%v a second)", name, f, limit)
		default:
			return 0, fmt.Errorf("%s: %v is more than Telegram allows a bot (about %v a second); set PAID_BROADCAST=true for up to %v", name, f, limit, maxPaidRate)
		}
	}
	return f, nil
}
