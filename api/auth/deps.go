package auth

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"

	"github.com/odata-pos/pos/api/authz"
	"github.com/odata-pos/pos/api/httpx"
)

// Deps are the shared dependencies of the token service, approvals and the fallback limiter.
type Deps struct {
	// Redis holds refresh tokens, revocations, approvals and rate-limit counters; nil means
	// Redis is disabled (POS_REDIS_URL empty) and everything runs in-process.
	Redis redis.UniversalClient
	// Log receives outage and security warnings; nil means slog.Default().
	Log *slog.Logger
	// Security receives security events (refresh-token reuse, logins, approvals); may be nil.
	Security authz.SecurityRecorder
	// Fallbacks counts operations served in-process because Redis failed or is disabled;
	// may be nil. Pass e.g. a CounterVec's WithLabelValues("ratelimit").
	Fallbacks prometheus.Counter
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// withDefaults fills the nil fields of d.
func (d Deps) withDefaults() Deps {
	d.Log = httpx.Logger(d.Log)
	if d.Now == nil {
		d.Now = time.Now
	}
	return d
}

// record reports a security event if a recorder is set.
func (d Deps) record(ctx context.Context, e authz.SecurityEvent) {
	if d.Security == nil {
		return
	}
	if e.At.IsZero() {
		e.At = d.Now()
	}
	if e.RequestID == "" {
		e.RequestID = httpx.RequestIDFrom(ctx)
	}
	d.Security.Record(ctx, e)
}

// probeInterval is how long Redis is skipped after a failure before it is tried again, so a
// dead Redis costs one dial timeout per interval, not one per request.
const probeInterval = time.Second

// redisHealth tracks whether Redis is usable for one component. It logs once when an outage
// starts and once when it ends, and counts every fallback.
type redisHealth struct {
	component string
	rdb       redis.UniversalClient
	log       *slog.Logger
	fallbacks prometheus.Counter
	now       func() time.Time

	mu        sync.Mutex
	down      bool
	nextProbe time.Time
}

// newRedisHealth returns the tracker of component.
func newRedisHealth(component string, d Deps) *redisHealth {
	return &redisHealth{component: component, rdb: d.Redis, log: d.Log, fallbacks: d.Fallbacks, now: d.Now}
}

// usable reports whether Redis should be tried now: it is configured, and either up or due
// for a probe.
func (h *redisHealth) usable() bool {
	if h.rdb == nil {
		return false
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	return !h.down || !h.now().Before(h.nextProbe)
}

// observe records the outcome of a Redis call. redis.Nil is a success (key not found).
// It returns err unchanged.
func (h *redisHealth) observe(ctx context.Context, err error) error {
	success := err == nil || errors.Is(err, redis.Nil)
	failed := !success && ctx.Err() == nil // a cancelled request says nothing about Redis
	h.mu.Lock()
	defer h.mu.Unlock()
	switch {
	case failed && !h.down:
		h.down = true
		h.log.WarnContext(ctx, "redis unavailable, falling back to in-process state",
			"component", h.component, "error", err)
	case success && h.down:
		h.down = false
		h.log.InfoContext(ctx, "redis available again", "component", h.component)
	}
	if failed {
		h.nextProbe = h.now().Add(probeInterval)
	}
	return err
}

// fellBack counts one operation served without Redis.
func (h *redisHealth) fellBack() {
	if h.fallbacks != nil {
		h.fallbacks.Inc()
	}
}

// failed reports whether err is a Redis failure (not redis.Nil).
func failed(err error) bool {
	return err != nil && !errors.Is(err, redis.Nil)
}
