package main

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/gorilla/mux"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"

	"github.com/odata-pos/pos/api"
	"github.com/odata-pos/pos/api/auth"
	"github.com/odata-pos/pos/api/httpx"
	"github.com/odata-pos/pos/commands"
	"github.com/odata-pos/pos/eventstore"
	"github.com/odata-pos/pos/internal/config"
	"github.com/odata-pos/pos/internal/pgerr"
	"github.com/odata-pos/pos/internal/services"
	"github.com/odata-pos/pos/internal/storage"
)

// deps are the long-lived dependencies that the API and the workers are built from. run owns
// them and closes them after the server and the workers have stopped.
type deps struct {
	cfg        config.Config
	log        *slog.Logger
	store      eventstore.Store
	backend    storage.Kind         // where the events live
	db         *pgxpool.Pool        // read models
	redis      *redis.Client        // nil when POS_REDIS_URL is empty
	registry   *prometheus.Registry // for the packages' own metrics
	signingKey []byte               // JWT signing key
	auditKey   []byte               // audit checkpoint key (POS_AUDIT_KEY or derived)
}

// routes builds the application services (internal/services), creates the bootstrap admin
// when configured, and mounts the HTTP API over them (package api: every route area under
// /api/v1, behind authentication and rate limiting) on r. It returns the responder that the
// outer middleware must use so that every error maps to problem+json the same way.
// /healthz, /readyz and /metrics are mounted by run.
func routes(ctx context.Context, r *mux.Router, d *deps) (*httpx.Responder, error) {
	svc, err := services.Build(ctx, services.Deps{Store: d.store, DB: d.db, Registry: d.registry})
	if err != nil {
		return nil, err
	}
	if d.cfg.BootstrapAdminUsername != "" {
		if err := services.BootstrapAdmin(ctx, svc, d.cfg.BootstrapAdminUsername, d.cfg.BootstrapAdminPassword, time.Now()); err != nil {
			return nil, err
		}
	}
	prefix, err := services.RedisPrefix(ctx, d.db, d.cfg.RedisPrefix)
	if err != nil {
		return nil, err
	}
	ad := api.Deps{
		Log:         d.log,
		Store:       d.store,
		DB:          d.db,
		Registry:    d.registry,
		Services:    svc,
		EventsInDB:  d.backend == storage.Postgres,
		SigningKey:  d.signingKey,
		AuditKey:    d.auditKey,
		RedisPrefix: prefix,
		Unreachable: pgerr.Unreachable,
		APILimit:    auth.PerSecond(d.cfg.APIRateLimit, 2*d.cfg.APIRateLimit),
	}
	if d.redis != nil { // a nil *redis.Client in the interface would not read as "disabled"
		ad.Redis = d.redis
	}
	mounted, err := api.Mount(ctx, r, ad)
	if err != nil {
		return nil, fmt.Errorf("mount api: %w", err)
	}
	if err := hintFirstAdmin(ctx, mounted.Users, d.log); err != nil {
		return nil, err
	}
	return mounted.Responder, nil
}

// hintFirstAdmin logs, when no user exists yet (and no bootstrap admin was configured), how to
// create the first admin: without one nobody can sign in.
func hintFirstAdmin(ctx context.Context, users *commands.Users, log *slog.Logger) error {
	n, err := users.Count(ctx)
	if err != nil {
		return fmt.Errorf("count users: %w", err)
	}
	if n == 0 {
		log.Warn("no users yet: nobody can sign in until the first admin exists; "+
			"create it with `posctl users create-admin --username NAME` (same configuration as posd), "+
			"or start posd with POS_BOOTSTRAP_ADMIN_USERNAME and POS_BOOTSTRAP_ADMIN_PASSWORD set",
			slog.String("hint", "posctl users create-admin"))
	}
	return nil
}
