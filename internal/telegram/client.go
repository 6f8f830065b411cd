package telegram

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"

	"github.com/go-telegram/bot"
)

// Client makes the Bot API calls of every update: the messages the Sender
// delivers, getUpdates for the Poller, and answerCallbackQuery.
// go-telegram/bot makes the others (setWebhook, setMyCommands); for these,
// which run for every resident's message, it costs too much: it streams a
// multipart form through a pipe and decodes the whole sent message twice.
// The Client posts one JSON body and returns the library's error values;
// a sent message is decoded only when its id is wanted.
type Client struct {
	base   string // base URL + "/bot" + token + "/"
	token  string
	client *http.Client
}

// NewClient returns a client for the Bot API at baseURL (https://api.telegram.org).
func NewClient(baseURL, token string, client *http.Client) *Client {
	return &Client{base: baseURL + "/bot" + token + "/", token: token, client: client}
}

// AnswerCallbackQuery stops the spinner on a pressed button.
func (c *Client) AnswerCallbackQuery(ctx context.Context, p *bot.AnswerCallbackQueryParams) error {
	return c.call(ctx, "answerCallbackQuery", p, nil)
}

// envelope is every Bot API answer; Result stays undecoded until it is needed.
type envelope struct {
	OK          bool            `json:"ok"`
	Result      json.RawMessage `json:"result"`
	ErrorCode   int             `json:"error_code"`
	Description string          `json:"description"`
	Parameters  struct {
		RetryAfter      int   `json:"retry_after"`
		MigrateToChatID int64 `json:"migrate_to_chat_id"`
	} `json:"parameters"`
}

// call posts params as JSON and decodes the result into dest. Errors never
// hold the token and are go-telegram/bot's: errors.Is(err, bot.ErrorForbidden),
// errors.As(err, **bot.TooManyRequestsError) and the others work as with it.
func (c *Client) call(ctx context.Context, method string, params, dest any) error {
	env, err := c.post(ctx, method, params)
	if err != nil {
		return err
	}
	if !env.OK {
		return libraryError(method, env)
	}
	if dest != nil {
		if err := decodeResult(env, dest); err != nil {
			return fmt.Errorf("%s: result not understood: %w", method, err)
		}
	}
	return nil
}

var okPrefix = []byte(`{"ok":true`)

// post makes one call and returns Telegram's answer, whatever it says.
func (c *Client) post(ctx context.Context, method string, params any) (envelope, error) {
	body, err := json.Marshal(params)
	if err != nil {
		return envelope{}, fmt.Errorf("%s: %w", method, err)
	}
	return c.postBody(ctx, method, body, "application/json")
}

// postBody makes one call with a JSON body made already.
func (c *Client) postBody(ctx context.Context, method string, body []byte, contentType string) (envelope, error) {
	var env envelope
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.base+method, bytes.NewReader(body))
	if err != nil {
		return env, Redact(fmt.Errorf("%s: %w", method, err), c.token)
	}
	req.Header.Set("Content-Type", contentType)
	resp, err := c.client.Do(req)
	if err != nil {
		return env, Redact(fmt.Errorf("%s: %w", method, err), c.token)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return env, Redact(fmt.Errorf("%s: read answer: %w", method, err), c.token)
	}
	if resp.StatusCode == http.StatusOK && bytes.HasPrefix(data, okPrefix) {
		// Telegram's success, as it always writes it: the result is decoded
		// only when the caller wants it
		env.OK, env.Result = true, data
		return env, nil
	}
	if err := json.Unmarshal(data, &env); err != nil {
		return env, fmt.Errorf("%s: answer is not JSON (HTTP %d): %w", method, resp.StatusCode, err)
	}
	if !env.OK && env.ErrorCode == 0 {
		env.ErrorCode = resp.StatusCode
	}
	return env, nil
}

// decodeResult decodes the result of a successful answer into dest.
func decodeResult(env envelope, dest any) error {
	raw := env.Result
	if bytes.HasPrefix(raw, okPrefix) { // the whole answer, from post's fast path
		var full envelope
		if err := json.Unmarshal(raw, &full); err != nil {
			return err
		}
		raw = full.Result
	}
	return json.Unmarshal(raw, dest)
}

// libraryError is the error go-telegram/bot returns for the same answer,
// always behind the method's name, once: callers do not add it again.
// A 429 or a migration is wrapped, so errors.As finds it (bot.IsTooManyRequestsError
// does not see through wrapping).
func libraryError(method string, env envelope) error {
	switch env.ErrorCode {
	case http.StatusForbidden:
		return fmt.Errorf("%s: %w, %s", method, bot.ErrorForbidden, env.Description)
	case http.StatusBadRequest:
		if env.Parameters.MigrateToChatID != 0 {
			return fmt.Errorf("%s: %w", method, &bot.MigrateError{Message: fmt.Sprintf("%s: %s", bot.ErrorBadRequest, env.Description), MigrateToChatID: int(env.Parameters.MigrateToChatID)})
		}
		return fmt.Errorf("%s: %w, %s", method, bot.ErrorBadRequest, env.Description)
	case http.StatusUnauthorized:
		return fmt.Errorf("%s: %w, %s", method, bot.ErrorUnauthorized, env.Description)
	case http.StatusNotFound:
		return fmt.Errorf("%s: %w, %s", method, bot.ErrorNotFound, env.Description)
	case http.StatusConflict:
		return fmt.Errorf("%s: %w, %s", method, bot.ErrorConflict, env.Description)
	case http.StatusTooManyRequests:
		return fmt.Errorf("%s: %w", method, &bot.TooManyRequestsError{Message: fmt.Sprintf("%s, %s", bot.ErrorTooManyRequests, env.Description), RetryAfter: env.Parameters.RetryAfter})
	}
	return fmt.Errorf("%s: error response from telegram, %d %s", method, env.ErrorCode, env.Description)
}

// sendBody makes a call that sends a message, with its JSON body made
// already, and, when wantID, returns the new message's id (decoding the
// echoed message only then).
func (c *Client) sendBody(ctx context.Context, method string, body []byte, contentType string, wantID bool) (int, error) {
	env, err := c.postBody(ctx, method, body, contentType)
	if err != nil {
		return 0, err
	}
	if !env.OK {
		return 0, libraryError(method, env)
	}
	if !wantID {
		return 0, nil
	}
	var sent struct {
		ID int `json:"message_id"`
	}
	if err := decodeResult(env, &sent); err != nil {
		return 0, fmt.Errorf("%s: result not understood: %w", method, err)
	}
	return sent.ID, nil
}
