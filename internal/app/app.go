// Package app wires integrabot's parts for `integrabot serve`: content and
// languages, the conversation core, Redis, the Telegram adapter, the outbox
// and the health endpoints. End-to-end tests run this same wiring.
package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/go-telegram/bot"
	"github.com/redis/go-redis/v9"
	"golang.org/x/time/rate"

	"github.com/integrationsagentur-marl/integrabot/internal/config"
	"github.com/integrationsagentur-marl/integrabot/internal/conversation"
	"github.com/integrationsagentur-marl/integrabot/internal/metrics"
	"github.com/integrationsagentur-marl/integrabot/internal/outbox"
	"github.com/integrationsagentur-marl/integrabot/internal/store"
	"github.com/integrationsagentur-marl/integrabot/internal/telegram"
)

// DefaultWorkers is how many chats are answered at once when polling. Even
// with Telegram 100 ms away, 16 workers make 160 calls a second, far more
// than the 25 messages a second the outbox lets out; more workers would only
// spread each resident's answer over a longer time when many write at once.
const DefaultWorkers = 16

// Options tune the runtime; the zero value gives the defaults.
type Options struct {
	Workers      int           // chats handled at once when polling (default DefaultWorkers)
	PollTimeout  time.Duration // long-polling wait (default 25 s)
	DrainTimeout time.Duration // how long SIGTERM waits for updates in flight (default 20 s)
	Limits       outbox.Limits // default outbox.DefaultLimits
	KeyPrefix    string        // Redis key prefix (default "ib:")
	RedisHook    redis.Hook    // sees every Redis round trip (benchmarks count them)
	Now          func() time.Time
}

// App is the running bot.
type App struct {
	cfg          config.Config
	opt          Options
	log          *slog.Logger
	k            *Knowledge
	rdb          redis.UniversalClient
	embedded     *store.Embedded
	store        *store.Store
	api          *bot.Bot         // setup calls: setWebhook, setMyCommands, deleteWebhook
	send         *telegram.Client // the calls made for every update
	runner       *conversation.Runner
	outbox       *outbox.Outbox
	metrics      *metrics.Metrics
	poller       *telegram.Poller
	username     string
	lastTelegram atomic.Int64 // unix nanoseconds Telegram last answered us (or called the webhook)
	webhookSet   atomic.Bool  // setWebhook succeeded
	addr         atomic.Value // string: where the health endpoints listen, once Run started
}

// New wires the bot. It opens Redis (or the embedded store when REDIS_URL is
// empty) but contacts neither Redis nor Telegram yet.
func New(cfg config.Config, k *Knowledge, opt Options, log *slog.Logger) (*App, error) {
	if opt.Workers <= 0 {
		opt.Workers = DefaultWorkers
	}
	if opt.PollTimeout <= 0 {
		opt.PollTimeout = 25 * time.Second
	}
	if opt.DrainTimeout <= 0 {
		opt.DrainTimeout = 20 * time.Second
	}
	if opt.Limits.Global == 0 {
		opt.Limits = outbox.DefaultLimits
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
	a.store = store.New(a.rdb, prefix)
	// Go's default keeps 2 idle connections per host; with many chats answered
	// at once that means a new TLS connection to Telegram for most calls.
	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.MaxIdleConnsPerHost = 100
	client := &http.Client{Timeout: 30 * time.Second, Transport: transport}
	api, err := bot.New(cfg.Token, bot.WithServerURL(cfg.APIURL), bot.WithSkipGetMe(), bot.WithHTTPClient(30*time.Second, client))
	if err != nil {
		return nil, fmt.Errorf("telegram client: %w", telegram.Redact(err, cfg.Token))
	}
	a.api = api
	a.metrics = metrics.New()
	a.runner = conversation.NewRunner(k.Core(), k.Catalog, countedStates{a.store, a.metrics}, log)
	a.send = telegram.NewClient(cfg.APIURL, cfg.Token, client)
	a.outbox = outbox.New(a.send, cfg.Token, opt.Limits, log, a.metrics)
	if a.embedded == nil && opt.Limits.Global != rate.Inf {
		// replicas on one Redis share Telegram's limit for the whole bot
		a.outbox.ShareRate(a.store.NewSharedRate(int(opt.Limits.Global), a.outbox.GlobalLocal()))
	}
	a.poller = telegram.NewPoller(cfg.APIURL, cfg.Token, opt.PollTimeout)
	return a, nil
}

// Run serves until ctx is done, then finishes the updates in flight and
// confirms them to Telegram. It returns an error only when the bot cannot run
// at all (the token was rejected, the listen address is taken).
func (a *App) Run(ctx context.Context) error {
	ln, err := net.Listen("tcp", a.cfg.ListenAddr)
	if err != nil {
		return fmt.Errorf("LISTEN_ADDR %s: %w", a.cfg.ListenAddr, err)
	}
	a.addr.Store(ln.Addr().String())
	mux := a.health()
	mux.Handle("/metrics", a.metrics.Handler())
	if a.cfg.WebhookURL != "" {
		mux.HandleFunc(a.cfg.WebhookPath(), a.webhook)
	}
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			a.log.Error("health server stopped", "err", err)
		}
	}()
	defer func() {
		sctx, cancel := context.WithTimeout(context.Background(), a.opt.DrainTimeout)
		defer cancel()
		_ = srv.Shutdown(sctx)
	}()

	if err := a.introduce(ctx); err != nil {
		return err
	}
	if a.cfg.WebhookURL != "" {
		if err := a.registerWebhook(ctx); err != nil {
			return err
		}
		<-ctx.Done() // requests in flight finish in srv.Shutdown below
		a.log.Info("stopping: finishing webhook requests in flight")
		return nil
	}
	// getUpdates fails while a webhook is set (a previous webhook deployment)
	if _, err := a.api.DeleteWebhook(ctx, &bot.DeleteWebhookParams{}); err != nil && ctx.Err() == nil {
		a.log.Warn("deleteWebhook failed", "err", telegram.Redact(err, a.cfg.Token))
	}
	return a.poll(ctx)
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
