package api

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/odata-pos/pos/api/consistency"

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
	"github.com/odata-pos/pos/eventstore"
	"github.com/odata-pos/pos/monitoring"
)

// Prefix is the base path of the versioned API.
const Prefix = "/api/v1"

// Deps are what the API is built from: the stores it reads, the application services the
// composition root built (internal/services), and the HTTP layer's own settings. Store, DB,
// SigningKey, RedisPrefix and every field of Services are required.
type Deps struct {
	Log      *slog.Logger
	Store    eventstore.Store
	DB       *pgxpool.Pool
	Redis    redis.UniversalClient // nil: Redis disabled, everything in-process
	Registry prometheus.Registerer // nil: metrics not registered
	// Services are the ready-built application services the route areas call.
	Services Services
	// EventsInDB says that the events live in DB (the PostgreSQL event store): the audit
	// routes then query them with SQL and verify the streams table too.
	EventsInDB bool
	// SigningKey signs access tokens; PreviousKeys still verify tokens signed before a rotation.
	SigningKey   []byte
	PreviousKeys [][]byte
	// AuditKey is the audit checkpoint key (POS_AUDIT_KEY); empty derives it from SigningKey.
	AuditKey []byte
	// RedisPrefix prefixes every Redis key of the API (internal/deployment derives it from
	// the deployment's identity unless POS_REDIS_PREFIX sets it; tests use a random one).
	RedisPrefix string
	// Unreachable reports whether an error means the database could not be reached; such
	// errors answer 503 database_unavailable on every route. Nil: none does.
	Unreachable func(error) bool
	// Tokens overrides token lifetimes; zero fields take the defaults.
	Tokens auth.TokenConfig
	// APILimit overrides the per-user API rate limit (zero: auth.DefaultAPILimit()).
	APILimit auth.Limit
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// API is the mounted API and the services it runs on, for cmd/posd and tests.
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

// Mount registers the API's routes under Prefix on router, each area over its ready-built
// services; it builds only the HTTP layer's own parts (tokens, approvals, limits, the
// authorizer, idempotency replays, the error mapping). It returns the responder too, so the
// caller's outer middleware maps errors the same way.
func Mount(ctx context.Context, router *mux.Router, d Deps) (*API, error) {
	if d.Store == nil || d.DB == nil || len(d.SigningKey) == 0 || d.RedisPrefix == "" {
		return nil, errors.New("api: Store, DB, SigningKey and RedisPrefix are required")
	}
	svc := d.Services
	if err := svc.validate(); err != nil {
		return nil, err
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
	if d.Registry != nil {
		kinds := make([]string, len(authz.AllSecurityEventKinds))
		for i, k := range authz.AllSecurityEventKinds {
			kinds[i] = string(k)
		}
		security = authz.NewCountingRecorder(security, monitoring.NewSecurityMetrics(d.Registry, kinds...).Count)
	}
	rs := httpx.NewResponder(log, auth.MapError, cmdhttp.MapError, databaseUnreachable(d.Unreachable))

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
	prefix := d.RedisPrefix
	authDeps := auth.Deps{Redis: d.Redis, Log: log, Security: security, Fallbacks: fallbacks.WithLabelValues("auth"), Now: d.Now}
	tcfg := d.Tokens
	if tcfg.KeyPrefix == "" {
		tcfg.KeyPrefix = prefix + "auth:"
	}
	finder := users.NewFinder(svc.Users, svc.Access)
	tokens, err := auth.NewTokens(keys, finder, tcfg, authDeps)
	if err != nil {
		return nil, err
	}
	passwords := svc.Passwords
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
		cmdhttp.HeaderApprovalToken, cmdhttp.HeaderCorrelationID, consistency.Header)),
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
	(&users.Handlers{Users: svc.Users, Passwords: passwords, Responder: rs, Idempotency: idem, Guard: loginGuard, Now: d.Now}).Register(routes)

	// Route areas of the write and read sides. Each area is one package with a Handlers type
	// whose Register method adds its routes; add new areas here, one block each.
	// areas:
	(&projectionsapi.Handlers{Runner: svc.Projections, Responder: rs, Security: security}).Register(routes)
	if err := (&auditapi.Handlers{
		Store: d.Store, DB: d.DB, Key: d.AuditKey, SigningKey: d.SigningKey, Codec: svc.Codec,
		PGEvents: d.EventsInDB, Authorizer: az, Responder: rs, Now: d.Now,
	}).Register(routes); err != nil {
		return nil, err
	}
	(&queriesapi.Handlers{
		Queries: svc.Queries, Waiter: svc.Projections, Authorizer: az, Responder: rs,
	}).Register(routes)
	if err := (&reportsapi.Handlers{
		DB: d.DB, Projections: svc.Projections, Redis: d.Redis, KeyPrefix: prefix, Policies: svc.Policies,
		Fallbacks: fallbacks.WithLabelValues("reports"), Authorizer: az, Responder: rs,
	}).Register(routes); err != nil {
		return nil, err
	}
	(&sales.Handlers{
		Sales: svc.Sales, Authorizer: az, Approvals: approvals,
		Responder: rs, Idempotency: idem, Now: d.Now,
	}).Register(routes)
	(&shifts.Handlers{
		Shifts: svc.Shifts, Authorizer: az, Approvals: approvals,
		Responder: rs, Idempotency: idem, Now: d.Now,
	}).Register(routes)
	(&catalogapi.Handlers{
		Stores: svc.Stores, Catalog: svc.Catalog,
		Authorizer: az, Responder: rs, Idempotency: idem, Now: d.Now,
	}).Register(routes)
	(&inventoryapi.Handlers{
		Inventory: svc.Inventory, Authorizer: az,
		Responder: rs, Idempotency: idem, Now: d.Now,
	}).Register(routes)
	(&returnsapi.Handlers{
		Returns: svc.Returns, Authorizer: az, Approvals: approvals,
		Responder: rs, Idempotency: idem, Now: d.Now,
	}).Register(routes)

	return &API{
		Responder: rs, Routes: routes, Codec: svc.Codec, Commands: svc.Commands, Users: svc.Users,
		Tokens: tokens, Passwords: passwords, Approvals: approvals, Authorizer: az, RedisPrefix: prefix,
	}, nil
}

// apiLimit returns l, or the default per-user API limit when l is zero.
func apiLimit(l auth.Limit) auth.Limit {
	if l.Rate <= 0 {
		return auth.DefaultAPILimit()
	}
	return l
}
