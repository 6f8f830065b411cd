package telegramtest

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
)

// webhook is the active webhook and its deliverer.
type webhook struct {
	url            string
	secret         string
	maxConnections int
	ctx            context.Context
	cancel         context.CancelFunc
	deliveries     sync.WaitGroup
	inFlight       int
	lastErrorDate  int64
	lastErrorMsg   string
}

const defaultMaxConnections = 40

func (s *Server) setWebhook(_ context.Context, p *params) (okResult, *apiError) {
	rawURL := p.get("url")
	if rawURL == "" {
		// An empty url removes the webhook, as documented for setWebhook.
		return s.removeWebhook(p.bool("drop_pending_updates"))
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	t := time.Now()
	if t.Before(s.nextHook) {
		return okResult{}, tooMany(1)
	}
	s.nextHook = t.Add(time.Second)

	maxConn := int(clamp(p.int("max_connections", defaultMaxConnections), 1, 100))
	secret := p.get("secret_token")
	drop := p.bool("drop_pending_updates")
	if h := s.hook; h != nil && h.url == rawURL && h.maxConnections == maxConn && h.secret == secret && !drop {
		s.setAllowedLocked(p.get("allowed_updates"))
		return okResult{result: true, description: "Webhook is already set"}, nil
	}
	u, err := url.Parse(rawURL)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return okResult{}, badRequest("invalid webhook URL specified")
	}
	if len(secret) > 256 {
		return okResult{}, badRequest("secret token is too long")
	}
	for i := 0; i < len(secret); i++ {
		c := secret[i]
		if !isAlnumC(c) && c != '_' && c != '-' {
			return okResult{}, badRequest("secret token contains unallowed characters")
		}
	}
	s.abortPollLocked(conflictSetWebhook)
	s.stopWebhookLocked()
	if drop {
		s.queue = nil
	}
	s.setAllowedLocked(p.get("allowed_updates"))
	ctx, cancel := context.WithCancel(context.Background())
	h := &webhook{url: rawURL, secret: secret, maxConnections: maxConn, ctx: ctx, cancel: cancel}
	for _, q := range s.queue {
		q.inFlight, q.retryAt = false, time.Time{}
	}
	s.hook = h
	s.wg.Add(1)
	go s.runWebhook(h)
	s.signalLocked()
	return okResult{result: true, description: "Webhook was set"}, nil
}

func (s *Server) deleteWebhook(_ context.Context, p *params) (okResult, *apiError) {
	return s.removeWebhook(p.bool("drop_pending_updates"))
}

func (s *Server) removeWebhook(drop bool) (okResult, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	was := s.hook != nil
	s.stopWebhookLocked()
	if drop {
		s.queue = nil
		s.signalLocked()
	}
	if was {
		return okResult{result: true, description: "Webhook was deleted"}, nil
	}
	return okResult{result: true, description: "Webhook is already deleted"}, nil
}

// stopWebhookLocked cancels the deliverer; updates in flight stay queued.
func (s *Server) stopWebhookLocked() {
	if s.hook == nil {
		return
	}
	s.hook.cancel()
	s.hook = nil
	for _, q := range s.queue {
		q.inFlight = false
	}
	s.signalLocked()
}

func (s *Server) getWebhookInfo(_ context.Context, _ *params) (okResult, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	info := map[string]any{"url": "", "has_custom_certificate": false, "pending_update_count": len(s.queue)}
	if h := s.hook; h != nil {
		info["url"] = h.url
		info["max_connections"] = h.maxConnections
		if h.lastErrorDate != 0 {
			info["last_error_date"] = h.lastErrorDate
			info["last_error_message"] = h.lastErrorMsg
		}
	}
	if list := s.allowedListLocked(); list != nil {
		info["allowed_updates"] = list
	}
	return okResult{result: info}, nil
}

// runWebhook delivers queued updates to the webhook until it is removed:
// updates of one chat (or user) in order, up to max_connections at once,
// an update leaving the queue only when the webhook answered 2xx.
func (s *Server) runWebhook(h *webhook) {
	defer s.wg.Done()
	defer h.deliveries.Wait()
	for {
		s.mu.Lock()
		if h.ctx.Err() != nil {
			s.mu.Unlock()
			return
		}
		t := time.Now()
		var next time.Time
		busy := map[int64]bool{}
		for _, q := range s.queue {
			if h.inFlight >= h.maxConnections {
				break
			}
			if busy[q.key] {
				continue
			}
			busy[q.key] = true
			if q.inFlight {
				continue
			}
			if q.retryAt.After(t) {
				if next.IsZero() || q.retryAt.Before(next) {
					next = q.retryAt
				}
				continue
			}
			q.inFlight = true
			h.inFlight++
			h.deliveries.Add(1)
			go s.deliver(h, q)
		}
		ch := s.changed
		s.mu.Unlock()

		var timer <-chan time.Time
		var tm *time.Timer
		if !next.IsZero() {
			tm = time.NewTimer(time.Until(next))
			timer = tm.C
		}
		select {
		case <-h.ctx.Done():
		case <-ch:
		case <-timer:
		}
		if tm != nil {
			tm.Stop()
		}
	}
}

func (s *Server) deliver(h *webhook, q *queuedUpdate) {
	defer h.deliveries.Done()
	errMsg := ""
	req, err := http.NewRequestWithContext(h.ctx, http.MethodPost, h.url, bytes.NewReader(q.data))
	if err == nil && !isLoopbackHost(req.URL.Hostname()) {
		err = errNotLoopback // not even a DNS lookup leaves the machine
	}
	if err == nil {
		req.Header.Set("Content-Type", "application/json")
		if h.secret != "" {
			req.Header.Set("X-Telegram-Bot-Api-Secret-Token", h.secret)
		}
		var resp *http.Response
		resp, err = s.client.Do(req)
		if err == nil {
			_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
			_ = resp.Body.Close()
			if resp.StatusCode < 200 || resp.StatusCode > 299 {
				errMsg = "Wrong response from the webhook: " + strconv.Itoa(resp.StatusCode) + " " + http.StatusText(resp.StatusCode)
			}
		}
	}
	if err != nil {
		errMsg = connectionError(err)
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	h.inFlight--
	if h.ctx.Err() != nil {
		return // webhook removed meanwhile: the update stays queued
	}
	q.inFlight = false
	if errMsg == "" {
		for i, u := range s.queue {
			if u == q {
				s.queue = append(s.queue[:i:i], s.queue[i+1:]...)
				break
			}
		}
	} else {
		h.lastErrorDate = time.Now().Unix()
		h.lastErrorMsg = errMsg
		q.retryAt = time.Now().Add(s.cfg.webhookRetryDelay)
	}
	s.signalLocked()
}

func connectionError(err error) string {
	msg := err.Error()
	switch {
	case errors.Is(err, errNotLoopback):
		return "Connection refused: " + errNotLoopback.Error()
	case strings.Contains(msg, "connection refused"):
		return "Connection refused"
	case strings.Contains(msg, "timeout") || strings.Contains(msg, "deadline exceeded"):
		return "Read timeout expired"
	case strings.Contains(msg, "no such host"):
		return "Failed to resolve host: Name or service not known"
	}
	return "Connection error: " + msg
}

func isLoopbackHost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
