package telegram

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/go-telegram/bot/models"
)

// AllowedUpdates are the update types the bot handles; Telegram sends no others.
var AllowedUpdates = []string{"message", "callback_query", "my_chat_member"}

// ErrUnauthorized means Telegram rejected the token: retrying cannot help.
var ErrUnauthorized = errors.New("telegram rejected the bot token (401)")

// Poller fetches updates with getUpdates. go-telegram/bot's own polling
// confirms an update before it is handled and drops what is queued on
// shutdown; the Poller leaves confirming to its caller: an update is
// confirmed by the next call's offset only.
type Poller struct {
	url     string // base URL + "/bot" + token + "/getUpdates"
	token   string
	client  *http.Client
	timeout time.Duration
}

// NewPoller returns a poller against the Bot API at baseURL (https://api.telegram.org).
func NewPoller(baseURL, token string, timeout time.Duration) *Poller {
	return &Poller{
		url:     baseURL + "/bot" + token + "/getUpdates",
		token:   token,
		client:  &http.Client{Timeout: timeout + 10*time.Second},
		timeout: timeout,
	}
}

// Fetch returns the updates from offset on (waiting up to the poll timeout
// for one) and confirms every update before offset.
func (p *Poller) Fetch(ctx context.Context, offset int64, limit int, wait bool) ([]models.Update, error) {
	params := map[string]any{"offset": offset, "limit": limit, "allowed_updates": AllowedUpdates}
	if wait {
		params["timeout"] = int(p.timeout / time.Second)
	}
	body, _ := json.Marshal(params)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, p.url, bytes.NewReader(body))
	if err != nil {
		return nil, Redact(fmt.Errorf("getUpdates: %w", err), p.token)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := p.client.Do(req)
	if err != nil {
		return nil, Redact(fmt.Errorf("getUpdates: %w", err), p.token)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return nil, Redact(fmt.Errorf("getUpdates: read answer: %w", err), p.token)
	}
	var r struct {
		OK          bool            `json:"ok"`
		Result      []models.Update `json:"result"`
		ErrorCode   int             `json:"error_code"`
		Description string          `json:"description"`
		Parameters  struct {
			RetryAfter int `json:"retry_after"`
		} `json:"parameters"`
	}
	if err := json.Unmarshal(data, &r); err != nil {
		return nil, fmt.Errorf("getUpdates: answer is not JSON (HTTP %d): %w", resp.StatusCode, err)
	}
	if !r.OK {
		if r.ErrorCode == http.StatusUnauthorized {
			return nil, ErrUnauthorized
		}
		return nil, &APIError{Method: "getUpdates", Code: r.ErrorCode, Description: r.Description, RetryAfter: time.Duration(r.Parameters.RetryAfter) * time.Second}
	}
	return r.Result, nil
}

// APIError is an error answer of the Bot API.
type APIError struct {
	Method      string
	Code        int
	Description string
	RetryAfter  time.Duration
}

func (e *APIError) Error() string {
	return fmt.Sprintf("%s: telegram answered %d: %s", e.Method, e.Code, e.Description)
}
