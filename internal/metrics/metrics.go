// Package metrics counts what the bot does, for Prometheus to scrape on
// /metrics. Each Metrics has its own registry (no globals), so tests and
// several bots in one process never share counters.
//
// Labels take only small fixed sets of words: never a chat id, a user id, a
// message text or a token. A value outside its set is counted under a fixed
// fallback (see each method), so a mistake in a caller cannot blow up the
// number of series or leak personal data into the metrics.
package metrics

import (
	"net/http"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// The update kinds, the first argument of Update.
const (
	KindMessage       = "message"
	KindCallbackQuery = "callback_query"
	KindMyChatMember  = "my_chat_member"
	KindOther         = "other"
)

// The update outcomes, the second argument of Update.
const (
	OutcomeAnswered  = "answered"
	OutcomeIgnored   = "ignored"
	OutcomeDuplicate = "duplicate"
	OutcomeFailed    = "failed"
	OutcomePanicked  = "panicked"
	OutcomeFlooded   = "flooded" // over the sender's flood limit: slowed down once, then silent
)

// The results of a Telegram API call, the second argument of APICall (see ResultOf).
const (
	ResultOK              = "ok"
	ResultBadRequest      = "bad_request"
	ResultForbidden       = "forbidden"
	ResultTooManyRequests = "too_many_requests"
	ResultServerError     = "server_error"
	ResultNetworkError    = "network_error"
)

// OtherName is the label value for a Telegram method or Redis operation whose
// name is not a plain word, or that comes after maxNames distinct names.
const OtherName = "other"

var (
	kinds    = []string{KindMessage, KindCallbackQuery, KindMyChatMember, KindOther}
	outcomes = []string{OutcomeAnswered, OutcomeIgnored, OutcomeDuplicate, OutcomeFailed, OutcomePanicked, OutcomeFlooded}
	results  = [...]string{ResultOK, ResultBadRequest, ResultForbidden, ResultTooManyRequests, ResultServerError, ResultNetworkError}

	// the Bot API methods integrabot calls; their series exist from the start
	knownMethods = []string{
		"getUpdates", "getMe", "setMyCommands", "setWebhook", "deleteWebhook",
		"sendMessage", "sendContact", "sendDocument", "sendPhoto", "editMessageText", "answerCallbackQuery",
	}
	// the Store operations that talk to Redis
	knownRedisOps = []string{
		"ping", "claim_update", "finish_update", "release_update", "lock_chat",
		"load_state", "save_state", "delete_state", "set_inactive", "inactive",
		"commit", "take", "head", "ack", "heartbeat",
	}
	messageOutcomes = []string{"sent", "retried", "given_up", "refused", "gone", "too_late", "changed"}
	noticeKinds     = []string{"reminder", "moved", "cancelled", "restored"}
)

// apiCounters are one method's series, one per result, in the order of results.
type apiCounters [len(results)]prometheus.Counter

// maxNames bounds the distinct methods (and, separately, Redis operations)
// counted by name; later new names are counted as OtherName.
const maxNames = 64

// HandlingBuckets are the upper bounds, in seconds, of the update handling
// histogram: from 1 ms (answered from memory) to 10 s (Telegram retried with back-off).
var HandlingBuckets = []float64{0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10}

// Metrics holds the bot's metrics and the registry they are served from.
// Its methods are safe for concurrent use; the per-update ones do a map
// lookup and an atomic add. A nil *Metrics counts nothing, so code and tests
// that have no metrics can pass nil.
type Metrics struct {
	reg     *prometheus.Registry
	handler http.Handler

	updates  map[[2]string]prometheus.Counter // [kind, outcome] → child, all created in New
	handling prometheus.Histogram
	tooMany  prometheus.Counter
	outbox   prometheus.Gauge
	messages map[string]prometheus.Counter // outcome → child, all created in New
	notices  map[string]prometheus.Counter // kind → child, all created in New
	lateness prometheus.Histogram

	apiVec *prometheus.CounterVec
	api    names // method → *apiCounters

	redisVec *prometheus.CounterVec
	redis    names // op → prometheus.Counter
}

// New returns metrics registered in a registry of their own, together with
// the Go runtime and process collectors.
func New() *Metrics {
	m := &Metrics{reg: prometheus.NewRegistry()}
	m.reg.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
	)

	updates := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "integrabot_updates_total",
		Help: "Telegram updates handled, by update type and outcome.",
	}, []string{"type", "outcome"})
	m.updates = make(map[[2]string]prometheus.Counter, len(kinds)*len(outcomes))
	for _, k := range kinds {
		for _, o := range outcomes {
			m.updates[[2]string{k, o}] = updates.WithLabelValues(k, o)
		}
	}

	m.handling = prometheus.NewHistogram(prometheus.HistogramOpts{
		Name:    "integrabot_update_handling_seconds",
		Help:    "Time from receiving an update to having answered it.",
		Buckets: HandlingBuckets,
	})

	m.apiVec = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "integrabot_telegram_api_calls_total",
		Help: "Calls to the Telegram Bot API, by method and result.",
	}, []string{"method", "result"})
	m.api.create = func(method string) any {
		var c apiCounters
		for i, r := range results {
			c[i] = m.apiVec.WithLabelValues(method, r)
		}
		return &c
	}
	m.api.get(OtherName)
	for _, method := range knownMethods {
		m.api.get(method)
	}

	m.tooMany = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "integrabot_telegram_429_total",
		Help: "Answers 429 Too Many Requests from Telegram.",
	})

	m.outbox = prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "integrabot_chats_waiting",
		Help: "Chats with messages committed and not yet sent, all replicas together.",
	})

	m.redisVec = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "integrabot_redis_errors_total",
		Help: "Redis operations that failed, by operation.",
	}, []string{"op"})
	m.redis.create = func(op string) any { return m.redisVec.WithLabelValues(op) }
	m.redis.get(OtherName)
	for _, op := range knownRedisOps {
		m.redis.get(op)
	}

	messages := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "integrabot_messages_total",
		Help: "Messages the delivery workers handled, by outcome: sent, retried (a try failed), given_up (after every try), refused (by Telegram for good), gone (the chat blocked the bot or no longer exists), too_late (a reminder whose date had begun before it could be sent: dropped), changed (a reminder whose date moved or was called off before it could be sent: dropped; the notice of the change tells the follower).",
	}, []string{"outcome"})
	m.messages = map[string]prometheus.Counter{}
	for _, o := range messageOutcomes {
		m.messages[o] = messages.WithLabelValues(o)
	}

	notices := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "integrabot_notices_total",
		Help: "Messages committed to followers of encounters, by kind: reminder, moved, cancelled, restored (a date called off takes place after all).",
	}, []string{"kind"})
	m.notices = map[string]prometheus.Counter{}
	for _, k := range noticeKinds {
		m.notices[k] = notices.WithLabelValues(k)
	}
	m.lateness = prometheus.NewHistogram(prometheus.HistogramOpts{
		Name:    "integrabot_job_lateness_seconds",
		Help:    "Time from when a reminder or notice fell due to when a replica began it.",
		Buckets: []float64{0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 3600},
	})

	m.reg.MustRegister(updates, m.handling, m.apiVec, m.tooMany, m.outbox, m.redisVec, messages, notices, m.lateness)
	m.handler = promhttp.InstrumentMetricHandler(m.reg,
		promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg}))
	return m
}

// Handler serves the metrics in the Prometheus exposition formats, for
// /metrics (404 for a nil *Metrics).
func (m *Metrics) Handler() http.Handler {
	if m == nil {
		return http.NotFoundHandler()
	}
	return m.handler
}

// Update counts one handled update. kind is one of the Kind constants
// (anything else counts as "other"), outcome one of the Outcome constants
// (anything else counts as "failed").
func (m *Metrics) Update(kind, outcome string) {
	if m == nil {
		return
	}
	c, ok := m.updates[[2]string{kind, outcome}]
	if !ok {
		if !contains(kinds, kind) {
			kind = KindOther
		}
		if !contains(outcomes, outcome) {
			outcome = OutcomeFailed
		}
		c = m.updates[[2]string{kind, outcome}]
	}
	c.Inc()
}

// ObserveHandling records how long one update took to handle.
func (m *Metrics) ObserveHandling(d time.Duration) {
	if m != nil {
		m.handling.Observe(d.Seconds())
	}
}

// APICall counts one call to the Bot API. method is the Bot API method name
// ("sendMessage"); a name that is not a plain word of letters and underscores
// counts as "other". result is one of the Result constants, usually
// ResultOf(err); anything else counts as "server_error".
func (m *Metrics) APICall(method, result string) {
	if m == nil {
		return
	}
	i := indexOf(results[:], result)
	if i < 0 {
		i = indexOf(results[:], ResultServerError)
	}
	m.api.get(method).(*apiCounters)[i].Inc()
}

// TooManyRequests counts one 429 answer from Telegram.
func (m *Metrics) TooManyRequests() {
	if m != nil {
		m.tooMany.Inc()
	}
}

// SetChatsWaiting sets the number of chats with messages waiting to be sent.
func (m *Metrics) SetChatsWaiting(n int) {
	if m != nil {
		m.outbox.Set(float64(n))
	}
}

// RedisError counts one failed Redis operation. op names the operation
// ("claim_update"); a name that is not a plain word counts as "other".
func (m *Metrics) RedisError(op string) {
	if m != nil {
		m.redis.get(op).(prometheus.Counter).Inc()
	}
}

// names maps a label value to its pre-created series. Values are checked to
// be plain words (letters and underscores, at most 40): no digits, so neither
// ids nor tokens can get in, and at most maxNames distinct ones.
type names struct {
	create func(name string) any
	m      sync.Map // string → what create returned
	mu     sync.Mutex
	n      int
}

func (s *names) get(name string) any {
	if v, ok := s.m.Load(name); ok {
		return v
	}
	if !plainWord(name) {
		name = OtherName
		if v, ok := s.m.Load(name); ok {
			return v
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if v, ok := s.m.Load(name); ok {
		return v
	}
	if s.n >= maxNames && name != OtherName {
		v, _ := s.m.Load(OtherName) // created in New, before any caller
		return v
	}
	v := s.create(name)
	s.m.Store(name, v)
	s.n++
	return v
}

func plainWord(s string) bool {
	if s == "" || len(s) > 40 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || c == '_') {
			return false
		}
	}
	return true
}

func contains(set []string, s string) bool { return indexOf(set, s) >= 0 }

func indexOf(set []string, s string) int {
	for i, v := range set {
		if v == s {
			return i
		}
	}
	return -1
}

// Message counts a message the delivery workers handled, by outcome (see
// integrabot_messages_total); an unknown outcome is not counted.
func (m *Metrics) Message(outcome string) {
	if m == nil {
		return
	}
	if c, ok := m.messages[outcome]; ok {
		c.Inc()
	}
}

// Notices counts n messages committed to followers, by kind (see
// integrabot_notices_total); an unknown kind is not counted.
func (m *Metrics) Notices(kind string, n int) {
	if m == nil {
		return
	}
	if c, ok := m.notices[kind]; ok {
		c.Add(float64(n))
	}
}

// JobLate records how late a job was begun after it fell due.
func (m *Metrics) JobLate(d time.Duration) {
	if m == nil {
		return
	}
	m.lateness.Observe(max(d, 0).Seconds())
}
