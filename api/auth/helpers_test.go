package auth_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"

	"github.com/odata-pos/pos/api/apitest"
	"github.com/odata-pos/pos/api/auth"
	"github.com/odata-pos/pos/api/authz"
)

// redisURL is the machine's Redis; REDIS_URL overrides it.
func redisURL() string {
	if u := os.Getenv("REDIS_URL"); u != "" {
		return u
	}
	return "redis://127.0.0.1:6379/0"
}

// testRedis returns a client on the real Redis and a random key prefix; every key under the
// prefix (and redis_rate's "rate:" copy of it) is deleted when the test ends.
func testRedis(t *testing.T) (*redis.Client, string) {
	t.Helper()
	opt, err := redis.ParseURL(redisURL())
	if err != nil {
		t.Fatal(err)
	}
	rdb := redis.NewClient(opt)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := rdb.Ping(ctx).Err(); err != nil {
		t.Fatalf("redis at %s is required for this test: %v", redisURL(), err)
	}
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	prefix := "test:" + hex.EncodeToString(b) + ":"
	t.Cleanup(func() {
		ctx := context.Background()
		for _, pattern := range []string{prefix + "*", "rate:" + prefix + "*"} {
			iter := rdb.Scan(ctx, 0, pattern, 100).Iterator()
			for iter.Next(ctx) {
				rdb.Del(ctx, iter.Val())
			}
		}
		_ = rdb.Close()
	})
	return rdb, prefix
}

// deadRedis returns a client on an address where nothing listens.
func deadRedis(t *testing.T) *redis.Client {
	t.Helper()
	opt, err := redis.ParseURL("redis://127.0.0.1:1")
	if err != nil {
		t.Fatal(err)
	}
	opt.DialTimeout, opt.DialerRetries, opt.MaxRetries = 200*time.Millisecond, 1, -1
	rdb := redis.NewClient(opt)
	t.Cleanup(func() { _ = rdb.Close() })
	return rdb
}

// clock is a settable test clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Now()} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// events records security events.
type events struct {
	mu   sync.Mutex
	list []authz.SecurityEvent
}

func (e *events) Record(_ context.Context, ev authz.SecurityEvent) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.list = append(e.list, ev)
}

func (e *events) count(kind authz.SecurityEventKind) int {
	e.mu.Lock()
	defer e.mu.Unlock()
	n := 0
	for _, ev := range e.list {
		if ev.Kind == kind {
			n++
		}
	}
	return n
}

// accessMap is an in-memory auth.AccessSource for the token mechanics tests (the PostgreSQL one
// is tested in internal/credentials and through the API). Fixtures of one test that stand for
// replicas of one deployment share it, as they would share the database.
type accessMap struct {
	mu      sync.Mutex
	m       map[string]auth.Access
	revoked map[string]time.Time
}

func (a *accessMap) UserAccess(_ context.Context, id string, keys []string, now time.Time) (auth.Access, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	x, ok := a.m[id]
	if !ok {
		return auth.Access{}, auth.ErrUserNotFound
	}
	for _, k := range keys {
		if u, ok := a.revoked[k]; ok && now.Before(u) {
			x.Revoked = true
		}
	}
	return x, nil
}

func (a *accessMap) Revoke(_ context.Context, key string, until, _ time.Time) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if until.After(a.revoked[key]) {
		a.revoked[key] = until
	}
	return nil
}

// grant sets the current access of id's user to id's roles, stores and epoch.
func (a *accessMap) grant(id auth.Identity) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.m[id.UserID] = auth.Access{Epoch: id.Epoch, Roles: id.Roles, StoreIDs: id.StoreIDs}
}

// set replaces the current access of userID.
func (a *accessMap) set(userID string, x auth.Access) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.m[userID] = x
}

// fixture bundles the services under test.
type fixture struct {
	access    *accessMap
	keys      *auth.KeySet
	tokens    *auth.Tokens
	approvals *auth.Approvals
	limiter   *auth.FallbackLimiter
	accounts  *auth.AccountThrottle
	clock     *clock
	events    *events
	logs      *apitest.LogBuffer
	fallbacks prometheus.Counter
	prefix    string
}

// testKey returns a key for a fixed test secret.
func testKey(t *testing.T, secret string) auth.Key {
	t.Helper()
	k, err := auth.NewKey([]byte(secret))
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// newFixture builds the services on rdb (nil: Redis disabled) with key prefix prefix.
func newFixture(t *testing.T, rdb redis.UniversalClient, prefix string) *fixture {
	t.Helper()
	return newReplica(t, rdb, prefix, &accessMap{m: map[string]auth.Access{}, revoked: map[string]time.Time{}})
}

// newReplica builds the services as newFixture does, on the access source of another
// fixture: a second replica of the same deployment.
func newReplica(t *testing.T, rdb redis.UniversalClient, prefix string, access *accessMap) *fixture {
	t.Helper()
	f := &fixture{access: access, clock: newClock(), events: &events{}, logs: &apitest.LogBuffer{}, prefix: prefix,
		fallbacks: prometheus.NewCounter(prometheus.CounterOpts{Name: "test_redis_fallbacks_total"})}
	keys, err := auth.NewKeySet(testKey(t, "current-secret-0123456789abcdef0123"), testKey(t, "previous-secret-0123456789abcdef012"))
	if err != nil {
		t.Fatal(err)
	}
	f.keys = keys
	deps := auth.Deps{Redis: rdb, Log: slog.New(slog.NewJSONHandler(f.logs, nil)), Security: f.events,
		Fallbacks: f.fallbacks, Now: f.clock.Now}
	if rdb == nil {
		deps.Redis = nil // a typed nil would not be nil in the interface
	}
	f.access.grant(cashier())
	f.tokens, err = auth.NewTokens(keys, f.access, auth.TokenConfig{KeyPrefix: prefix}, deps)
	if err != nil {
		t.Fatal(err)
	}
	f.approvals = auth.NewApprovals(auth.ApprovalConfig{KeyPrefix: prefix}, deps)
	f.limiter = auth.NewFallbackLimiter(prefix, auth.NewLocalLimiter(0, f.clock.Now), deps)
	f.accounts = auth.NewAccountThrottle(auth.AccountLimits{}, prefix, deps)
	return f
}

// cashier is a sample identity.
func cashier() auth.Identity {
	return auth.Identity{UserID: "user-1", Roles: []authz.Role{authz.RoleCashier}, StoreIDs: []string{"store-a"}}
}

// grantOf is a grant of action on resource by approver for session "sid-1" in store-a.
func grantOf(action auth.Action, resource, approver string) auth.Grant {
	return auth.Grant{Action: action, ResourceID: resource, ApproverID: approver, StoreIDs: []string{"store-a"}, SessionID: "sid-1"}
}

// useOf is a use of an approval for action on resource in store-a by session "sid-1".
func useOf(action auth.Action, resource string) auth.Use {
	return auth.Use{Action: action, ResourceID: resource, StoreID: "store-a", SessionID: "sid-1"}
}
