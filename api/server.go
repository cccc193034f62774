package api

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/gorilla/mux"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"

	auditapi "github.com/odata-pos/pos/api/audit"
	"github.com/odata-pos/pos/api/auth"
	"github.com/odata-pos/pos/api/authz"
	catalogapi "github.com/odata-pos/pos/api/catalog"
	"github.com/odata-pos/pos/api/cmdhttp"
	"github.com/odata-pos/pos/api/httpx"
	inventoryapi "github.com/odata-pos/pos/api/inventory"
	"github.com/odata-pos/pos/api/projectionsapi"
	queriesapi "github.com/odata-pos/pos/api/queries"
	reportsapi "github.com/odata-pos/pos/api/reports"
	returnsapi "github.com/odata-pos/pos/api/returns"
	"github.com/odata-pos/pos/api/sales"
	"github.com/odata-pos/pos/api/shifts"
	"github.com/odata-pos/pos/api/users"
	"github.com/odata-pos/pos/commands"
	"github.com/odata-pos/pos/commands/policies"
	"github.com/odata-pos/pos/domain"
	"github.com/odata-pos/pos/domain/user"
	"github.com/odata-pos/pos/eventstore"
	evaudit "github.com/odata-pos/pos/eventstore/audit"
	"github.com/odata-pos/pos/internal/credentials"
	"github.com/odata-pos/pos/internal/deployment"
	"github.com/odata-pos/pos/internal/pgcheckpoint"
	"github.com/odata-pos/pos/internal/pgsnapshot"
	"github.com/odata-pos/pos/monitoring"
	"github.com/odata-pos/pos/projections"
	"github.com/odata-pos/pos/projections/readmodels"
	"github.com/odata-pos/pos/projections/reports"
)

// Prefix is the base path of the versioned API.
const Prefix = "/api/v1"

// Deps are what the API is built from. Store, DB and SigningKey are required.
type Deps struct {
	Log      *slog.Logger
	Store    eventstore.Store
	DB       *pgxpool.Pool
	Redis    redis.UniversalClient // nil: Redis disabled, everything in-process
	Registry prometheus.Registerer // nil: metrics not registered
	// SigningKey signs access tokens; PreviousKeys still verify tokens signed before a rotation.
	SigningKey   []byte
	PreviousKeys [][]byte
	// AuditKey is the audit checkpoint key (POS_AUDIT_KEY); empty derives it from SigningKey.
	AuditKey []byte
	// RedisPrefix prefixes every Redis key of the API (POS_REDIS_PREFIX; tests use a random
	// one); empty derives it from the deployment's identity in DB (internal/deployment).
	RedisPrefix string
	// Tokens overrides token lifetimes; zero fields take the defaults.
	Tokens auth.TokenConfig
	// Bootstrap creates the first admin when no user exists (both empty: no bootstrap).
	BootstrapUsername, BootstrapPassword string
	// APILimit overrides the per-user API rate limit (zero: auth.DefaultAPILimit()).
	APILimit auth.Limit
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// API is the mounted API and the services it built, for cmd/posd and tests.
type API struct {
	Responder  *httpx.Responder
	Routes     *authz.Routes
	Codec      *eventstore.Codec
	Commands   *commands.Handler
	Users      *commands.Users
	Tokens     *auth.Tokens
	Passwords  *auth.Passwords
	Approvals  *auth.Approvals
	Authorizer *authz.Authorizer
	// RedisPrefix is the prefix of every Redis key the API uses.
	RedisPrefix string
}

// NewCodec returns the codec of every event type of the write side.
func NewCodec() *eventstore.Codec {
	c := eventstore.NewCodec()
	domain.RegisterWriteSide(c)
	user.Register(c)
	return c
}

// Mount builds the API and registers its routes under Prefix on router. It returns the
// responder too, so the caller's outer middleware maps errors the same way.
func Mount(ctx context.Context, router *mux.Router, d Deps) (*API, error) {
	if d.Store == nil || d.DB == nil || len(d.SigningKey) == 0 {
		return nil, errors.New("api: Store, DB and SigningKey are required")
	}
	if d.Now == nil {
		d.Now = time.Now
	}
	log := httpx.Logger(d.Log)
	fallbacks := monitoring.NewRedisFallbacks()
	if d.Registry != nil {
		if err := d.Registry.Register(fallbacks); err != nil {
			return nil, fmt.Errorf("register metrics: %w", err)
		}
	}
	var security authz.SecurityRecorder = authz.NewSlogRecorder(log)
	var observe commands.Observer
	if d.Registry != nil {
		kinds := make([]string, len(authz.AllSecurityEventKinds))
		for i, k := range authz.AllSecurityEventKinds {
			kinds[i] = string(k)
		}
		security = authz.NewCountingRecorder(security, monitoring.NewSecurityMetrics(d.Registry, kinds...).Count)
		observe = businessObserver(monitoring.NewBusinessMetrics(d.Registry))
	}
	rs := httpx.NewResponder(log, auth.MapError, cmdhttp.MapError, databaseUnreachable)

	key, err := auth.NewKey(d.SigningKey)
	if err != nil {
		return nil, err
	}
	var previous []auth.Key
	for _, p := range d.PreviousKeys {
		k, err := auth.NewKey(p)
		if err != nil {
			return nil, err
		}
		previous = append(previous, k)
	}
	keys, err := auth.NewKeySet(key, previous...)
	if err != nil {
		return nil, err
	}
	// Every Redis key of the API is under the deployment's prefix, so deployments sharing a
	// Redis never see each other's replays, revocations or limits.
	prefix, err := deployment.RedisPrefix(ctx, d.DB, d.RedisPrefix)
	if err != nil {
		return nil, err
	}
	authDeps := auth.Deps{Redis: d.Redis, Log: log, Security: security, Fallbacks: fallbacks.WithLabelValues("auth"), Now: d.Now}
	tcfg := d.Tokens
	if tcfg.KeyPrefix == "" {
		tcfg.KeyPrefix = prefix + "auth:"
	}
	creds, err := credentials.New(ctx, d.DB)
	if err != nil {
		return nil, err
	}
	codec := NewCodec()
	snapshots, err := pgsnapshot.New(ctx, d.DB)
	if err != nil {
		return nil, err
	}
	// The command side keeps the latest snapshot of each register, shift and stock stream in
	// memory too (see commands.CachedSnapshots): a sale loads them without decoding up to
	// 100 events each.
	handler := commands.NewHandler(d.Store, codec, commands.Options{Snapshots: commands.NewCachedSnapshots(snapshots, snapshotDurableEvery, snapshotCacheStreams), Observe: observe})
	userCmds := commands.NewUsers(handler, creds, d.Now)
	if err := userCmds.SyncAccess(ctx); err != nil {
		return nil, fmt.Errorf("sync user access: %w", err)
	}
	finder := users.NewFinder(userCmds)
	tokens, err := auth.NewTokens(keys, finder, tcfg, authDeps)
	if err != nil {
		return nil, err
	}
	passwords, err := auth.NewPasswords(auth.DefaultPasswordParams(), 0)
	if err != nil {
		return nil, err
	}
	approvals := auth.NewApprovals(auth.ApprovalConfig{KeyPrefix: prefix + "auth:"}, authDeps)
	limiterDeps := authDeps
	limiterDeps.Fallbacks = fallbacks.WithLabelValues("ratelimit")
	limiter := auth.NewFallbackLimiter(prefix+"rl:", auth.NewLocalLimiter(0, nil), limiterDeps)
	az := authz.NewAuthorizer(authz.DefaultPolicy(), rs, security)
	idem := cmdhttp.NewIdempotency(d.Redis, rs, prefix, 24*time.Hour)

	v1 := router.PathPrefix(Prefix).Subrouter()
	// Input text first: a NUL byte or invalid UTF-8 in a path variable, query parameter or a
	// header the API reads is a 400 naming it, before anything looks the value up.
	v1.Use(mux.MiddlewareFunc(httpx.ValidText(rs, mux.Vars, cmdhttp.HeaderIdempotencyKey, cmdhttp.HeaderIfMatch,
		cmdhttp.HeaderApprovalToken, cmdhttp.HeaderCorrelationID, queriesapi.HeaderConsistentWith)),
		mux.MiddlewareFunc(tokens.Authenticate(rs)),
		mux.MiddlewareFunc(auth.RateLimit(limiter, rs, apiLimit(d.APILimit), auth.PerUserKey)))
	v1.NotFoundHandler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rs.Error(w, r, httpx.NotFound("route_not_found", "no such API route"))
	})
	routes := authz.NewRoutes(v1, az)
	routes.Handle(http.MethodGet, "/openapi.yaml", authz.Public(), OpenAPIHandler())

	loginGuard := auth.NewLoginGuard(limiter, auth.NewAccountThrottle(auth.AccountLimits{}, prefix+"rl:", limiterDeps), auth.DefaultLoginLimits())
	(&auth.Handlers{
		Users: finder, Tokens: tokens, Passwords: passwords, Approvals: approvals,
		LoginGuard: loginGuard,
		Authorizer: az, Responder: rs, Security: security,
	}).Register(routes)
	userHandlers := &users.Handlers{Users: userCmds, Passwords: passwords, Responder: rs, Idempotency: idem, Guard: loginGuard, Now: d.Now}
	userHandlers.Register(routes)

	// Route areas of the write and read sides. Each area is one package with a Handlers type
	// whose Register method adds its routes; add new areas here, one block each.
	// areas:
	// The projection control routes use a runner that is never started here: status, rebuild
	// and skip go through the checkpoint table to the replica that runs each projection.
	control, err := projections.New(projections.Config{Pool: d.DB, Store: d.Store,
		Projections: append(readmodels.All(codec), reports.All()...)})
	if err != nil {
		return nil, err
	}
	if err := control.Migrate(ctx); err != nil {
		return nil, fmt.Errorf("projection tables: %w", err)
	}
	(&projectionsapi.Handlers{Runner: control, Responder: rs, Security: security}).Register(routes)
	if err := (&auditapi.Handlers{
		Store: d.Store, DB: d.DB, Key: d.AuditKey, SigningKey: d.SigningKey, Codec: codec,
		PGEvents: evaudit.InPostgres(d.Store), Authorizer: az, Responder: rs, Now: d.Now,
	}).Register(routes); err != nil {
		return nil, err
	}
	queryWaiter, err := queriesapi.NewWaiter(d.DB, d.Store, codec)
	if err != nil {
		return nil, err
	}
	(&queriesapi.Handlers{
		Queries: readmodels.NewQueries(d.DB), Waiter: queryWaiter, Authorizer: az, Responder: rs,
	}).Register(routes)
	policyCheckpoints, err := pgcheckpoint.New(ctx, d.DB)
	if err != nil {
		return nil, err
	}
	policyList := policies.Default(handler)
	if err := (&reportsapi.Handlers{
		DB: d.DB, Store: d.Store, Redis: d.Redis, KeyPrefix: prefix,
		Policies: func(ctx context.Context) ([]policies.Status, error) {
			return policies.Statuses(ctx, d.Store, policyCheckpoints, policyList)
		},
		Fallbacks: fallbacks.WithLabelValues("reports"), Authorizer: az, Responder: rs,
	}).Register(routes); err != nil {
		return nil, err
	}
	(&sales.Handlers{
		Sales: commands.NewSales(handler, d.Now), Authorizer: az, Approvals: approvals,
		Responder: rs, Idempotency: idem, Now: d.Now,
	}).Register(routes)
	(&shifts.Handlers{
		Shifts: commands.NewShifts(handler, d.Now), Authorizer: az, Approvals: approvals,
		Responder: rs, Idempotency: idem, Now: d.Now,
	}).Register(routes)
	(&catalogapi.Handlers{
		Stores: commands.NewStores(handler, d.Now), Catalog: commands.NewCatalog(handler, d.Now),
		Authorizer: az, Responder: rs, Idempotency: idem, Now: d.Now,
	}).Register(routes)
	(&inventoryapi.Handlers{
		Inventory: commands.NewInventory(handler, d.Now), Authorizer: az,
		Responder: rs, Idempotency: idem, Now: d.Now,
	}).Register(routes)
	(&returnsapi.Handlers{
		Returns: commands.NewReturns(handler, d.Now, nil), Authorizer: az, Approvals: approvals,
		Responder: rs, Idempotency: idem, Now: d.Now,
	}).Register(routes)

	if d.BootstrapUsername != "" {
		if err := userHandlers.Bootstrap(ctx, d.BootstrapUsername, d.BootstrapPassword); err != nil {
			return nil, fmt.Errorf("bootstrap admin: %w", err)
		}
	}
	return &API{
		Responder: rs, Routes: routes, Codec: codec, Commands: handler, Users: userCmds,
		Tokens: tokens, Passwords: passwords, Approvals: approvals, Authorizer: az, RedisPrefix: prefix,
	}, nil
}

// apiLimit returns l, or the default per-user API limit when l is zero.
// The in-memory snapshot tier of the command side: the streams it holds, and how many events
// of a stream pass between two snapshots stored in PostgreSQL.
const (
	snapshotCacheStreams = 50_000
	snapshotDurableEvery = 100
)

func apiLimit(l auth.Limit) auth.Limit {
	if l.Rate <= 0 {
		return auth.DefaultAPILimit()
	}
	return l
}
