package main

import (
	"io"
	"log/slog"

	"github.com/odata-pos/pos/api/httpx"
	"github.com/odata-pos/pos/internal/config"
)

// newLogger returns the process logger: JSON or text on w at the configured level, adding
// the request ID to every line logged with a request's context.
func newLogger(cfg config.Config, w io.Writer) *slog.Logger {
	opts := &slog.HandlerOptions{Level: cfg.SlogLevel()}
	var h slog.Handler
	if cfg.LogFormat == "text" {
		h = slog.NewTextHandler(w, opts)
	} else {
		h = slog.NewJSONHandler(w, opts)
	}
	return httpx.Logger(slog.New(h))
}
