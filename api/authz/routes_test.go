package authz_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/gorilla/mux"

	"github.com/odata-pos/pos/api/authz"
	"github.com/odata-pos/pos/api/authz/authztest"
	"github.com/odata-pos/pos/api/httpx"
)

// recorder keeps security events for assertions.
type recorder struct {
	mu     sync.Mutex
	events []authz.SecurityEvent
}

func (r *recorder) Record(_ context.Context, e authz.SecurityEvent) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, e)
}

// testAuth is a stand-in for bearer authentication: X-Test-Role and X-Test-Stores headers
// become the principal.
func testAuth(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if role := r.Header.Get("X-Test-Role"); role != "" {
			p := authz.Principal{UserID: "u-" + role, Roles: []authz.Role{authz.Role(role)}}
			if s := r.Header.Get("X-Test-Stores"); s != "" {
				p.StoreIDs = strings.Split(s, ",")
			}
			r = r.WithContext(authz.WithPrincipal(r.Context(), p))
		}
		next.ServeHTTP(w, r)
	})
}

// newStack registers the auth routes of DESIGN.md plus a few scoped ones.
func newStack(t *testing.T) (http.Handler, *authz.Routes, *mux.Router, *recorder) {
	t.Helper()
	rs := httpx.NewResponder(slog.New(slog.DiscardHandler))
	rec := &recorder{}
	az := authz.NewAuthorizer(authz.DefaultPolicy(), rs, rec)
	router := mux.NewRouter()
	routes := authz.NewRoutes(router, az)
	ok := func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) }
	v1 := routes.Prefix("/api/v1")
	v1.HandleFunc(http.MethodPost, "/auth/login", authz.Public(), ok)
	v1.HandleFunc(http.MethodPost, "/auth/refresh", authz.Public(), ok)
	v1.HandleFunc(http.MethodPost, "/auth/logout", authz.Authenticated(), ok)
	v1.HandleFunc(http.MethodGet, "/auth/me", authz.Authenticated(), ok)
	v1.HandleFunc(http.MethodPost, "/auth/approvals", authz.Authenticated(), ok)
	v1.HandleFunc(http.MethodPost, "/users", authz.Perm(authz.UsersAdmin), ok)
	v1.HandleFunc(http.MethodGet, "/stores/{id}/registers", authz.Perm(authz.StoresRead),
		func(w http.ResponseWriter, r *http.Request) {
			if err := az.CheckStore(r, mux.Vars(r)["id"]); err != nil {
				rs.Error(w, r, err)
				return
			}
			w.WriteHeader(http.StatusNoContent)
		})
	v1.HandleFunc(http.MethodPost, "/sales", authz.Perm(authz.SalesWrite), ok)
	v1.HandleFunc(http.MethodGet, "/audit/events", authz.Perm(authz.AuditRead), ok)
	return httpx.Chain(router, httpx.RequestID(), testAuth), routes, router, rec
}

func TestRouteRoleMatrix(t *testing.T) {
	h, routes, router, _ := newStack(t)
	authztest.Matrix{
		Handler: h,
		Routes:  routes.Routes(),
		Policy:  authz.DefaultPolicy(),
		Authenticate: func(_ testing.TB, r *http.Request, role authz.Role) {
			r.Header.Set("X-Test-Role", string(role))
		},
	}.Check(t)
	if un, err := authz.Unguarded(router, routes.Routes()); err != nil || len(un) != 0 {
		t.Errorf("unguarded routes %v (%v)", un, err)
	}
}

func TestUnguardedFindsBypass(t *testing.T) {
	_, routes, router, _ := newStack(t)
	router.HandleFunc("/api/v1/secret", func(http.ResponseWriter, *http.Request) {}).Methods(http.MethodGet)
	un, err := authz.Unguarded(router, routes.Routes())
	if err != nil || len(un) != 1 || un[0] != "GET /api/v1/secret" {
		t.Errorf("Unguarded = %v, %v", un, err)
	}
}

func TestRoutesRefuseMissingAccessAndDuplicates(t *testing.T) {
	_, routes, _, _ := newStack(t)
	mustPanic := func(name string, f func()) {
		t.Helper()
		defer func() {
			if recover() == nil {
				t.Errorf("%s: no panic", name)
			}
		}()
		f()
	}
	noop := func(http.ResponseWriter, *http.Request) {}
	mustPanic("zero access", func() { routes.HandleFunc(http.MethodGet, "/x", authz.Access{}, noop) })
	mustPanic("duplicate", func() { routes.Prefix("/api/v1").HandleFunc(http.MethodGet, "/auth/me", authz.Public(), noop) })
}

func TestDenialsAndStoreScope(t *testing.T) {
	h, _, _, rec := newStack(t)
	do := func(method, path, role, stores string) (int, httpx.Problem, http.Header) {
		r := httptest.NewRequest(method, path, nil)
		if role != "" {
			r.Header.Set("X-Test-Role", role)
		}
		if stores != "" {
			r.Header.Set("X-Test-Stores", stores)
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		var p httpx.Problem
		_ = json.Unmarshal(w.Body.Bytes(), &p)
		return w.Code, p, w.Header()
	}
	status, p, hdr := do(http.MethodGet, "/api/v1/auth/me", "", "")
	if status != 401 || p.Code != authz.CodeUnauthenticated || !strings.HasPrefix(hdr.Get("WWW-Authenticate"), "Bearer") {
		t.Errorf("anonymous: %d %+v %v", status, p, hdr)
	}
	if status, p, _ = do(http.MethodPost, "/api/v1/users", "cashier", "A"); status != 403 || p.Code != authz.CodePermissionDenied {
		t.Errorf("cashier POST /users: %d %+v", status, p)
	}
	if status, _, _ = do(http.MethodGet, "/api/v1/stores/A/registers", "cashier", "A"); status != 204 {
		t.Errorf("cashier of A in A: %d", status)
	}
	if status, p, _ = do(http.MethodGet, "/api/v1/stores/B/registers", "cashier", "A"); status != 403 || p.Code != authz.CodeStoreForbidden {
		t.Errorf("cashier of A in B: %d %+v", status, p)
	}
	if status, _, _ = do(http.MethodGet, "/api/v1/stores/B/registers", "analyst", ""); status != 204 {
		t.Errorf("analyst in B: %d", status)
	}
	if status, p, _ = do(http.MethodGet, "/api/v1/stores/B/registers", "manager", ""); status != 403 || p.Code != authz.CodeStoreForbidden {
		t.Errorf("manager without stores: %d %+v", status, p)
	}
	kinds := map[authz.SecurityEventKind]int{}
	for _, e := range rec.events {
		kinds[e.Kind]++
		if e.UserID == "" || e.RequestID == "" || e.At.IsZero() {
			t.Errorf("incomplete event %+v", e)
		}
	}
	if kinds[authz.EventPermissionDenied] != 1 || kinds[authz.EventStoreDenied] != 2 {
		t.Errorf("security events %v", kinds)
	}
}
