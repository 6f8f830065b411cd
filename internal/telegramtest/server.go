package telegramtest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// User is a Telegram user as the fake server's residents are described.
type User struct {
	ID           int64
	FirstName    string
	LastName     string
	LanguageCode string
	Username     string
}

// Button is one inline keyboard button of a message the bot sent, reduced
// to the action Telegram would actually use for it.
type Button struct {
	Text         string
	CallbackData string
	URL          string
	CopyText     string
}

// Contact is the payload of a sendContact call.
type Contact struct {
	PhoneNumber string
	FirstName   string
	LastName    string
	VCard       string
}

// Document is the payload of a sendDocument call.
type Document struct {
	FileName string // name of the uploaded file part; empty for a file_id or URL
	FileID   string // the file_id or URL when no file was uploaded
	Size     int64
	Data     []byte
	Caption  string
}

// Sent is one accepted outgoing message-like call of the bot: sendMessage,
// sendContact, sendDocument, sendPhoto, editMessageText or editMessageReplyMarkup.
type Sent struct {
	Method    string
	ChatID    int64
	MessageID int
	// Text is the message text after entity parsing and trimming, i.e. as
	// the user sees it; for sendDocument it is the parsed caption.
	Text string
	// RawText is the text (or caption) parameter as the bot sent it.
	RawText   string
	ParseMode string
	Entities  []Entity
	// Buttons is the inline keyboard; nil when the message has none.
	Buttons [][]Button
	// Keyboard is the reply keyboard (button texts); nil when none was sent.
	Keyboard [][]string
	// RemoveKeyboard is set when reply_markup was a ReplyKeyboardRemove.
	RemoveKeyboard bool
	Contact        *Contact
	Document       *Document
	// PaidBroadcast is set when the send carried allow_paid_broadcast=true
	// (a paid broadcast, counted against its own global limit).
	PaidBroadcast bool
	// ReplyTo is the message this one replies to (reply_parameters or
	// reply_to_message_id); 0 when none.
	ReplyTo int
	At      time.Time
}

// Rejection is one call the server answered with an error.
type Rejection struct {
	Method      string
	Status      int
	Description string
	RetryAfter  int
	At          time.Time
}

// BotCommand is one command stored by setMyCommands.
type BotCommand struct {
	Command     string `json:"command"`
	Description string `json:"description"`
}

// CallbackAnswer is the bot's answerCallbackQuery for a pressed button.
type CallbackAnswer struct {
	QueryID   string
	Text      string
	ShowAlert bool
	URL       string
	CacheTime int
}

// Option configures a Server.
type Option func(*config)

type config struct {
	botID             int64
	botUsername       string
	botFirstName      string
	globalPerSec      float64
	perChatPerSec     float64
	groupPerMin       int
	webhookRetryDelay time.Duration
	firstUpdateID     int64
}

// WithBotUser sets the bot's own user id and username (what getMe returns
// and what the bot's messages are "from"). By default the id is the numeric
// prefix of the token and the username is "test_bot".
func WithBotUser(id int64, username string) Option {
	return func(c *config) {
		c.botID = id
		c.botUsername = strings.TrimPrefix(username, "@")
	}
}

// WithBotName sets the bot's first name (default "Test Bot").
func WithBotName(firstName string) Option {
	return func(c *config) { c.botFirstName = firstName }
}

// WithRateLimits turns on Telegram's flood limits for message sending
// methods (send*): at most globalPerSec messages per second in total, at
// most perChatPerSec per second to one private chat and at most groupPerMin
// per minute to one group. A zero value leaves that limit off. Excess calls
// get 429 "Too Many Requests: retry after N" with parameters.retry_after.
// Telegram's documented values are 30, 1 and 20. With the global limit on, a
// send with allow_paid_broadcast=true (a paid broadcast) counts against a
// separate global limit of 1000 per second instead; the per-chat and group
// limits apply to it as to any send.
func WithRateLimits(globalPerSec, perChatPerSec float64, groupPerMin int) Option {
	return func(c *config) {
		c.globalPerSec = globalPerSec
		c.perChatPerSec = perChatPerSec
		c.groupPerMin = groupPerMin
	}
}

// WithWebhookRetryDelay sets how long the webhook deliverer waits before
// retrying an update the webhook did not accept (default 50ms; Telegram
// itself backs off for seconds).
func WithWebhookRetryDelay(d time.Duration) Option {
	return func(c *config) { c.webhookRetryDelay = d }
}

// WithFirstUpdateID sets the update_id of the first queued update
// (default 1).
func WithFirstUpdateID(id int64) Option {
	return func(c *config) { c.firstUpdateID = id }
}

// Server is a running fake Bot API server. All methods are safe for
// concurrent use.
type Server struct {
	// URL is the base URL to hand to the bot client, e.g.
	// http://127.0.0.1:34567; requests go to URL + "/bot" + Token + "/method".
	URL string
	// Token is the only bot token the server accepts.
	Token string

	cfg     config
	httpSrv *httptest.Server
	client  *http.Client
	done    chan struct{}
	wg      sync.WaitGroup

	mu       sync.Mutex
	changed  chan struct{}
	closed   bool
	chats    map[int64]*chat
	users    map[int64]User
	queue    []*queuedUpdate
	nextID   int64
	allowed  map[string]bool
	poll     *longPoll
	hook     *webhook
	nextHook time.Time

	sent              []Sent
	calls             map[string]int
	rejected          []Rejection
	commands          map[string][]BotCommand
	names             map[string]string
	descriptions      map[string]string
	shortDescriptions map[string]string
	callbacks         map[string]*callbackState
	callbackByUpdate  map[int64]string
	callbackSeq       int64
	failures          map[string][]*apiError
	blocked           map[int64]bool
	rate              rateState
}

// New starts a fake Bot API server on 127.0.0.1 that accepts token.
func New(token string, opts ...Option) *Server {
	cfg := config{
		botUsername:       "test_bot",
		botFirstName:      "Test Bot",
		webhookRetryDelay: 50 * time.Millisecond,
		firstUpdateID:     1,
	}
	if prefix, _, ok := strings.Cut(token, ":"); ok {
		if id, err := strconv.ParseInt(prefix, 10, 64); err == nil {
			cfg.botID = id
		}
	}
	if cfg.botID == 0 {
		cfg.botID = 1000
	}
	for _, o := range opts {
		o(&cfg)
	}
	s := &Server{
		Token:             token,
		cfg:               cfg,
		done:              make(chan struct{}),
		changed:           make(chan struct{}),
		chats:             map[int64]*chat{},
		users:             map[int64]User{},
		nextID:            cfg.firstUpdateID,
		calls:             map[string]int{},
		commands:          map[string][]BotCommand{},
		names:             map[string]string{},
		descriptions:      map[string]string{},
		shortDescriptions: map[string]string{},
		callbacks:         map[string]*callbackState{},
		callbackByUpdate:  map[int64]string{},
		failures:          map[string][]*apiError{},
		blocked:           map[int64]bool{},
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic("telegramtest: listen on 127.0.0.1: " + err.Error())
	}
	s.httpSrv = &httptest.Server{Listener: l, Config: &http.Server{Handler: s}}
	s.httpSrv.Start()
	s.URL = s.httpSrv.URL
	// Telegram keeps its connections to a webhook open, up to max_connections (at most 100)
	s.client = &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{
		MaxIdleConnsPerHost: 100,
		Proxy:               nil,
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second, Control: loopbackOnly}).DialContext,
	}, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse // Telegram does not follow webhook redirects
	}}
	return s
}

// errNotLoopback keeps webhook deliveries on this machine: tests must not
// send traffic anywhere else, whatever URL the bot under test registers.
var errNotLoopback = errors.New("telegramtest delivers webhooks to loopback addresses only")

func loopbackOnly(_, address string, _ syscall.RawConn) error {
	host, _, err := net.SplitHostPort(address)
	if err != nil {
		return err
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return errNotLoopback
	}
	return nil
}

// Close stops the webhook deliverer, ends pending long polls and shuts the
// HTTP server down. It waits for the server's own goroutines to finish.
func (s *Server) Close() {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return
	}
	s.closed = true
	close(s.done)
	if s.hook != nil {
		s.hook.cancel()
	}
	s.signalLocked()
	s.mu.Unlock()
	s.wg.Wait()
	s.client.CloseIdleConnections()
	s.httpSrv.CloseClientConnections()
	s.httpSrv.Close()
}

// signalLocked wakes everything waiting for a state change. s.mu must be
// held.
func (s *Server) signalLocked() {
	close(s.changed)
	s.changed = make(chan struct{})
}

// apiError is an error answer of the API.
type apiError struct {
	code       int
	desc       string
	retryAfter int
}

func badRequest(msg string) *apiError {
	return &apiError{code: 400, desc: "Bad Request: " + msg}
}

func forbidden(msg string) *apiError {
	return &apiError{code: 403, desc: "Forbidden: " + msg}
}

func tooMany(retryAfter int) *apiError {
	if retryAfter < 1 {
		retryAfter = 1
	}
	return &apiError{code: 429, desc: "Too Many Requests: retry after " + strconv.Itoa(retryAfter), retryAfter: retryAfter}
}

func conflict(msg string) *apiError { return &apiError{code: 409, desc: msg} }

// okResult is a successful answer; description is sent along when set, as
// Telegram does for setWebhook.
type okResult struct {
	result      any
	description string
}

type handler func(s *Server, ctx context.Context, p *params) (okResult, *apiError)

// method names in their canonical spelling, looked up case-insensitively.
var methods = map[string]handler{}

var canonical = map[string]string{}

func register(name string, h handler) {
	methods[strings.ToLower(name)] = h
	canonical[strings.ToLower(name)] = name
}

func init() {
	register("getMe", (*Server).getMe)
	register("getUpdates", (*Server).getUpdates)
	register("setWebhook", (*Server).setWebhook)
	register("deleteWebhook", (*Server).deleteWebhook)
	register("getWebhookInfo", (*Server).getWebhookInfo)
	register("sendMessage", (*Server).sendMessage)
	register("sendContact", (*Server).sendContact)
	register("sendDocument", (*Server).sendDocument)
	register("sendPhoto", (*Server).sendPhoto)
	register("sendChatAction", (*Server).sendChatAction)
	register("editMessageText", (*Server).editMessageText)
	register("editMessageReplyMarkup", (*Server).editMessageReplyMarkup)
	register("deleteMessage", (*Server).deleteMessage)
	register("answerCallbackQuery", (*Server).answerCallbackQuery)
	register("setMyCommands", (*Server).setMyCommands)
	register("getMyCommands", (*Server).getMyCommands)
	register("deleteMyCommands", (*Server).deleteMyCommands)
	register("setMyName", (*Server).setMyName)
	register("getMyName", (*Server).getMyName)
	register("setMyDescription", (*Server).setMyDescription)
	register("getMyDescription", (*Server).getMyDescription)
	register("setMyShortDescription", (*Server).setMyShortDescription)
	register("getMyShortDescription", (*Server).getMyShortDescription)
}

// ServeHTTP implements the Bot API endpoint /bot<token>/<method>.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rest, ok := strings.CutPrefix(r.URL.Path, "/bot")
	if !ok {
		writeError(w, &apiError{code: 404, desc: "Not Found"})
		return
	}
	token, method, ok := strings.Cut(rest, "/")
	if !ok || method == "" || strings.Contains(method, "/") {
		writeError(w, &apiError{code: 404, desc: "Not Found"})
		return
	}
	name, known := canonical[strings.ToLower(method)]
	if !known {
		name = method
	}
	s.mu.Lock()
	s.calls[strings.ToLower(method)]++
	s.mu.Unlock()
	if token != s.Token {
		s.reject(w, name, &apiError{code: 401, desc: "Unauthorized"})
		return
	}
	if !known {
		s.reject(w, name, &apiError{code: 404, desc: "Not Found"})
		return
	}
	p, perr := readParams(r)
	if perr == errUnread {
		// the client went away while it sent (a long poll cancelled with
		// its body still streaming): nothing Telegram judged, so no rejection
		writeError(w, perr)
		return
	}
	if perr != nil {
		s.reject(w, name, perr)
		return
	}
	if f, ok := s.takeFailure(name); ok {
		s.reject(w, name, f)
		return
	}
	res, aerr := methods[strings.ToLower(method)](s, r.Context(), p)
	if aerr != nil {
		if aerr.code == 0 { // the client went away during a long poll
			return
		}
		s.reject(w, name, aerr)
		return
	}
	body := map[string]any{"ok": true, "result": res.result}
	if res.description != "" {
		body["description"] = res.description
	}
	writeJSON(w, http.StatusOK, body)
}

func (s *Server) reject(w http.ResponseWriter, method string, e *apiError) {
	s.mu.Lock()
	s.rejected = append(s.rejected, Rejection{Method: method, Status: e.code, Description: e.desc, RetryAfter: e.retryAfter, At: time.Now()})
	s.signalLocked()
	s.mu.Unlock()
	writeError(w, e)
}

func writeError(w http.ResponseWriter, e *apiError) {
	body := map[string]any{"ok": false, "error_code": e.code, "description": e.desc}
	if e.retryAfter > 0 {
		body["parameters"] = map[string]any{"retry_after": e.retryAfter}
	}
	writeJSON(w, e.code, body)
}

func writeJSON(w http.ResponseWriter, status int, body any) {
	data, err := json.Marshal(body)
	if err != nil {
		status = http.StatusInternalServerError
		data = []byte(`{"ok":false,"error_code":500,"description":"Internal Server Error: ` + err.Error() + `"}`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(data)))
	w.WriteHeader(status)
	_, _ = w.Write(data)
}

// upload is a file part of a multipart request.
type upload struct {
	filename string
	data     []byte
}

// params are the request parameters, merged from the query string and the
// body (multipart/form-data, x-www-form-urlencoded or JSON) as the Bot API
// merges them. JSON values that are not strings arrive as their JSON text,
// so reply_markup is a JSON string whichever way it was sent.
type params struct {
	values map[string]string
	files  map[string]*upload
}

func (p *params) get(k string) string { return p.values[k] }

func (p *params) has(k string) bool {
	_, ok := p.values[k]
	return ok
}

// int returns an integer parameter, def when it is absent; a value that is
// not a number counts as 0, as in the Bot API.
func (p *params) int(k string, def int64) int64 {
	v, ok := p.values[k]
	if !ok || v == "" {
		return def
	}
	n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
	if err != nil {
		f, ferr := strconv.ParseFloat(strings.TrimSpace(v), 64)
		if ferr != nil {
			return 0
		}
		return int64(f)
	}
	return n
}

// bool is the Bot API's to_bool: "true", "yes" or "1", case-insensitively.
func (p *params) bool(k string) bool {
	switch strings.ToLower(strings.TrimSpace(p.values[k])) {
	case "true", "yes", "1":
		return true
	}
	return false
}

const maxRequestBody = 64 << 20

// errUnread answers a request whose body could not be read to its end.
var errUnread = badRequest("can't read request body")

func readParams(r *http.Request) (*params, *apiError) {
	p := &params{values: map[string]string{}, files: map[string]*upload{}}
	for k, v := range r.URL.Query() {
		if len(v) > 0 {
			p.values[k] = v[0]
		}
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxRequestBody))
	if err != nil {
		return nil, errUnread
	}
	if len(body) == 0 {
		return p, nil
	}
	mediaType, mparams, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch mediaType {
	case "multipart/form-data":
		mr := multipart.NewReader(bytes.NewReader(body), mparams["boundary"])
		for {
			part, err := mr.NextPart()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				return nil, badRequest("can't parse multipart/form-data request")
			}
			data, err := io.ReadAll(part)
			if err != nil {
				return nil, badRequest("can't parse multipart/form-data request")
			}
			if part.FileName() != "" {
				p.files[part.FormName()] = &upload{filename: part.FileName(), data: data}
				continue
			}
			p.values[part.FormName()] = string(data)
		}
	case "application/x-www-form-urlencoded":
		vals, err := url.ParseQuery(string(body))
		if err != nil {
			return nil, badRequest("can't parse x-www-form-urlencoded request")
		}
		for k, v := range vals {
			if len(v) > 0 {
				p.values[k] = v[0]
			}
		}
	case "application/json":
		var obj map[string]json.RawMessage
		if err := json.Unmarshal(body, &obj); err != nil {
			return nil, badRequest("can't parse JSON encoded request")
		}
		for k, raw := range obj {
			var str string
			switch {
			case string(raw) == "null":
				continue
			case json.Unmarshal(raw, &str) == nil:
				p.values[k] = str
			default:
				p.values[k] = string(raw)
			}
		}
	}
	return p, nil
}
