package cmdhttp_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/odata-pos/pos/api/authz"
	"github.com/odata-pos/pos/api/cmdhttp"
	"github.com/odata-pos/pos/api/httpx"
	"github.com/odata-pos/pos/commands"
	"github.com/odata-pos/pos/domain/rules"
	"github.com/odata-pos/pos/eventstore"
)

func TestMapError(t *testing.T) {
	cases := []struct {
		err    error
		status int
		code   string
	}{
		{&rules.ValidationError{Fields: []rules.FieldError{{Field: "lines[0].quantity", Message: "must be positive"}}}, 422, "validation_failed"},
		{rules.ErrNotFound, 404, "not_found"},
		{rules.ErrDuplicate.With("sku A"), 409, "duplicate"},
		{&rules.RuleError{Code: "sale_not_paid", Msg: "not paid"}, 422, "sale_not_paid"},
		{fmt.Errorf("wrapped: %w", commands.ErrPreconditionFailed), 412, "precondition_failed"},
		{commands.ErrConflict, 409, "concurrent_update"},
		{&eventstore.WrongExpectedRevisionError{Stream: "s"}, 409, "concurrent_update"},
		{fmt.Errorf("x: %w", eventstore.ErrUnavailable), 503, "event_store_unavailable"},
		{commands.ErrMissingCommandID, 400, "missing_id"},
	}
	for _, c := range cases {
		e, ok := cmdhttp.MapError(c.err)
		if !ok || e.Kind.Status() != c.status || e.Code != c.code {
			t.Errorf("%v → %v %d %s, want %d %s", c.err, ok, e.Kind.Status(), e.Code, c.status, c.code)
		}
	}
	if e, _ := cmdhttp.MapError(&rules.ValidationError{Fields: []rules.FieldError{{Field: "a", Message: "b"}}}); len(e.Fields) != 1 || e.Fields[0].Field != "a" {
		t.Errorf("validation fields not carried: %+v", e)
	}
	if _, ok := cmdhttp.MapError(errors.New("boom")); ok {
		t.Error("an unknown error was mapped")
	}
}

func TestCommandContext(t *testing.T) {
	r := httptest.NewRequest(http.MethodPost, "/api/v1/sales", nil)
	r = r.WithContext(authz.WithPrincipal(httpx.WithRequestID(r.Context(), "req-1"), authz.Principal{UserID: "u1"}))
	r.Header.Set("If-Match", `"7"`)
	r.Header.Set("X-Correlation-ID", "corr-9")
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	c, err := cmdhttp.Command(r, "cmd", "s1", "r1", time.Time{}, now)
	if err != nil {
		t.Fatal(err)
	}
	if c.ID != "cmd" || c.UserID != "u1" || c.CausationID != "req-1" || c.CorrelationID != "corr-9" || c.StoreID != "s1" || c.RegisterID != "r1" || !c.OccurredAt.Equal(now) || c.IfMatch == nil || *c.IfMatch != 7 {
		t.Fatalf("context = %+v", c)
	}
	r.Header.Set("If-Match", "abc")
	if _, err := cmdhttp.Command(r, "cmd", "", "", time.Time{}, now); err == nil {
		t.Fatal("a malformed If-Match was accepted")
	}
}

func newRedis(t *testing.T) (redis.UniversalClient, string) {
	t.Helper()
	rdb := redis.NewClient(&redis.Options{Addr: "127.0.0.1:6379"})
	if err := rdb.Ping(context.Background()).Err(); err != nil {
		t.Fatalf("redis at 127.0.0.1:6379: %v", err)
	}
	var b [6]byte
	_, _ = rand.Read(b[:])
	prefix := "test:" + hex.EncodeToString(b[:]) + ":"
	t.Cleanup(func() {
		ctx := context.Background()
		keys, _ := rdb.Keys(ctx, prefix+"*").Result()
		if len(keys) > 0 {
			rdb.Del(ctx, keys...)
		}
		_ = rdb.Close()
	})
	return rdb, prefix
}

func TestIdempotencyReplaysAndRefusesReuse(t *testing.T) {
	rdb, prefix := newRedis(t)
	rs := httpx.NewResponder(slog.New(slog.NewTextHandler(io.Discard, nil)))
	idem := cmdhttp.NewIdempotency(rdb, rs, prefix, time.Minute)
	var calls atomic.Int32
	h := idem.Wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := calls.Add(1)
		body, _ := io.ReadAll(r.Body)
		w.Header().Set("ETag", `"3"`)
		_ = httpx.JSON(w, http.StatusCreated, map[string]any{"call": n, "echo": string(body)})
	}))
	send := func(user, key, body string) *httptest.ResponseRecorder {
		r := httptest.NewRequest(http.MethodPost, "/api/v1/sales", strings.NewReader(body))
		r.Header.Set("Idempotency-Key", key)
		r = r.WithContext(authz.WithPrincipal(r.Context(), authz.Principal{UserID: user}))
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w
	}
	first := send("u1", "k1", `{"a":1}`)
	again := send("u1", "k1", `{"a":1}`)
	if first.Code != 201 || again.Code != 201 || first.Body.String() != again.Body.String() || again.Header().Get("ETag") != `"3"` {
		t.Fatalf("replay = %d %s, first = %d %s", again.Code, again.Body, first.Code, first.Body)
	}
	if calls.Load() != 1 {
		t.Fatalf("handler ran %d times, want 1", calls.Load())
	}
	if reused := send("u1", "k1", `{"a":2}`); reused.Code != 422 || !strings.Contains(reused.Body.String(), "idempotency_key_reused") {
		t.Fatalf("reuse with another body = %d %s", reused.Code, reused.Body)
	}
	if other := send("u2", "k1", `{"a":1}`); other.Code != 201 || calls.Load() != 2 {
		t.Fatalf("another user's identical key was replayed from the first user's response")
	}
	if long := send("u1", strings.Repeat("k", 300), `{}`); long.Code != 400 {
		t.Fatalf("oversized key = %d", long.Code)
	}
}

func TestIdempotencyWithoutRedisRunsTheCommandAgain(t *testing.T) {
	rs := httpx.NewResponder(slog.New(slog.NewTextHandler(io.Discard, nil)))
	dead := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", DialTimeout: 100 * time.Millisecond, MaxRetries: -1})
	t.Cleanup(func() { _ = dead.Close() })
	for _, rdb := range []redis.UniversalClient{nil, dead} {
		idem := cmdhttp.NewIdempotency(rdb, rs, "x:", time.Minute)
		var calls atomic.Int32
		h := idem.Wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			calls.Add(1)
			httpx.NoContent(w)
		}))
		for range 2 {
			r := httptest.NewRequest(http.MethodPost, "/x", strings.NewReader(`{}`))
			r.Header.Set("Idempotency-Key", "k")
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			if w.Code != http.StatusNoContent {
				t.Fatalf("status %d without Redis", w.Code)
			}
		}
		if calls.Load() != 2 {
			t.Fatalf("handler ran %d times, want 2 (no replay store)", calls.Load())
		}
	}
}
