package main

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/redis/go-redis/v9"
)

// redisStartupPing bounds the check of Redis at start.
const redisStartupPing = 2 * time.Second

// openRedis returns a Redis client for url. Redis is optional: when it does not answer at
// start posd logs a warning and goes on; the client reconnects by itself, and /readyz reports
// Redis down (degraded) meanwhile.
func openRedis(ctx context.Context, url string, log *slog.Logger) (*redis.Client, error) {
	opts, err := redis.ParseURL(url)
	if err != nil {
		return nil, fmt.Errorf("parse redis url: %w", err)
	}
	// Fail fast while Redis is down: callers degrade instead of waiting on it.
	opts.DialTimeout = time.Second
	opts.ReadTimeout = time.Second
	opts.WriteTimeout = time.Second
	opts.MaxRetries = 1
	opts.DialerRetries = 1
	client := redis.NewClient(opts)

	pctx, cancel := context.WithTimeout(ctx, redisStartupPing)
	defer cancel()
	if err := client.Ping(pctx).Err(); err != nil {
		log.Warn("redis unavailable at start; running degraded until it answers",
			slog.String("addr", opts.Addr), slog.String("error", err.Error()))
	}
	return client, nil
}
