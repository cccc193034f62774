package authztest

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/odata-pos/pos/api/authz"
)

// Matrix describes a route × role check.
type Matrix struct {
	// Handler is the full HTTP stack (authentication middleware included).
	Handler http.Handler
	// Routes are the routes to walk, usually authz.Routes.Routes().
	Routes []authz.Route
	// Policy is the table to compare with.
	Policy *authz.Policy
	// Authenticate adds credentials of a principal that has only role (and a store scope valid
	// for it) to r, e.g. an Authorization header with a freshly minted token.
	Authenticate func(t testing.TB, r *http.Request, role authz.Role)
	// PathValue returns the value of path variable name for route; nil means a fixed UUID.
	PathValue func(route authz.Route, name string) string
}

// pathVar matches a mux path variable, with or without a pattern.
var pathVar = regexp.MustCompile(`\{([^}:]+)(:[^}]*)?\}`)

// SampleID is the default path variable value.
const SampleID = "00000000-0000-4000-8000-000000000001"

// Path returns route's path with every path variable replaced by value(name).
func Path(route authz.Route, value func(name string) string) string {
	return pathVar.ReplaceAllStringFunc(route.Path, func(v string) string {
		return value(pathVar.FindStringSubmatch(v)[1])
	})
}

// Check walks every route as an anonymous caller and as each role of the policy:
//   - anonymous: 401 on every non-public route;
//   - a role the table grants (or Authenticated/Public): neither 403 "permission_denied" nor a
//     401 about the caller's token ("unauthenticated", "token_…");
//   - a role the table denies: 403 with code "permission_denied".
func (m Matrix) Check(t *testing.T) {
	t.Helper()
	if len(m.Routes) == 0 {
		t.Fatal("authztest: no routes to check")
	}
	for _, route := range m.Routes {
		t.Run(route.Method+" "+route.Path, func(t *testing.T) {
			status, code := m.do(t, route, "")
			if !route.Access.IsPublic() && (status != http.StatusUnauthorized || code != authz.CodeUnauthenticated) {
				t.Errorf("anonymous: status %d %s, want 401 %s", status, code, authz.CodeUnauthenticated)
			}
			for _, role := range m.Policy.Roles() {
				status, code := m.do(t, route, role)
				perm := route.Access.Permission()
				allowed := perm == "" || m.Policy.Allows([]authz.Role{role}, perm)
				denied := status == http.StatusForbidden && code == authz.CodePermissionDenied
				// A 401 from the handler itself (bad credentials in a login body) is an answer;
				// a 401 about the caller's own token means authentication failed.
				unauthenticated := status == http.StatusUnauthorized &&
					(code == authz.CodeUnauthenticated || strings.HasPrefix(code, "token_"))
				switch {
				case allowed && (denied || unauthenticated):
					t.Errorf("%s (%s): status %d %s, want allowed", role, route.Access, status, code)
				case !allowed && !denied:
					t.Errorf("%s (%s): status %d %s, want 403 permission_denied", role, route.Access, status, code)
				}
			}
		})
	}
}

// do sends one request for route, as role ("" for anonymous), and returns the status and the
// problem code if any.
func (m Matrix) do(t *testing.T, route authz.Route, role authz.Role) (int, string) {
	t.Helper()
	path := Path(route, func(name string) string {
		if m.PathValue != nil {
			return m.PathValue(route, name)
		}
		return SampleID
	})
	var body io.Reader
	if route.Method != http.MethodGet && route.Method != http.MethodHead && route.Method != http.MethodDelete {
		body = strings.NewReader("{}")
	}
	r := httptest.NewRequest(route.Method, path, body)
	if body != nil {
		r.Header.Set("Content-Type", "application/json")
	}
	if role != "" {
		m.Authenticate(t, r, role)
	}
	rec := httptest.NewRecorder()
	m.Handler.ServeHTTP(rec, r)
	var p struct {
		Code string `json:"code"`
	}
	_ = json.Unmarshal(rec.Body.Bytes(), &p) // not every response is a problem
	return rec.Code, p.Code
}
