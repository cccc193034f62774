package httpx

import (
	"context"
	"log/slog"
)

// Logger returns a logger that adds the request_id attribute to every record logged with a
// context carrying one (InfoContext, ErrorContext, …). Wrapping twice is harmless.
func Logger(base *slog.Logger) *slog.Logger {
	if base == nil {
		base = slog.Default()
	}
	if _, ok := base.Handler().(requestIDHandler); ok {
		return base
	}
	return slog.New(requestIDHandler{inner: base.Handler()})
}

// requestIDHandler is a slog.Handler adding the request ID from the record's context.
type requestIDHandler struct {
	inner slog.Handler
}

// Enabled implements slog.Handler.
func (h requestIDHandler) Enabled(ctx context.Context, l slog.Level) bool {
	return h.inner.Enabled(ctx, l)
}

// Handle implements slog.Handler.
func (h requestIDHandler) Handle(ctx context.Context, rec slog.Record) error {
	if id := RequestIDFrom(ctx); id != "" {
		rec = rec.Clone()
		rec.AddAttrs(slog.String("request_id", id))
	}
	return h.inner.Handle(ctx, rec)
}

// WithAttrs implements slog.Handler.
func (h requestIDHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return requestIDHandler{inner: h.inner.WithAttrs(attrs)}
}

// WithGroup implements slog.Handler.
func (h requestIDHandler) WithGroup(name string) slog.Handler {
	return requestIDHandler{inner: h.inner.WithGroup(name)}
}
