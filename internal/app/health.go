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
		if a.cfg.WebhookURL == "" {
			if p := pollingProblem(a.lastTelegram.Load(), time.Now(), 2*a.opt.PollTimeout+10*time.Second); p != "" {
				problems = append(problems, p)
			}
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

// pollingProblem tells what is wrong when Telegram last answered at last
// (unix nanoseconds; 0 when it never did) and has been silent for longer
// than silence; "" when it answered recently.
func pollingProblem(last int64, now time.Time, silence time.Duration) string {
	if last == 0 {
		return "telegram: no answer to getUpdates yet" // not "since 1970"
	}
	at := time.Unix(0, last)
	if now.Sub(at) <= silence {
		return ""
	}
	return "telegram: no answer to getUpdates since " + at.UTC().Format(time.RFC3339)
}
