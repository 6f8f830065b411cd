// Package config reads integrabot's settings from the environment into one
// validated struct that is passed to whoever needs it. No globals.
package config

import (
	"fmt"
	"net"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/integrationsagentur-marl/integrabot/internal/redisurl"
)

// Config is what `integrabot serve` needs.
type Config struct {
	Token      string  // the bot token; never logged
	APIURL     string  // the Bot API base URL
	RedisURL   string  // empty: the embedded in-process store
	KeyPrefix  string  // starts every Redis key, so that several bots can share one Redis
	AdminIDs   []int64 // staff Telegram user ids
	ListenAddr string  // /healthz, /readyz
	ContentDir string  // empty: the embedded content

	WebhookURL    string // empty: long polling
	WebhookSecret string // checked on every webhook request; never logged

	Sending Sending // SEND_RATE, BROADCAST_RATE, PAID_BROADCAST

	ReminderOffsets []time.Duration // REMINDER_OFFSETS: how long before an occurrence its followers are reminded, largest first

	FloodLimit int // FLOOD_LIMIT: updates a resident may send in a flood window (Timing.FloodWindow) before being slowed down

	StaffChatID int64 // STAFF_CHAT_ID: the staff group residents' questions go to; 0: none, the bot offers no hand-off

	HandoffRetention time.Duration // HANDOFF_RETENTION: how long a question to staff and its thread are kept

	PrivacyContact string // PRIVACY_CONTACT: who is responsible for residents' data, shown in the privacy text; empty: the agency's name

	Retention Retention // RETENTION, RETENTION_WARNING: how long a silent resident's data is kept, and when followers are warned
}

var secretPattern = regexp.MustCompile(`^[A-Za-z0-9_-]{16,256}$`)

// DefaultAPIURL is Telegram's public Bot API.
const DefaultAPIURL = "https://api.telegram.org"

var tokenPattern = regexp.MustCompile(`^[0-9]{3,20}:[A-Za-z0-9_-]{30,64}$`)

// FromEnv reads the configuration. The error names the variable and what is
// wrong with it, never the token itself.
func FromEnv(env func(string) string) (Config, error) {
	c := Config{
		APIURL:     strings.TrimRight(or(env("TELEGRAM_API_URL"), DefaultAPIURL), "/"),
		RedisURL:   env("REDIS_URL"),
		KeyPrefix:  or(env("REDIS_KEY_PREFIX"), "ib:"),
		ListenAddr: or(env("LISTEN_ADDR"), ":8080"),
		ContentDir: env("CONTENT_DIR"),
	}
	token, err := readToken(env)
	if err != nil {
		return c, err
	}
	c.Token = token
	if u, err := url.Parse(c.APIURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return c, fmt.Errorf("TELEGRAM_API_URL: %q is not an http(s) URL", c.APIURL)
	}
	if c.RedisURL != "" {
		if _, err := redisurl.Parse(c.RedisURL); err != nil {
			return c, fmt.Errorf("REDIS_URL: %v (write it like redis://localhost:6379/0; see README for Sentinel and Cluster)", redactURL(err.Error(), c.RedisURL))
		}
	}
	for _, f := range strings.FieldsFunc(env("ADMIN_IDS"), func(r rune) bool { return r == ',' || r == ' ' }) {
		id, err := strconv.ParseInt(f, 10, 64)
		if err != nil || id <= 0 {
			return c, fmt.Errorf("ADMIN_IDS: %q is not a Telegram user id (numbers, separated by commas)", f)
		}
		c.AdminIDs = append(c.AdminIDs, id)
	}
	if _, port, err := net.SplitHostPort(c.ListenAddr); err != nil || port == "" {
		return c, fmt.Errorf("LISTEN_ADDR: %q is not host:port (like :8080)", c.ListenAddr)
	} else if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		// 0 stays allowed: any free port, as the end-to-end tests that run the binary ask for
		return c, fmt.Errorf("LISTEN_ADDR: %q: the port must be a number from 1 to 65535 (like :8080)", c.ListenAddr)
	}
	if err := c.readWebhook(env); err != nil {
		return c, err
	}
	if c.Sending, err = readSending(env); err != nil {
		return c, err
	}
	if c.ReminderOffsets, err = readReminderOffsets(env); err != nil {
		return c, err
	}
	if c.FloodLimit, err = readFloodLimit(env); err != nil {
		return c, err
	}
	if c.StaffChatID, err = readStaffChat(env); err != nil {
		return c, err
	}
	if c.PrivacyContact, err = readPrivacyContact(env); err != nil {
		return c, err
	}
	if c.Retention, err = readRetention(env); err != nil {
		return c, err
	}
	if c.HandoffRetention, err = readHandoffRetention(env, c.Retention.Period); err != nil {
		return c, err
	}
	if c.ContentDir != "" {
		if st, err := os.Stat(c.ContentDir); err != nil || !st.IsDir() {
			return c, fmt.Errorf("CONTENT_DIR: %q is not a folder", c.ContentDir)
		}
	}
	return c, nil
}

func readToken(env func(string) string) (string, error) {
	token, file := strings.TrimSpace(env("TELEGRAM_BOT_TOKEN")), env("TELEGRAM_BOT_TOKEN_FILE")
	switch {
	case token != "" && file != "":
		return "", fmt.Errorf("TELEGRAM_BOT_TOKEN and TELEGRAM_BOT_TOKEN_FILE are both set; set one")
	case file != "":
		data, err := os.ReadFile(file)
		if err != nil {
			return "", fmt.Errorf("TELEGRAM_BOT_TOKEN_FILE: cannot read %q: %v", file, err)
		}
		token = strings.TrimSpace(string(data))
	case token == "":
		return "", fmt.Errorf("TELEGRAM_BOT_TOKEN: missing (or set TELEGRAM_BOT_TOKEN_FILE); get a token from @BotFather, or try `integrabot chat` without one")
	}
	if !tokenPattern.MatchString(token) {
		return "", fmt.Errorf("TELEGRAM_BOT_TOKEN: does not look like a bot token (digits, a colon, then 30 or more letters)")
	}
	return token, nil
}

func (c *Config) readWebhook(env func(string) string) error {
	c.WebhookURL = env("WEBHOOK_URL")
	secret, file := env("WEBHOOK_SECRET"), env("WEBHOOK_SECRET_FILE")
	if file != "" {
		data, err := os.ReadFile(file)
		if err != nil {
			return fmt.Errorf("WEBHOOK_SECRET_FILE: cannot read %q: %v", file, err)
		}
		secret = strings.TrimSpace(string(data))
	}
	c.WebhookSecret = secret
	if c.WebhookURL == "" {
		if secret != "" {
			return fmt.Errorf("WEBHOOK_SECRET is set but WEBHOOK_URL is not; set both for webhook mode, neither for polling")
		}
		return nil
	}
	u, err := url.Parse(c.WebhookURL)
	local := err == nil && (u.Hostname() == "127.0.0.1" || u.Hostname() == "localhost" || u.Hostname() == "::1")
	if err != nil || u.Host == "" || (u.Scheme != "https" && !(u.Scheme == "http" && local)) {
		return fmt.Errorf("WEBHOOK_URL: %q is not an https URL", c.WebhookURL)
	}
	if err := checkRoute(u); err != nil {
		return fmt.Errorf("WEBHOOK_URL: %q: %v", c.WebhookURL, err)
	}
	if !secretPattern.MatchString(secret) {
		return fmt.Errorf("WEBHOOK_SECRET: needed with WEBHOOK_URL: 16 to 256 characters of A-Z, a-z, 0-9, _ and - (for example the output of: openssl rand -hex 32)")
	}
	return nil
}

// routeSegment is what one segment of the webhook's path may hold: RFC 3986's
// unreserved characters and sub-delimiters, ':' and '@' — no '%' escapes, no
// space, and no braces (net/http's ServeMux reads those as wildcards).
var routeSegment = regexp.MustCompile(`^[A-Za-z0-9._~!$&'()*+,;=:@-]+$`)

// checkRoute tells whether the URL's path can be the webhook's route on
// LISTEN_ADDR: one that net/http's ServeMux registers beside /healthz,
// /readyz and /metrics (it panics on a pattern it cannot parse or that is taken) and that the
// requests Telegram sends to the URL match as they are.
func checkRoute(u *url.URL) error {
	if u.RawPath != "" || strings.ContainsAny(u.Path, "%") {
		return fmt.Errorf("the path must not hold %%-escapes")
	}
	switch u.Path {
	case "/healthz", "/readyz", "/metrics": // served by internal/app on the same address
		return fmt.Errorf("the path %s is already served on LISTEN_ADDR; choose another, like /telegram", u.Path)
	}
	if u.Path == "" || u.Path == "/" {
		return nil
	}
	segments := strings.Split(strings.TrimSuffix(strings.TrimPrefix(u.Path, "/"), "/"), "/")
	for _, seg := range segments {
		switch {
		case seg == "" || seg == "." || seg == "..":
			return fmt.Errorf("the path must not hold empty, . or .. parts")
		case !routeSegment.MatchString(seg):
			return fmt.Errorf("the path may hold only letters, digits and -._~!$&'()*+,;=:@ between its slashes (no spaces)")
		}
	}
	return nil
}

// WebhookPath is the path on LISTEN_ADDR that receives webhook requests.
func (c Config) WebhookPath() string {
	u, err := url.Parse(c.WebhookURL)
	if err != nil || u.Path == "" {
		return "/"
	}
	return u.Path
}

// redactURL keeps a Redis password out of an error message.
func redactURL(msg, raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.User == nil {
		return msg
	}
	if p, ok := u.User.Password(); ok && p != "" {
		msg = strings.ReplaceAll(msg, p, "***")
	}
	return msg
}

func or(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
