package main

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/odata-pos/pos/api/ops"
	"github.com/odata-pos/pos/eventstore/audit"
	"github.com/odata-pos/pos/internal/config"
	"github.com/odata-pos/pos/internal/storage"
	"github.com/odata-pos/pos/monitoring"
)

// openDeps connects everything posd depends on. The returned function closes what was opened,
// in reverse order; on error, everything opened so far is already closed.
func openDeps(ctx context.Context, cfg config.Config, log *slog.Logger) (_ *deps, _ func(), err error) {
	var closers []func()
	closeAll := func() {
		for i := len(closers) - 1; i >= 0; i-- {
			closers[i]()
		}
	}
	defer func() {
		if err != nil {
			closeAll()
		}
	}()

	key, source, err := cfg.SigningKey()
	if err != nil {
		return nil, nil, err
	}
	if source == config.KeyGenerated {
		log.Warn("generated a development JWT signing key; set POS_JWT_SECRET or POS_JWT_KEY_FILE in production",
			slog.String("file", cfg.KeyFile()))
	}

	auditKey, err := audit.ResolveKey(cfg.AuditKey, key)
	if err != nil {
		return nil, nil, err
	}
	if cfg.AuditKey == "" {
		log.Warn("audit checkpoints are keyed with a key derived from the JWT signing key; set POS_AUDIT_KEY before ever rotating the JWT key")
	}

	reg := prometheus.NewRegistry()
	monitoring.RegisterRuntime(reg, version, cfg.Role)

	sctx, cancel := context.WithTimeout(ctx, startupTimeout)
	defer cancel()
	if err := ensureDatabase(sctx, cfg.DatabaseURL, log); err != nil {
		return nil, nil, err
	}
	db, err := openPool(sctx, cfg.DatabaseURL)
	if err != nil {
		return nil, nil, err
	}
	closers = append(closers, db.Close)

	events, err := storage.Open(sctx, storage.Options{ESDBURL: cfg.ESDBURL, DatabaseURL: cfg.DatabaseURL, Logger: log})
	if err != nil {
		return nil, nil, err
	}
	closers = append(closers, func() {
		if err := events.Store.Close(); err != nil {
			log.Warn("close event store", slog.String("error", err.Error()))
		}
	})
	log.Info("event store open", slog.String("backend", string(events.Kind)))

	d := &deps{
		cfg:        cfg,
		log:        log,
		store:      events.Store,
		backend:    events.Kind,
		db:         db,
		registry:   reg,
		signingKey: key,
		auditKey:   auditKey,
	}
	if cfg.RedisEnabled() {
		client, err := openRedis(sctx, cfg.RedisURL, log)
		if err != nil {
			return nil, nil, err
		}
		closers = append(closers, func() { _ = client.Close() })
		d.redis = client
	}
	return d, closeAll, nil
}

// checkers are the readiness checks of d's dependencies: the event store and PostgreSQL are
// required, Redis is not (posd works without it, degraded). The event store's check publishes
// the head position it read on head.
func checkers(d *deps, head prometheus.Gauge) []ops.Checker {
	cs := []ops.Checker{
		ops.NewCheck("eventstore", true, func(ctx context.Context) error {
			pos, err := d.store.HeadPosition(ctx)
			if err == nil {
				head.Set(float64(pos))
			}
			return err
		}),
		ops.NewCheck("postgres", true, d.db.Ping),
	}
	if d.redis != nil {
		cs = append(cs, ops.NewCheck("redis", false, func(ctx context.Context) error {
			if err := d.redis.Ping(ctx).Err(); err != nil {
				return fmt.Errorf("ping: %w", err)
			}
			return nil
		}))
	}
	return cs
}
