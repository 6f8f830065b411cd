// Package app wires integrabot's parts for `integrabot serve` and runs each:
// the Telegram intake (polling or webhook) hands updates to the decider,
// which commits each decision to Redis; the delivery workers send what was
// committed; the health server answers the operator. End-to-end tests run
// this same wiring.
package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-telegram/bot"
	"github.com/redis/go-redis/v9"

	"github.com/integrationsagentur-marl/integrabot/internal/agency"
	"github.com/integrationsagentur-marl/integrabot/internal/broadcast"
	"github.com/integrationsagentur-marl/integrabot/internal/config"
	"github.com/integrationsagentur-marl/integrabot/internal/conversation"
	"github.com/integrationsagentur-marl/integrabot/internal/decide"
	"github.com/integrationsagentur-marl/integrabot/internal/deliver"
	"github.com/integrationsagentur-marl/integrabot/internal/encounters"
	"github.com/integrationsagentur-marl/integrabot/internal/metrics"
	"github.com/integrationsagentur-marl/integrabot/internal/reminder"
	"github.com/integrationsagentur-marl/integrabot/internal/retention"
	"github.com/integrationsagentur-marl/integrabot/internal/store"
	"github.com/integrationsagentur-marl/integrabot/internal/telegram"
)

// Options tune the runtime; the zero value gives the defaults.
type Options struct {
	Workers     int            // chats committed at once when polling (default telegram.DefaultWorkers)
	PollTimeout time.Duration  // long-polling wait (default 25 s)
	Timing      config.Timing  // default config.DefaultTiming
	Limits      deliver.Limits // default from SEND_RATE and BROADCAST_RATE
	KeyPrefix   string         // Redis key prefix (default REDIS_KEY_PREFIX)
	RedisHook   redis.Hook     // sees every Redis round trip (benchmarks count them)
	Now         func() time.Time
	// Reload loads the content folder again for the staff's reload button
	// (the same as SIGHUP); nil: the button says it cannot.
	Reload func() (*Knowledge, error)
}

// App is the running bot.
type App struct {
	cfg      config.Config
	opt      Options
	log      *slog.Logger
	k        *Knowledge
	rdb      redis.UniversalClient
	embedded *store.Embedded
	store    *store.Store
	api      *bot.Bot // setup calls: getMe, setWebhook, setMyCommands, deleteWebhook
	metrics  *metrics.Metrics

	render    decide.Renderer // a message to the payloads that send it
	deliverer *deliver.Deliverer
	decider   *decide.Decider
	reminders *reminder.Runner
	book      *encounters.Book          // the encounters staff edit in Telegram, beside the files'
	tallier   *store.Tallier            // writes the counts for /stats
	watch     *contentWatch             // follows reloads staff started on another replica
	current   atomic.Pointer[Knowledge] // the files' knowledge in use (replaced on reload)
	updates   *telegram.Updates
	polling   *telegram.Polling // nil in webhook mode
	webhook   *telegram.Webhook // nil when polling

	username     atomic.Value // string: the bot's username, from getMe
	runCtx       atomic.Value // context.Context of Run, for work begun by an update
	staffMenus   sync.Map     // staff ids whose command menu this process set
	lastTelegram atomic.Int64 // unix nanoseconds Telegram last answered us (or called the webhook)
	addr         atomic.Value // string: where the health endpoints listen, once Run started
}

// New wires the bot. It opens Redis (or the embedded store when REDIS_URL is
// empty) but contacts neither Redis nor Telegram yet.
func New(cfg config.Config, k *Knowledge, opt Options, log *slog.Logger) (*App, error) {
	if opt.PollTimeout <= 0 {
		opt.PollTimeout = 25 * time.Second
	}
	if opt.Timing == (config.Timing{}) {
		opt.Timing = config.DefaultTiming
	}
	if cfg.Retention != (config.Retention{}) { // RETENTION: every TTL of a resident's data follows it
		opt.Timing.Retention = cfg.Retention
	} else if opt.Timing.Retention == (config.Retention{}) {
		opt.Timing.Retention = config.DefaultRetention
	}
	if opt.Timing.Sweep == 0 {
		opt.Timing.Sweep = config.DefaultTiming.Sweep
	}
	if err := opt.Timing.Check(); err != nil {
		return nil, err
	}
	if cfg.Sending.Rate == 0 {
		cfg.Sending = config.Sending{Rate: config.DefaultSendRate, BroadcastRate: config.DefaultBroadcastRate}
	}
	if cfg.FloodLimit == 0 {
		cfg.FloodLimit = config.DefaultFloodLimit
	}
	if len(cfg.ReminderOffsets) == 0 {
		cfg.ReminderOffsets = config.DefaultReminderOffsets
	}
	if opt.Limits.Rate == 0 {
		opt.Limits = deliver.DefaultLimits(cfg.Sending.Rate, cfg.Sending.BroadcastRate)
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	a := &App{cfg: cfg, opt: opt, log: log, k: k}
	if cfg.RedisURL == "" {
		emb, rdb, err := store.NewEmbedded()
		if err != nil {
			return nil, err
		}
		a.embedded, a.rdb = emb, rdb
		log.Warn("REDIS_URL is empty: using the embedded in-process store; state is not kept across restarts")
	} else {
		rdb, err := store.NewClient(cfg.RedisURL)
		if err != nil {
			return nil, fmt.Errorf("REDIS_URL: %w", err)
		}
		a.rdb = rdb
	}
	if opt.RedisHook != nil {
		a.rdb.AddHook(opt.RedisHook)
	}
	prefix := cfg.KeyPrefix
	if opt.KeyPrefix != "" {
		prefix = opt.KeyPrefix
	}
	a.store = store.New(a.rdb, prefix, opt.Timing).WithThreadTTL(cfg.HandoffRetention)
	// Go's default keeps 2 idle connections per host; with many chats sent
	// to at once that means a new TLS connection to Telegram for most calls.
	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.MaxIdleConnsPerHost = 300
	client := &http.Client{Timeout: opt.Timing.Request, Transport: transport}
	api, err := bot.New(cfg.Token, bot.WithServerURL(cfg.APIURL), bot.WithSkipGetMe(), bot.WithHTTPClient(opt.Timing.Request, client))
	if err != nil {
		return nil, fmt.Errorf("telegram client: %w", telegram.Redact(err, cfg.Token))
	}
	a.api = api
	a.metrics = metrics.New()

	tg := telegram.NewClient(cfg.APIURL, cfg.Token, client)
	// a reminder's date is asked of the planner, which knows the newest content any replica runs
	stands := func(ctx context.Context, encounter string, start time.Time) bool {
		return a.reminders.Stands(ctx, encounter, start)
	}
	a.deliverer = deliver.New(a.store, telegram.NewSender(tg, cfg.Sending.Paid, a.metrics).Refs(a.store.SentID), opt.Limits, opt.Timing.Lease, opt.Timing.Settle, stands, log, a.metrics)
	signer := telegram.NewSigner(cfg.Token) // staff buttons carry a signature; crafted ones are refused
	a.tallier = a.store.Tallier(log)
	a.watch = newContentWatch(a.store, func() { _, _ = a.reload(a.opt.Reload) }, 0, log)
	a.current.Store(k)
	a.book = encounters.New(a.store, k.Content, langCodes(k.Catalog), 0, a.encountersChanged, log)
	decider := decide.New(a.core(k), k.Catalog, a.store, a.deliverer, signer.Render, cfg.FloodLimit, decide.Staff{
		QR: a.qr, Reload: a.reloadButton, Encounters: a.book,
		Stats: func(ctx context.Context, now time.Time) (conversation.Figures, error) {
			return a.store.Figures(ctx, now, cfg.StaffChatID)
		},
	}, log, a.metrics)
	a.decider = decider
	a.render = signer.Render
	a.reminders = reminder.New(a.store, a.deliverer.Wake, signer.Render, cfg.ReminderOffsets,
		reminder.Source{Content: k.Content, Core: a.core(k)}, reminder.Options{Now: opt.Now}, log, a.metrics)
	bc := broadcast.New(a.store, signer.Render, a.deliverer.Wake, 0, 0, opt.Now, log)
	a.reminders.Handle("b:", bc.Do) // broadcasts share the due jobs
	a.reminders.Handle("p:", bc.Progress)
	sweep := retention.New(a.store, signer.Render, a.deliverer.Wake, opt.Timing, retention.Options{Now: opt.Now}, log)
	a.reminders.Handle(retention.JobID, sweep.Do) // the retention sweep too
	a.reminders.OnPlan(sweep.Ensure)
	staff := func(id int64) bool { return slices.Contains(cfg.AdminIDs, id) }
	a.updates = telegram.NewUpdates(decider, tg, a.store, staff, log, a.metrics, opt.Now).Signed(signer).OnStaff(a.staffMenu)
	seen := func() { a.lastTelegram.Store(time.Now().UnixNano()) }
	if cfg.WebhookURL != "" {
		a.webhook = telegram.NewWebhook(cfg.WebhookURL, cfg.WebhookSecret, a.updates, opt.Timing.Drain, log, seen)
	} else {
		a.polling = telegram.NewPolling(telegram.NewPoller(cfg.APIURL, cfg.Token, opt.PollTimeout), a.updates, opt.Workers, opt.Timing.Drain, log, a.metrics, seen)
	}
	return a, nil
}

// Run serves until ctx is done, then commits the updates in flight, confirms
// them to Telegram and sends what was committed (within the drain time). It
// returns an error only when the bot cannot run at all (the token was
// rejected, the listen address is taken).
func (a *App) Run(ctx context.Context) error {
	ln, err := net.Listen("tcp", a.cfg.ListenAddr)
	if err != nil {
		return fmt.Errorf("LISTEN_ADDR %s: %w", a.cfg.ListenAddr, err)
	}
	a.addr.Store(ln.Addr().String())
	a.runCtx.Store(ctx)
	mux := a.health()
	mux.Handle("/metrics", a.metrics.Handler())
	if a.webhook != nil {
		mux.Handle(a.cfg.WebhookPath(), a.webhook)
	}
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			a.log.Error("health server stopped", "err", err)
		}
	}()
	a.checkRedis(ctx)

	// The delivery workers outlive the intake: what it commits while
	// stopping is still sent.
	dctx, stopDelivery := context.WithCancel(context.WithoutCancel(ctx))
	var delivering sync.WaitGroup
	delivering.Add(2)
	go func() { defer delivering.Done(); _ = a.deliverer.Run(dctx) }()
	go func() { defer delivering.Done(); _ = a.tallier.Run(dctx) }() // the counts of what the intake commits while stopping too
	defer func() {
		a.drainDelivery(dctx)
		stopDelivery()
		delivering.Wait()
	}()
	rctx, stopReminders := context.WithCancel(ctx)
	var reminding sync.WaitGroup
	reminding.Add(2)
	go func() {
		defer reminding.Done()
		// the planner plans once the stored encounters are known: planning
		// without them would tell their followers they were called off
		if a.loadEncounters(rctx) {
			_ = a.reminders.Run(rctx)
		}
	}()
	go func() { defer reminding.Done(); _ = a.book.Run(rctx) }()
	if a.opt.Reload != nil {
		reminding.Add(1)
		go func() { defer reminding.Done(); _ = a.watch.Run(rctx) }()
	}
	defer func() { stopReminders(); reminding.Wait() }() // before delivery drains: what it commits is sent

	defer func() {
		sctx, cancel := context.WithTimeout(context.Background(), a.opt.Timing.Drain)
		defer cancel()
		_ = srv.Shutdown(sctx) // webhook requests in flight are committed
	}()
	if err := a.introduce(ctx); err != nil {
		return err
	}
	if a.webhook != nil {
		if err := a.untilTelegramAnswers(ctx, "setWebhook", func() error { return a.webhook.Register(ctx, a.api) }); err != nil {
			return err
		}
		<-ctx.Done()
		a.log.Info("stopping: finishing webhook requests in flight")
		return nil
	}
	// getUpdates fails while a webhook is set (a previous webhook deployment)
	if _, err := a.api.DeleteWebhook(ctx, &bot.DeleteWebhookParams{}); err != nil && ctx.Err() == nil {
		a.log.Warn("deleteWebhook failed", "err", telegram.Redact(err, a.cfg.Token))
	}
	return a.polling.Run(ctx)
}

// drainDelivery lets the workers send what is committed, until nothing waits
// or the drain time is over; the rest waits in Redis for the next start.
func (a *App) drainDelivery(ctx context.Context) {
	deadline := time.Now().Add(a.opt.Timing.Drain)
	for time.Now().Before(deadline) {
		r, b, err := a.store.Waiting(ctx)
		if err != nil || r+b == 0 {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	a.log.Warn("stopping with messages not yet sent; they go after the next start")
}

// checkRedis says at start whether Redis answers: an operator who mistyped
// REDIS_URL learns it at once, not from residents.
func (a *App) checkRedis(ctx context.Context) {
	cctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	if err := a.store.Ping(cctx); err != nil {
		a.log.Error("redis does not answer; answering residents without it until it does", "err", err)
		return
	}
	if err := a.store.LoadScripts(cctx); err != nil {
		a.log.Warn("could not load the scripts; they are loaded when first needed", "err", err)
	}
}

// Reload replaces the content with what load returns, if it is valid: a
// broken folder keeps the content in use, and the error lists every
// problem with file, line and field (the operator sends SIGHUP after an
// edit); the log and, when there is one, the staff group are told every
// problem. The languages stay those loaded at start.
func (a *App) Reload(load func() (*Knowledge, error)) error {
	r, err := a.reload(load)
	if err != nil && a.cfg.StaffChatID != 0 {
		a.tellStaffGroup(r)
	}
	return err
}

// reload checks and loads the content folder; what came of it is what
// staff are told.
func (a *App) reload(load func() (*Knowledge, error)) (conversation.Reloaded, error) {
	k, err := load()
	if err != nil {
		for _, p := range ProblemsOf(err) {
			a.log.Error("content not reloaded; the content in use stays", "problem", p)
		}
		return conversation.Reloaded{Problems: problemsIn(err)}, err
	}
	for _, w := range k.Content.Warnings {
		a.log.Warn("content", "warning", w.String())
	}
	a.current.Store(k)
	a.book.SetFiles(k.Content) // with the stored encounters: the core and the planner take both
	a.log.Info("content reloaded", "services", len(k.Content.Services), "contacts", len(k.Content.Contacts), "encounters", len(k.Content.Encounters))
	return conversation.Reloaded{Warnings: k.Content.Warnings, Services: len(k.Content.Services), Contacts: len(k.Content.Contacts),
		Encounters: len(k.Content.Encounters)}, nil
}

// reloadButton is the staff's reload button: the same check and load as
// SIGHUP, with Options.Reload; the staff member who pressed is told.
func (a *App) reloadButton() conversation.Reloaded {
	if a.opt.Reload == nil {
		return conversation.Reloaded{Unavailable: true}
	}
	r, err := a.reload(a.opt.Reload)
	if err == nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		a.watch.reloaded(ctx) // the other replicas follow
	}
	return r
}

// tellStaffGroup tells the staff group, in the reference language, what
// came of a reload by signal: nobody pressed a button to hear it.
func (a *App) tellStaffGroup(r conversation.Reloaded) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	m := a.core(a.k).ReloadReport(a.cfg.StaffChatID, a.k.Catalog.Default(), r)
	id := "reload:" + strconv.FormatInt(time.Now().UnixNano(), 36)
	var out []store.Outgoing
	for i, p := range a.render(m) {
		out = append(out, store.Outgoing{ID: id + "." + strconv.Itoa(i), Chat: a.cfg.StaffChatID, Lane: conversation.LaneReply, Payload: p})
	}
	if _, err := a.store.PushOnce(ctx, out, time.Hour); err != nil {
		a.log.Error("could not tell the staff group that the content was not reloaded", "err", err)
		return
	}
	a.deliverer.Wake()
}

// loadEncounters loads the stored encounters, retrying while Redis is
// away; false when ctx ended first.
func (a *App) loadEncounters(ctx context.Context) bool {
	for {
		err := a.book.Refresh(ctx)
		if err == nil {
			return true
		}
		a.log.Warn("encounters not loaded yet; retrying", "err", err)
		select {
		case <-ctx.Done():
			return false
		case <-time.After(time.Second):
		}
	}
}

// encountersChanged makes the core and the planner use content with both
// the files' and the stored encounters.
func (a *App) encountersChanged(c *agency.Content, stored map[string]int64, changes int64) {
	k := *a.current.Load()
	k.Content = c
	core := a.core(&k).WithStored(stored)
	a.decider.SetCore(core)
	a.reminders.SetSource(reminder.Source{Content: c, Core: core, Stored: changes})
}

// core is the conversation core for k, passing residents' questions to
// the staff group when there is one and naming PRIVACY_CONTACT and
// RETENTION in the privacy text.
func (a *App) core(k *Knowledge) *conversation.Core {
	return k.Core().WithStaffChat(a.cfg.StaffChatID).WithPrivacyContact(a.cfg.PrivacyContact).WithRetentionDays(a.opt.Timing.Retention.Days()).WithQuestionDays(int((a.cfg.HandoffRetention + 24*time.Hour - 1) / (24 * time.Hour)))
}

// Addr is the address the health endpoints listen on (after Run started).
func (a *App) Addr() string {
	s, _ := a.addr.Load().(string)
	return s
}

// Close releases Redis.
func (a *App) Close() {
	_ = a.rdb.Close()
	if a.embedded != nil {
		a.embedded.Close()
	}
}
