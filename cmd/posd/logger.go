package main

import (
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"

	"gopkg.in/natefinch/lumberjack.v2"

	"github.com/odata-pos/pos/api/httpx"
	"github.com/odata-pos/pos/internal/config"
)

// newLogger returns the process logger: JSON or text at the configured level on stdout and,
// when POS_LOG_FILE is set, also on that file, rotated by size and age. It adds the request ID
// to every line logged with a request's context. The returned close flushes and closes the
// file; call it after the last line is logged.
func newLogger(cfg config.Config, stdout io.Writer) (*slog.Logger, func() error, error) {
	w, closeFile := stdout, func() error { return nil }
	if lf := cfg.LogFile; lf.Path != "" {
		f, err := openLogFile(lf)
		if err != nil {
			return nil, nil, err
		}
		w, closeFile = io.MultiWriter(stdout, f), f.Close
	}
	opts := &slog.HandlerOptions{Level: cfg.SlogLevel()}
	var h slog.Handler
	if cfg.LogFormat == "text" {
		h = slog.NewTextHandler(w, opts)
	} else {
		h = slog.NewJSONHandler(w, opts)
	}
	return httpx.Logger(slog.New(h)), closeFile, nil
}

// openLogFile returns the rotating writer of lf. It creates the file (and its directory) now,
// so a path posd cannot write stops it at start rather than losing every line.
func openLogFile(lf config.LogFile) (*lumberjack.Logger, error) {
	if err := os.MkdirAll(filepath.Dir(lf.Path), 0o755); err != nil {
		return nil, fmt.Errorf("log file: %w", err)
	}
	f, err := os.OpenFile(lf.Path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o640)
	if err != nil {
		return nil, fmt.Errorf("log file: %w", err)
	}
	if err := f.Close(); err != nil {
		return nil, fmt.Errorf("log file: %w", err)
	}
	return &lumberjack.Logger{
		Filename:   lf.Path,
		MaxSize:    lf.MaxSizeMB,
		MaxAge:     lf.MaxAgeDays,
		MaxBackups: lf.MaxBackups,
	}, nil
}
