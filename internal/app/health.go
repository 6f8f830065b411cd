package app

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// health serves /healthz (the process is alive) and /readyz (Redis and
// Telegram answer), for the operator's container runtime.
func (a *App) health() *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, _ *http.Request) {
		fmt.Fprintln(w, "ok")
	})
	mux.HandleFunc("/readyz", func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		var problems []string
		if err := a.store.Ping(ctx); err != nil {
			problems = append(problems, "redis: not reachable")
		}
		last := time.Unix(0, a.lastTelegram.Load())
		if a.cfg.WebhookURL == "" && time.Since(last) > 2*a.opt.PollTimeout+10*time.Second {
			problems = append(problems, "telegram: no answer to getUpdates since "+last.UTC().Format(time.RFC3339))
		}
		if a.webhook != nil && !a.webhook.Registered() {
			problems = append(problems, "telegram: webhook not registered yet")
		}
		if len(problems) > 0 {
			w.WriteHeader(http.StatusServiceUnavailable)
			fmt.Fprintln(w, strings.Join(problems, "\n"))
			return
		}
		fmt.Fprintln(w, "ready")
	})
	return mux
}
