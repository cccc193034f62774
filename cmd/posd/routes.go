package main

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/gorilla/mux"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"

	"github.com/odata-pos/pos/api"
	"github.com/odata-pos/pos/api/auth"
	"github.com/odata-pos/pos/api/httpx"
	"github.com/odata-pos/pos/eventstore"
	"github.com/odata-pos/pos/internal/config"
)

// deps are the long-lived dependencies that the API and the workers are built from. run owns
// them and closes them after the server and the workers have stopped.
type deps struct {
	cfg        config.Config
	log        *slog.Logger
	store      eventstore.Store
	db         *pgxpool.Pool        // read models
	redis      *redis.Client        // nil when POS_REDIS_URL is empty
	registry   *prometheus.Registry // for the packages' own metrics
	signingKey []byte               // JWT signing key
	auditKey   []byte               // audit checkpoint key (POS_AUDIT_KEY or derived)
}

// routes mounts the HTTP API (package api: every route area under /api/v1, behind
// authentication and rate limiting) on r, and returns the responder that the outer middleware
// must use so that every error maps to problem+json the same way. /healthz, /readyz and
// /metrics are mounted by run.
func routes(ctx context.Context, r *mux.Router, d *deps) (*httpx.Responder, error) {
	ad := api.Deps{
		Log:               d.log,
		Store:             d.store,
		DB:                d.db,
		Registry:          d.registry,
		SigningKey:        d.signingKey,
		AuditKey:          d.auditKey,
		RedisPrefix:       d.cfg.RedisPrefix,
		BootstrapUsername: d.cfg.BootstrapAdminUsername,
		BootstrapPassword: d.cfg.BootstrapAdminPassword,
		APILimit:          auth.PerSecond(d.cfg.APIRateLimit, 2*d.cfg.APIRateLimit),
	}
	if d.redis != nil { // a nil *redis.Client in the interface would not read as "disabled"
		ad.Redis = d.redis
	}
	mounted, err := api.Mount(ctx, r, ad)
	if err != nil {
		return nil, fmt.Errorf("mount api: %w", err)
	}
	return mounted.Responder, nil
}
