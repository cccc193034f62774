package httpx

import (
	"context"
	"sync"
)

// ctxKey is the type of this package's context keys.
type ctxKey int

const (
	requestIDKey ctxKey = iota
	requestInfoKey
)

// RequestIDFrom returns the request ID stored by the RequestID middleware, or "".
func RequestIDFrom(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey).(string)
	return id
}

// WithRequestID returns ctx carrying id as the request ID.
func WithRequestID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, requestIDKey, id)
}

// requestInfo is filled in by inner layers (router, authentication) and read by the access
// log, which sits outside them and so cannot see their contexts.
type requestInfo struct {
	mu     sync.Mutex
	route  string
	userID string
}

// withRequestInfo returns ctx carrying a fresh requestInfo.
func withRequestInfo(ctx context.Context) (context.Context, *requestInfo) {
	ri := &requestInfo{}
	return context.WithValue(ctx, requestInfoKey, ri), ri
}

// SetRoute records the route template (e.g. "/api/v1/sales/{id}") that matched the request,
// for the access log. It does nothing outside the AccessLog middleware.
func SetRoute(ctx context.Context, template string) {
	if ri, ok := ctx.Value(requestInfoKey).(*requestInfo); ok {
		ri.mu.Lock()
		ri.route = template
		ri.mu.Unlock()
	}
}

// SetUserID records the authenticated user's ID for the access log. It does nothing outside
// the AccessLog middleware.
func SetUserID(ctx context.Context, userID string) {
	if ri, ok := ctx.Value(requestInfoKey).(*requestInfo); ok {
		ri.mu.Lock()
		ri.userID = userID
		ri.mu.Unlock()
	}
}

// snapshot returns the recorded route and user ID.
func (ri *requestInfo) snapshot() (route, userID string) {
	ri.mu.Lock()
	defer ri.mu.Unlock()
	return ri.route, ri.userID
}
