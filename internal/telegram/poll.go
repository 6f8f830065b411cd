package telegram

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
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
	c       *Client
	timeout time.Duration
}

// NewPoller returns a poller against the Bot API at baseURL (https://api.telegram.org).
func NewPoller(baseURL, token string, timeout time.Duration) *Poller {
	return &Poller{c: NewClient(baseURL, token, &http.Client{Timeout: timeout + 10*time.Second}), timeout: timeout}
}

// Fetch returns the updates from offset on (waiting up to the poll timeout
// for one) and confirms every update before offset. Updates up to known the
// caller has already; they are left out.
func (p *Poller) Fetch(ctx context.Context, offset int64, limit int, wait bool, known int64) ([]models.Update, error) {
	params := map[string]any{"offset": offset, "limit": limit, "allowed_updates": AllowedUpdates}
	if wait {
		params["timeout"] = int(p.timeout / time.Second)
	}
	env, err := p.c.post(ctx, "getUpdates", params)
	if err != nil {
		return nil, err
	}
	if !env.OK {
		if env.ErrorCode == http.StatusUnauthorized {
			return nil, ErrUnauthorized
		}
		return nil, &APIError{Method: "getUpdates", Code: env.ErrorCode, Description: env.Description, RetryAfter: time.Duration(env.Parameters.RetryAfter) * time.Second}
	}
	if ups, ok := decodeUpdates(env); ok {
		return after(ups, known), nil
	}
	raws, err := updatesOf(env)
	if err != nil {
		return nil, fmt.Errorf("getUpdates: updates not understood: %w", err)
	}
	ups := make([]models.Update, 0, len(raws))
	for _, raw := range raws {
		var u models.Update
		if err := json.Unmarshal(raw, &u); err != nil {
			// one odd update must not stop all others: it comes without
			// content, is not answered, and is confirmed like the rest
			var id struct {
				ID int64 `json:"update_id"`
			}
			if err := json.Unmarshal(raw, &id); err != nil {
				return nil, fmt.Errorf("getUpdates: update not understood: %w", err)
			}
			u = models.Update{ID: id.ID}
		}
		if u.ID <= known {
			continue
		}
		ups = append(ups, u)
	}
	return ups, nil
}

// decodeUpdates reads getUpdates' answer in one go, as nearly always;
// false when some update in it is odd (Fetch then reads them one by one).
func decodeUpdates(env envelope) ([]models.Update, bool) {
	var answer struct {
		Result []models.Update `json:"result"`
	}
	if !bytes.HasPrefix(env.Result, okPrefix) || json.Unmarshal(env.Result, &answer) != nil {
		return nil, false
	}
	return answer.Result, true
}

// after leaves out the updates up to known, in place.
func after(ups []models.Update, known int64) []models.Update {
	out := ups[:0]
	for _, u := range ups {
		if u.ID > known {
			out = append(out, u)
		}
	}
	return out
}

// updatesOf splits getUpdates' result into its updates. The whole answer
// (post's fast path) is read once, not once for the envelope and once more
// for its result: at a thousand updates a second, each reading of the
// bytes costs.
func updatesOf(env envelope) ([]json.RawMessage, error) {
	if !bytes.HasPrefix(env.Result, okPrefix) {
		var raws []json.RawMessage
		err := json.Unmarshal(env.Result, &raws)
		return raws, err
	}
	var answer struct {
		Result []json.RawMessage `json:"result"`
	}
	err := json.Unmarshal(env.Result, &answer)
	return answer.Result, err
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
