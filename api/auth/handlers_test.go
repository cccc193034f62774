package auth_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gorilla/mux"
	"github.com/redis/go-redis/v9"

	"github.com/odata-pos/pos/api/auth"
	"github.com/odata-pos/pos/api/authz"
	"github.com/odata-pos/pos/api/authz/authztest"
	"github.com/odata-pos/pos/api/httpx"
)

// users is an in-memory UserFinder standing in for the users read model.
type users map[string]auth.User

func (u users) UserByUsername(_ context.Context, name string) (auth.User, error) {
	for _, x := range u {
		if strings.EqualFold(x.Username, name) {
			return x, nil
		}
	}
	return auth.User{}, auth.ErrUserNotFound
}

func (u users) UserByID(_ context.Context, id string) (auth.User, error) {
	if x, ok := u[id]; ok {
		return x, nil
	}
	return auth.User{}, auth.ErrUserNotFound
}

// server is the auth routes behind the standard middleware.
type server struct {
	*fixture
	h      http.Handler
	routes *authz.Routes
	router *mux.Router
}

const testPassword = "correct horse battery staple"

func newServer(t *testing.T, rdb redis.UniversalClient, prefix string) *server {
	t.Helper()
	f := newFixture(t, rdb, prefix)
	pw, err := auth.NewPasswords(cheapParams(), 0)
	if err != nil {
		t.Fatal(err)
	}
	hash, err := pw.Hash(t.Context(), testPassword)
	if err != nil {
		t.Fatal(err)
	}
	us := users{}
	add := func(id string, roles []authz.Role, stores []string, disabled bool) {
		us[id] = auth.User{ID: id, Username: id, PasswordHash: hash, Roles: roles, StoreIDs: stores, Disabled: disabled}
		f.access.set(id, auth.Access{Roles: roles, StoreIDs: stores, Disabled: disabled})
	}
	add("admin", []authz.Role{authz.RoleAdmin}, nil, false)
	add("manager", []authz.Role{authz.RoleManager}, []string{"store-a"}, false)
	add("manager-b", []authz.Role{authz.RoleManager}, []string{"store-b"}, false)
	add("cashier", []authz.Role{authz.RoleCashier}, []string{"store-a"}, false)
	add("auditor", []authz.Role{authz.RoleAuditor}, nil, false)
	add("analyst", []authz.Role{authz.RoleAnalyst}, nil, false)
	add("gone", []authz.Role{authz.RoleCashier}, []string{"store-a"}, true)

	log := slog.New(slog.NewJSONHandler(f.logs, nil))
	rs := httpx.NewResponder(log, auth.MapError)
	az := authz.NewAuthorizer(authz.DefaultPolicy(), rs, f.events)
	router := mux.NewRouter()
	routes := authz.NewRoutes(router, az)
	(&auth.Handlers{
		Users: us, Tokens: f.tokens, Passwords: pw, Approvals: f.approvals,
		LoginGuard: auth.NewLoginGuard(f.limiter, f.accounts, auth.DefaultLoginLimits()),
		Authorizer: az, Responder: rs, Security: f.events,
	}).Register(routes.Prefix("/api/v1"))
	h := httpx.Chain(router, httpx.RequestID(), httpx.AccessLog(log), httpx.Recover(rs), httpx.SecurityHeaders(),
		httpx.BodyLimit(rs, httpx.MaxBodyBytes), f.tokens.Authenticate(rs),
		auth.RateLimit(f.limiter, rs, auth.DefaultAPILimit(), auth.PerUserKey))
	return &server{fixture: f, h: h, routes: routes, router: router}
}

// call sends a request and decodes the JSON answer into a map.
func (s *server) call(t *testing.T, method, path, token, body string) (*httptest.ResponseRecorder, map[string]any) {
	t.Helper()
	r := httptest.NewRequest(method, path, strings.NewReader(body))
	r.RemoteAddr = "192.0.2.10:5555"
	if body != "" {
		r.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		r.Header.Set("Authorization", "Bearer "+token)
	}
	w := httptest.NewRecorder()
	s.h.ServeHTTP(w, r)
	var out map[string]any
	_ = json.Unmarshal(w.Body.Bytes(), &out)
	return w, out
}

func (s *server) login(t *testing.T, user string) (string, string) {
	t.Helper()
	w, out := s.call(t, http.MethodPost, "/api/v1/auth/login", "", `{"username":"`+user+`","password":"`+testPassword+`"}`)
	if w.Code != 200 {
		t.Fatalf("login %s: %d %s", user, w.Code, w.Body)
	}
	at, _ := out["access_token"].(string)
	rt, _ := out["refresh_token"].(string)
	return at, rt
}

func TestAuthFlow(t *testing.T) {
	rdb, prefix := testRedis(t)
	s := newServer(t, rdb, prefix)
	w, out := s.call(t, http.MethodPost, "/api/v1/auth/login", "", `{"username":"Cashier","password":"`+testPassword+`"}`)
	if w.Code != 200 || out["token_type"] != "Bearer" || out["expires_in"] != float64(900) || out["refresh_token"] == nil ||
		w.Header().Get("Cache-Control") != "no-store" {
		t.Fatalf("login: %d %s", w.Code, w.Body)
	}
	at, rt := out["access_token"].(string), out["refresh_token"].(string)
	w, out = s.call(t, http.MethodGet, "/api/v1/auth/me", at, "")
	if w.Code != 200 || out["id"] != "cashier" || out["username"] != "cashier" ||
		out["roles"].([]any)[0] != "cashier" || out["store_ids"].([]any)[0] != "store-a" {
		t.Fatalf("me: %d %s", w.Code, w.Body)
	}
	w, out = s.call(t, http.MethodPost, "/api/v1/auth/refresh", "", `{"refresh_token":"`+rt+`"}`)
	if w.Code != 200 || out["refresh_token"] == rt {
		t.Fatalf("refresh: %d %s", w.Code, w.Body)
	}
	at2 := out["access_token"].(string)
	w, out = s.call(t, http.MethodPost, "/api/v1/auth/refresh", "", `{"refresh_token":"`+rt+`"}`)
	if w.Code != 401 || out["code"] != "refresh_token_reused" {
		t.Errorf("reuse: %d %s", w.Code, w.Body)
	}
	w, out = s.call(t, http.MethodGet, "/api/v1/auth/me", at2, "")
	if w.Code != 401 || out["code"] != "token_revoked" || !strings.Contains(w.Header().Get("WWW-Authenticate"), "invalid_token") {
		t.Errorf("access token of the reused family: %d %s", w.Code, w.Body)
	}

	at, _ = s.login(t, "cashier")
	if w, _ = s.call(t, http.MethodPost, "/api/v1/auth/logout", at, ""); w.Code != 204 {
		t.Fatalf("logout: %d %s", w.Code, w.Body)
	}
	if w, out = s.call(t, http.MethodGet, "/api/v1/auth/me", at, ""); w.Code != 401 || out["code"] != "token_revoked" {
		t.Errorf("after logout: %d %s", w.Code, w.Body)
	}
	if s.events.count(authz.EventLoginSucceeded) != 2 || s.events.count(authz.EventLogout) != 1 || s.events.count(authz.EventRefreshReused) != 1 {
		t.Errorf("security events: %+v", s.events.list)
	}
}

func TestLoginRefusals(t *testing.T) {
	rdb, prefix := testRedis(t)
	s := newServer(t, rdb, prefix)
	for _, tt := range []struct {
		name, body, ct string
		status         int
		code           string
	}{
		{"wrong password", `{"username":"cashier","password":"wrong password!"}`, "", 401, "invalid_credentials"},
		{"unknown user", `{"username":"nobody","password":"wrong password!"}`, "", 401, "invalid_credentials"},
		{"disabled user", `{"username":"gone","password":"` + testPassword + `"}`, "", 401, "invalid_credentials"},
		{"sql injection", `{"username":"' OR 1=1 --","password":"' OR '1'='1"}`, "", 401, "invalid_credentials"},
		{"script", `{"username":"<script>alert(1)</script>","password":"x\"><img src=x>"}`, "", 401, "invalid_credentials"},
		{"missing password", `{"username":"cashier"}`, "", 400, "validation_failed"},
		{"unknown field", `{"username":"cashier","password":"x","admin":true}`, "", 400, "unknown_field"},
		{"malformed", `{"username":`, "", 400, "malformed_body"},
		{"text/plain", `{"username":"cashier","password":"x"}`, "text/plain", 415, "unsupported_media_type"},
		{"oversized", `{"username":"` + strings.Repeat("a", 2<<20) + `","password":"x"}`, "", 413, "body_too_large"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodPost, "/api/v1/auth/login", strings.NewReader(tt.body))
			r.RemoteAddr = "198.51.100." + string(rune('1'+len(tt.name)%9)) + ":1"
			ct := tt.ct
			if ct == "" {
				ct = "application/json"
			}
			r.Header.Set("Content-Type", ct)
			w := httptest.NewRecorder()
			s.h.ServeHTTP(w, r)
			var p httpx.Problem
			if err := json.Unmarshal(w.Body.Bytes(), &p); err != nil || w.Code != tt.status || p.Code != tt.code {
				t.Errorf("%d %s (%v), want %d %s", w.Code, w.Body, err, tt.status, tt.code)
			}
			if w.Header().Get("Content-Type") != httpx.ProblemContentType || w.Header().Get("X-Content-Type-Options") != "nosniff" {
				t.Errorf("headers %v", w.Header())
			}
		})
	}
}

func TestBruteForceLogin(t *testing.T) {
	rdb, prefix := testRedis(t)
	for name, s := range map[string]*server{
		"redis": newServer(t, rdb, prefix), "dead redis": newServer(t, deadRedis(t), prefix),
	} {
		t.Run(name, func(t *testing.T) {
			for i := range 5 {
				w, _ := s.call(t, http.MethodPost, "/api/v1/auth/login", "", `{"username":"manager","password":"guess `+string(rune('a'+i))+`"}`)
				if w.Code != 401 {
					t.Fatalf("attempt %d: %d", i+1, w.Code)
				}
			}
			w, out := s.call(t, http.MethodPost, "/api/v1/auth/login", "", `{"username":"manager","password":"`+testPassword+`"}`)
			if w.Code != 429 || out["code"] != "rate_limited" || w.Header().Get("Retry-After") == "" ||
				w.Header().Get("RateLimit-Remaining") != "0" {
				t.Errorf("6th attempt: %d %v %s", w.Code, w.Header(), w.Body)
			}
			if s.events.count(authz.EventLoginRateLimited) != 1 || s.events.count(authz.EventLoginFailed) != 5 {
				t.Errorf("security events: %+v", s.events.list)
			}
			// The real user elsewhere is not locked out.
			r := httptest.NewRequest(http.MethodPost, "/api/v1/auth/login",
				strings.NewReader(`{"username":"manager","password":"`+testPassword+`"}`))
			r.Header.Set("Content-Type", "application/json")
			r.RemoteAddr = "203.0.113.7:1"
			rec := httptest.NewRecorder()
			s.h.ServeHTTP(rec, r)
			if rec.Code != 200 {
				t.Errorf("login from another IP: %d %s", rec.Code, rec.Body)
			}
		})
	}
}

func TestApprovalRoute(t *testing.T) {
	rdb, prefix := testRedis(t)
	s := newServer(t, rdb, prefix)
	at, _ := s.login(t, "cashier")
	approve := func(who, action string) (*httptest.ResponseRecorder, map[string]any) {
		return s.call(t, http.MethodPost, "/api/v1/auth/approvals", at,
			`{"username":"`+who+`","password":"`+testPassword+`","action":"`+action+`","resource_id":"sale-1"}`)
	}
	w, out := approve("manager", "sale.void")
	if w.Code != 201 || out["expires_in"] != float64(120) {
		t.Fatalf("manager approval: %d %s", w.Code, w.Body)
	}
	claims, err := s.tokens.Verify(t.Context(), at)
	if err != nil {
		t.Fatal(err)
	}
	id, err := s.approvals.Consume(t.Context(), out["approval_token"].(string),
		auth.Use{Action: auth.ActionSaleVoid, ResourceID: "sale-1", StoreID: "store-a", SessionID: claims.SessionID})
	if err != nil || id != "manager" {
		t.Errorf("consume: %q %v", id, err)
	}
	for _, tt := range []struct {
		who, action string
		status      int
		code        string
	}{
		{"cashier", "sale.void", 403, "approver_not_allowed"},
		{"manager-b", "sale.void", 403, "approver_not_allowed"},
		{"analyst", "sale.void", 403, "approver_not_allowed"},
		{"manager", "sale.free_lunch", 400, "validation_failed"},
	} {
		if w, out := approve(tt.who, tt.action); w.Code != tt.status || out["code"] != tt.code {
			t.Errorf("%s %s: %d %s", tt.who, tt.action, w.Code, w.Body)
		}
	}
	if w, _ := approve("admin", "return.no_receipt"); w.Code != 201 {
		t.Errorf("admin approval: %d %s", w.Code, w.Body)
	}
	if s.events.count(authz.EventApprovalGranted) != 2 || s.events.count(authz.EventApprovalDenied) != 3 {
		t.Errorf("security events: %+v", s.events.list)
	}
}

func TestAuthRoutesRoleMatrix(t *testing.T) {
	rdb, prefix := testRedis(t)
	s := newServer(t, rdb, prefix)
	authztest.Matrix{
		Handler: s.h,
		Routes:  s.routes.Routes(),
		Policy:  authz.DefaultPolicy(),
		Authenticate: func(t testing.TB, r *http.Request, role authz.Role) {
			id := auth.Identity{UserID: string(role), Roles: []authz.Role{role}}
			if !authz.GlobalRole(role) {
				id.StoreIDs = []string{"store-a"}
			}
			s.access.grant(id)
			pair, err := s.tokens.Issue(context.Background(), id)
			if err != nil {
				t.Fatal(err)
			}
			r.Header.Set("Authorization", "Bearer "+pair.AccessToken)
		},
	}.Check(t)
	if un, err := authz.Unguarded(s.router, s.routes.Routes()); err != nil || len(un) != 0 {
		t.Errorf("unguarded: %v %v", un, err)
	}
	if n := len(s.routes.Routes()); n != 5 {
		t.Errorf("%d auth routes registered, want 5", n)
	}
}

func TestAuthWithDeadRedis(t *testing.T) {
	s := newServer(t, deadRedis(t), "dead:")
	w, out := s.call(t, http.MethodPost, "/api/v1/auth/login", "", `{"username":"cashier","password":"`+testPassword+`"}`)
	if w.Code != 200 || out["access_token"] == nil || out["refresh_token"] != nil {
		t.Fatalf("login without redis: %d %s", w.Code, w.Body)
	}
	at := out["access_token"].(string)
	if w, _ := s.call(t, http.MethodGet, "/api/v1/auth/me", at, ""); w.Code != 200 {
		t.Errorf("me without redis: %d %s", w.Code, w.Body)
	}
	if w, out := s.call(t, http.MethodPost, "/api/v1/auth/refresh", "", `{"refresh_token":"rt_x"}`); w.Code != 503 ||
		out["code"] != "session_store_unavailable" {
		t.Errorf("refresh without redis: %d %s", w.Code, w.Body)
	}
	w, out = s.call(t, http.MethodPost, "/api/v1/auth/approvals", at,
		`{"username":"manager","password":"`+testPassword+`","action":"sale.discount"}`)
	if w.Code != 201 {
		t.Fatalf("approval without redis: %d %s", w.Code, w.Body)
	}
	claims, err := s.tokens.Verify(t.Context(), at)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.approvals.Consume(t.Context(), out["approval_token"].(string),
		auth.Use{Action: auth.ActionSaleDiscount, ResourceID: "sale-3", StoreID: "store-a", SessionID: claims.SessionID}); err != nil {
		t.Errorf("consume without redis: %v", err)
	}
	if w, _ := s.call(t, http.MethodPost, "/api/v1/auth/logout", at, ""); w.Code != 204 {
		t.Errorf("logout without redis: %d", w.Code)
	}
	if w, _ := s.call(t, http.MethodGet, "/api/v1/auth/me", at, ""); w.Code != 401 {
		t.Errorf("after logout without redis: %d", w.Code)
	}
}
