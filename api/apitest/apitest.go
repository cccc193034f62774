// Package apitest runs the real API in-process for tests: a fresh PostgreSQL database with the
// PostgreSQL event store, the machine's Redis under a random key prefix, the bootstrap admin,
// and helpers to log in and send requests. Test support only.
package apitest

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/mux"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/redis/go-redis/v9"

	"github.com/odata-pos/pos/api"
	"github.com/odata-pos/pos/api/auth"
	"github.com/odata-pos/pos/eventstore"
	"github.com/odata-pos/pos/internal/pgerr"
	"github.com/odata-pos/pos/internal/pgtest"
	"github.com/odata-pos/pos/internal/pguuid"
	"github.com/odata-pos/pos/internal/services"
	"github.com/odata-pos/pos/internal/storage"
)

// Admin credentials of the bootstrap admin of every Env.
const (
	AdminUsername = "admin"
	AdminPassword = "admin-password-1"
)

// UserPassword is the password of every user CreateUser creates.
const UserPassword = "user-password-1"

// signingKey signs the access tokens of every Env.
const signingKey = "apitest-signing-key-0123456789abcdef"

// Options tune an Env.
type Options struct {
	// Store replaces the PostgreSQL event store (e.g. an EventStoreDB adapter on the emulator).
	Store eventstore.Store
	// RedisURL overrides the Redis address; "-" disables Redis.
	RedisURL string
	// Now is the API's clock; nil means time.Now.
	Now func() time.Time
	// APILimit overrides the per-user rate limit (zero: the production default).
	APILimit auth.Limit
	// DeriveRedisPrefix leaves the Redis prefix to the API (derived from the deployment's
	// identity, as in production) instead of a random one.
	DeriveRedisPrefix bool
	// Proxy connects the pool and the event store to PostgreSQL through a pgtest.Proxy, so
	// that Env.CutDatabase can take the database away.
	Proxy bool
}

// Env is a running API. Its Redis keys are deleted by t.Cleanup.
type Env struct {
	t      testing.TB
	Server *httptest.Server
	API    *api.API
	Store  eventstore.Store
	DB     *pgxpool.Pool
	Redis  redis.UniversalClient
	// AdminToken is an access token of the bootstrap admin.
	AdminToken string
	// CutDatabase makes PostgreSQL unreachable (Options.Proxy only): live connections are
	// closed and new ones refused.
	CutDatabase func()

	eventsInDB bool
	opts       Options
}

func (e *Env) now() time.Time {
	if e.opts.Now != nil {
		return e.opts.Now()
	}
	return time.Now()
}

// Mount mounts an API over svc and the Env's stores, as posd does, with every Redis key under
// prefix ("" derives it from the deployment), and serves it until the test ends: the Env's own
// API, or another replica of it.
func (e *Env) Mount(ctx context.Context, svc api.Services, prefix string) (*httptest.Server, *api.API) {
	e.t.Helper()
	prefix, err := services.RedisPrefix(ctx, e.DB, prefix)
	if err != nil {
		e.t.Fatalf("apitest: redis prefix: %v", err)
	}
	router := mux.NewRouter()
	a, err := api.Mount(ctx, router, api.Deps{
		Log: quietLogger(), Store: e.Store, DB: e.DB, Redis: e.Redis, Services: svc, EventsInDB: e.eventsInDB,
		SigningKey: []byte(signingKey), RedisPrefix: prefix, Unreachable: pgerr.Unreachable,
		Now: e.opts.Now, APILimit: e.opts.APILimit,
	})
	if err != nil {
		e.t.Fatalf("apitest: mount api: %v", err)
	}
	srv := httptest.NewServer(api.Handler(router, a.Responder, quietLogger(), nil))
	e.t.Cleanup(srv.Close)
	return srv, a
}

// Replica mounts a second API on the Env's stores with services of its own (as another posd
// replica of the same deployment has) and Redis keys under prefix.
func (e *Env) Replica(ctx context.Context, prefix string) *httptest.Server {
	e.t.Helper()
	svc, err := services.Build(ctx, services.Deps{Store: e.Store, DB: e.DB, Now: e.opts.Now})
	if err != nil {
		e.t.Fatalf("apitest: services: %v", err)
	}
	srv, _ := e.Mount(ctx, svc, prefix)
	return srv
}

// New starts an API for t; everything is torn down by t.Cleanup.
func New(t testing.TB, opts Options) *Env {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	url := pgtest.NewDatabase(t)
	cut := func() { t.Fatal("apitest: CutDatabase needs Options.Proxy") }
	if opts.Proxy {
		url, cut = pgtest.Proxy(t, url)
	}
	db, err := pguuid.NewPool(ctx, url)
	if err != nil {
		t.Fatalf("apitest: pool: %v", err)
	}
	t.Cleanup(db.Close)
	store, eventsInDB := opts.Store, false
	if store == nil {
		events, err := storage.Open(ctx, storage.Options{DatabaseURL: url, Logger: quietLogger()})
		if err != nil {
			t.Fatalf("apitest: event store: %v", err)
		}
		t.Cleanup(func() { _ = events.Store.Close() })
		store, eventsInDB = events.Store, events.InDatabase()
	}
	var rdb redis.UniversalClient
	prefix := "apitest:" + randomHex(6) + ":"
	switch opts.RedisURL {
	case "-":
	default:
		addr := "127.0.0.1:6379"
		if opts.RedisURL != "" {
			o, err := redis.ParseURL(opts.RedisURL)
			if err != nil {
				t.Fatalf("apitest: redis url: %v", err)
			}
			addr = o.Addr
		}
		c := redis.NewClient(&redis.Options{Addr: addr, DialTimeout: 250 * time.Millisecond, MaxRetries: 1})
		t.Cleanup(func() { _ = c.Close() })
		rdb = c
	}
	if opts.DeriveRedisPrefix {
		prefix = ""
	}
	e := &Env{t: t, Store: store, DB: db, Redis: rdb, CutDatabase: cut, eventsInDB: eventsInDB, opts: opts}
	svc, err := services.Build(ctx, services.Deps{Store: store, DB: db, Now: opts.Now})
	if err != nil {
		t.Fatalf("apitest: services: %v", err)
	}
	if err := services.BootstrapAdmin(ctx, svc, AdminUsername, AdminPassword, e.now()); err != nil {
		t.Fatalf("apitest: %v", err)
	}
	e.Server, e.API = e.Mount(ctx, svc, prefix)
	t.Cleanup(e.DeleteRedisKeys) // runs before the client closes (cleanups run last first)
	e.AdminToken = e.Login(AdminUsername, AdminPassword)
	return e
}

// DeleteRedisKeys deletes every Redis key of the Env's API (its prefix only: other tests
// share the Redis), as a Redis that lost its data would be.
func (e *Env) DeleteRedisKeys() {
	if e.Redis == nil {
		return
	}
	ctx := context.Background()
	iter := e.Redis.Scan(ctx, 0, e.API.RedisPrefix+"*", 500).Iterator()
	var keys []string
	for iter.Next(ctx) {
		keys = append(keys, iter.Val())
	}
	if err := iter.Err(); err != nil {
		e.t.Logf("apitest: scan redis keys: %v", err)
		return
	}
	if len(keys) > 0 {
		if err := e.Redis.Del(ctx, keys...).Err(); err != nil {
			e.t.Logf("apitest: delete redis keys: %v", err)
		}
	}
}

// LogBuffer is a goroutine-safe log sink, for a logger or a subprocess's output that a test
// reads back.
type LogBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

// Write appends p.
func (b *LogBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// String returns what was written so far.
func (b *LogBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// Response is an answered request.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// JSON decodes the body into v, failing the test on error.
func (r *Response) JSON(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		t.Fatalf("decode %s: %v", r.Body, err)
	}
}

// Map decodes the body as a JSON object.
func (r *Response) Map(t testing.TB) map[string]any {
	t.Helper()
	var m map[string]any
	r.JSON(t, &m)
	return m
}

// WantProblem fails the test unless r is a problem+json answer with code whose detail
// mentions every one of mentions.
func WantProblem(t testing.TB, r *Response, code string, mentions ...string) {
	t.Helper()
	var p struct{ Code, Detail string }
	r.JSON(t, &p)
	if p.Code != code || slices.ContainsFunc(mentions, func(m string) bool { return !strings.Contains(p.Detail, m) }) {
		t.Fatalf("want a %s problem naming %v: %s", code, mentions, r.Body)
	}
}

// Approval returns the approval token a manager (username, password) gives for action, asked
// with requester's token as at a register; resource binds it to one aggregate, "" to none.
func (e *Env) Approval(requester, username, password, action, resource string) string {
	e.t.Helper()
	body := map[string]any{"username": username, "password": password, "action": action}
	if resource != "" {
		body["resource_id"] = resource
	}
	var out struct {
		Token string `json:"approval_token"`
	}
	e.Must(http.StatusCreated, http.MethodPost, "/api/v1/auth/approvals", requester, body).JSON(e.t, &out)
	if out.Token == "" {
		e.t.Fatalf("no approval token for %s", action)
	}
	return out.Token
}

// Do sends a request with token (may be empty) and body (nil, a []byte or a value encoded as
// JSON). headers are name, value pairs.
func (e *Env) Do(method, path, token string, body any, headers ...string) *Response {
	e.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case []byte:
		rd = bytes.NewReader(b)
	case string:
		rd = bytes.NewReader([]byte(b))
	default:
		buf, err := json.Marshal(b)
		if err != nil {
			e.t.Fatalf("encode body: %v", err)
		}
		rd = bytes.NewReader(buf)
	}
	req, err := http.NewRequest(method, e.Server.URL+path, rd)
	if err != nil {
		e.t.Fatalf("request: %v", err)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := e.Server.Client().Do(req)
	if err != nil {
		e.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		e.t.Fatalf("read %s %s: %v", method, path, err)
	}
	return &Response{Status: resp.StatusCode, Header: resp.Header, Body: b}
}

// Must is Do that fails the test unless the status is want.
func (e *Env) Must(want int, method, path, token string, body any, headers ...string) *Response {
	e.t.Helper()
	r := e.Do(method, path, token, body, headers...)
	if r.Status != want {
		e.t.Fatalf("%s %s: status %d, want %d: %s", method, path, r.Status, want, r.Body)
	}
	return r
}

// Login returns an access token for username.
func (e *Env) Login(username, password string) string {
	e.t.Helper()
	var out struct {
		AccessToken string `json:"access_token"`
	}
	e.Must(http.StatusOK, http.MethodPost, "/api/v1/auth/login", "", map[string]string{"username": username, "password": password}).JSON(e.t, &out)
	return out.AccessToken
}

// CreateUser creates a user (as the admin) and returns its ID and an access token.
func (e *Env) CreateUser(username string, roles, storeIDs []string) (id, token string) {
	e.t.Helper()
	var out struct {
		ID string `json:"id"`
	}
	e.Must(http.StatusCreated, http.MethodPost, "/api/v1/users", e.AdminToken, map[string]any{
		"username": username, "password": UserPassword, "roles": roles, "store_ids": storeIDs,
	}).JSON(e.t, &out)
	return out.ID, e.Login(username, UserPassword)
}

func quietLogger() *slog.Logger {
	if os.Getenv("APITEST_LOG") != "" {
		return slog.New(slog.NewTextHandler(os.Stderr, nil))
	}
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
