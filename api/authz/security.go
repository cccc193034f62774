package authz

import (
	"context"
	"log/slog"
	"time"
)

// SecurityEventKind names a kind of security event.
type SecurityEventKind string

// The security events of the API.
const (
	EventLoginSucceeded   SecurityEventKind = "login.succeeded"
	EventLoginFailed      SecurityEventKind = "login.failed"
	EventLoginRateLimited SecurityEventKind = "login.rate_limited"
	EventRefreshReused    SecurityEventKind = "refresh.reused"
	EventLogout           SecurityEventKind = "logout"
	EventPermissionDenied SecurityEventKind = "permission.denied"
	EventStoreDenied      SecurityEventKind = "store.denied"
	EventApprovalGranted  SecurityEventKind = "approval.granted"
	EventApprovalDenied   SecurityEventKind = "approval.denied"
	EventApprovalConsumed SecurityEventKind = "approval.consumed"
	EventTokenRejected    SecurityEventKind = "token.rejected"
)

// SecurityEvent records who did what security-relevant thing, from where and when.
type SecurityEvent struct {
	Kind SecurityEventKind
	// UserID is the acting user, when known.
	UserID string
	// Username is the name given at login or approval, when there is no user ID yet.
	Username string
	// IP is the client address.
	IP string
	// RequestID ties the event to the request's log lines.
	RequestID string
	// Detail is a short machine-readable reason (a permission, an action, a failure code).
	Detail string
	// At is when it happened.
	At time.Time
}

// SecurityRecorder records security events. Implementations must be safe for concurrent use
// and must not block the request for long.
type SecurityRecorder interface {
	Record(ctx context.Context, e SecurityEvent)
}

// SlogRecorder records security events as structured log lines (msg "security event", with a
// "security" group), at Warn for denials and reuse, Info otherwise.
type SlogRecorder struct {
	log *slog.Logger
}

// NewSlogRecorder returns a recorder logging to log.
func NewSlogRecorder(log *slog.Logger) *SlogRecorder {
	return &SlogRecorder{log: log}
}

// Record implements SecurityRecorder.
func (s *SlogRecorder) Record(ctx context.Context, e SecurityEvent) {
	level := slog.LevelInfo
	switch e.Kind {
	case EventLoginFailed, EventLoginRateLimited, EventRefreshReused, EventPermissionDenied,
		EventStoreDenied, EventApprovalDenied, EventTokenRejected:
		level = slog.LevelWarn
	}
	s.log.LogAttrs(ctx, level, "security event", slog.Group("security",
		slog.String("kind", string(e.Kind)),
		slog.String("user_id", e.UserID),
		slog.String("username", e.Username),
		slog.String("ip", e.IP),
		slog.String("request_id", e.RequestID),
		slog.String("detail", e.Detail),
		slog.Time("at", e.At),
	))
}

// AllSecurityEventKinds lists every kind, e.g. to start their counters at zero.
var AllSecurityEventKinds = []SecurityEventKind{EventLoginSucceeded, EventLoginFailed, EventLoginRateLimited,
	EventRefreshReused, EventLogout, EventPermissionDenied, EventStoreDenied, EventApprovalGranted,
	EventApprovalDenied, EventApprovalConsumed, EventTokenRejected}

// CountingRecorder counts every security event by kind, then hands it to the next recorder.
type CountingRecorder struct {
	next  SecurityRecorder
	count func(kind string)
}

// NewCountingRecorder returns a recorder calling count with each event's kind before next.
func NewCountingRecorder(next SecurityRecorder, count func(kind string)) *CountingRecorder {
	return &CountingRecorder{next: next, count: count}
}

// Record implements SecurityRecorder.
func (c *CountingRecorder) Record(ctx context.Context, e SecurityEvent) {
	c.count(string(e.Kind))
	c.next.Record(ctx, e)
}
