package auth_test

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/odata-pos/pos/api/auth"
	"github.com/odata-pos/pos/api/authz"
	"github.com/odata-pos/pos/api/httpx"
)

func TestLimitersRefuseAfterBurst(t *testing.T) {
	rdb, prefix := testRedis(t)
	limit := auth.PerMinute(5, 5)
	for name, l := range map[string]auth.Limiter{
		"redis":             auth.NewRedisLimiter(rdb, prefix),
		"local":             auth.NewLocalLimiter(0, nil),
		"fallback on redis": newFixture(t, rdb, prefix+"fb:").limiter,
		"fallback, dead":    newFixture(t, deadRedis(t), prefix).limiter,
		"fallback, none":    newFixture(t, nil, prefix).limiter,
	} {
		t.Run(name, func(t *testing.T) {
			ctx := t.Context()
			for i := range 5 {
				res, err := l.Allow(ctx, "k", limit)
				if err != nil || !res.Allowed || res.Remaining != 4-i {
					t.Fatalf("request %d: %+v, %v", i+1, res, err)
				}
			}
			res, err := l.Allow(ctx, "k", limit)
			if err != nil || res.Allowed {
				t.Fatalf("6th request: %+v, %v", res, err)
			}
			if res.RetryAfter <= 0 || res.RetryAfter > 12*time.Second || res.ResetAfter <= 0 || res.ResetAfter > time.Minute {
				t.Errorf("retry after %v, reset after %v", res.RetryAfter, res.ResetAfter)
			}
			if res, _ := l.Allow(ctx, "other", limit); !res.Allowed {
				t.Error("another key was limited")
			}
		})
	}
}

func TestFallbackLimiterSharesNothingButKeepsLimiting(t *testing.T) {
	f := newFixture(t, deadRedis(t), "x:")
	limit := auth.PerSecond(1, 3)
	allowed := 0
	for range 10 {
		if res, _ := f.limiter.Allow(t.Context(), "user:1", limit); res.Allowed {
			allowed++
		}
	}
	if allowed != 3 {
		t.Errorf("allowed %d of 10 with burst 3", allowed)
	}
	if counterValue(t, f.fallbacks) != 10 {
		t.Errorf("fallbacks = %v, want 10", counterValue(t, f.fallbacks))
	}
	if n := strings.Count(f.logs.String(), "falling back"); n != 1 {
		t.Errorf("outage logged %d times", n)
	}
}

func TestRateLimitMiddleware(t *testing.T) {
	rdb, prefix := testRedis(t)
	f := newFixture(t, rdb, prefix)
	rs := httpx.NewResponder(slog.New(slog.DiscardHandler))
	h := auth.RateLimit(f.limiter, rs, auth.PerSecond(1, 2), auth.PerUserKey)(
		http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) }))
	do := func(user string) *httptest.ResponseRecorder {
		r := httptest.NewRequest(http.MethodGet, "/api/v1/sales", nil)
		r = r.WithContext(authz.WithPrincipal(r.Context(), authz.Principal{UserID: user}))
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w
	}
	for i := range 2 {
		w := do("u1")
		if w.Code != 204 || w.Header().Get("RateLimit-Limit") != "2" || w.Header().Get("RateLimit-Remaining") != strconv.Itoa(1-i) ||
			w.Header().Get("RateLimit-Reset") == "" {
			t.Fatalf("request %d: %d %v", i+1, w.Code, w.Header())
		}
	}
	w := do("u1")
	if w.Code != 429 || w.Header().Get("Retry-After") != "1" || w.Header().Get("Content-Type") != httpx.ProblemContentType {
		t.Errorf("over the limit: %d %v %s", w.Code, w.Header(), w.Body)
	}
	if w := do("u2"); w.Code != 204 {
		t.Errorf("another user: %d", w.Code)
	}
}

func TestLoginGuard(t *testing.T) {
	rdb, prefix := testRedis(t)
	for name, f := range map[string]*fixture{
		"redis": newFixture(t, rdb, prefix), "dead redis": newFixture(t, deadRedis(t), prefix),
	} {
		t.Run(name, func(t *testing.T) {
			g := auth.NewLoginGuard(f.limiter, f.accounts, auth.DefaultLoginLimits())
			ctx := t.Context()
			for i := range 5 {
				if res, err := g.Check(ctx, "10.0.0.1", "Alice"); err != nil || !res.Allowed {
					t.Fatalf("attempt %d: %+v %v", i+1, res, err)
				}
			}
			if res, _ := g.Check(ctx, "10.0.0.1", " alice "); res.Allowed || res.RetryAfter <= 0 {
				t.Errorf("6th attempt (same name, other case): %+v", res)
			}
			if res, _ := g.Check(ctx, "10.0.0.2", "alice"); !res.Allowed {
				t.Error("another IP was limited")
			}
			if res, _ := g.Check(ctx, "10.0.0.1", "bob"); !res.Allowed {
				t.Error("another username was limited")
			}
			// Password spraying from one IP: the per-IP limit stops it.
			refused := false
			for i := range 40 {
				if res, _ := g.Check(ctx, "10.0.0.3", "user"+strconv.Itoa(i)); !res.Allowed {
					refused = true
					break
				}
			}
			if !refused {
				t.Error("40 usernames from one IP were never limited")
			}
		})
	}
}
