package authz

import (
	"fmt"
	"net/http"
	"slices"
	"sort"
	"sync"

	"github.com/gorilla/mux"

	"github.com/odata-pos/pos/api/httpx"
)

// Access is the access rule of a route: Public, Authenticated or a permission (Perm). The
// zero Access is invalid, so a route cannot be registered without deciding.
type Access struct {
	public bool
	authn  bool
	perm   Permission
}

// Public lets anyone call the route (login, refresh, health).
func Public() Access { return Access{public: true} }

// Authenticated lets any authenticated user call the route (me, logout).
func Authenticated() Access { return Access{authn: true} }

// Perm requires perm.
func Perm(perm Permission) Access { return Access{perm: perm} }

// IsPublic reports whether a is Public.
func (a Access) IsPublic() bool { return a.public }

// Permission returns the required permission, "" for Public and Authenticated.
func (a Access) Permission() Permission { return a.perm }

// valid reports whether exactly one rule is set.
func (a Access) valid() bool {
	n := 0
	for _, b := range []bool{a.public, a.authn, a.perm != ""} {
		if b {
			n++
		}
	}
	return n == 1
}

// String names the rule.
func (a Access) String() string {
	switch {
	case a.public:
		return "public"
	case a.authn:
		return "authenticated"
	default:
		return string(a.perm)
	}
}

// Route is a registered route and its access rule.
type Route struct {
	Method string
	// Path is the full mux path template, e.g. "/api/v1/sales/{id}".
	Path   string
	Access Access
}

// Routes registers routes on a gorilla/mux router, each with its access rule enforced by the
// Authorizer and its path template reported to the access log; it keeps the list for tests.
type Routes struct {
	router *mux.Router
	az     *Authorizer
	list   *routeList
}

// routeList is the registry shared by a Routes and its sub-routes.
type routeList struct {
	mu     sync.Mutex
	routes []Route
}

// NewRoutes returns a Routes registering on router, guarded by az.
func NewRoutes(router *mux.Router, az *Authorizer) *Routes {
	return &Routes{router: router, az: az, list: &routeList{}}
}

// Prefix returns a Routes registering under path prefix (e.g. "/api/v1") that shares the
// registry of rt.
func (rt *Routes) Prefix(prefix string) *Routes {
	return &Routes{router: rt.router.PathPrefix(prefix).Subrouter(), az: rt.az, list: rt.list}
}

// Handle registers h for method and path with access. It panics on an invalid Access or a
// duplicate route: both are programming errors that must fail at start-up.
func (rt *Routes) Handle(method, path string, access Access, h http.Handler) {
	if !access.valid() {
		panic(fmt.Sprintf("authz: route %s %s registered without an access rule", method, path))
	}
	route := rt.router.NewRoute().Methods(method).Path(path)
	tmpl, err := route.GetPathTemplate()
	if err != nil {
		panic(fmt.Sprintf("authz: route %s %s: %v", method, path, err))
	}
	guarded := rt.az.Guard(access)(h)
	route.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		httpx.SetRoute(r.Context(), tmpl)
		guarded.ServeHTTP(w, r)
	}))
	rt.list.add(Route{Method: method, Path: tmpl, Access: access})
}

// HandleFunc is Handle for a function.
func (rt *Routes) HandleFunc(method, path string, access Access, h http.HandlerFunc) {
	rt.Handle(method, path, access, h)
}

// add records r, panicking on a duplicate.
func (l *routeList) add(r Route) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, x := range l.routes {
		if x.Method == r.Method && x.Path == r.Path {
			panic(fmt.Sprintf("authz: route %s %s registered twice", r.Method, r.Path))
		}
	}
	l.routes = append(l.routes, r)
}

// Routes returns every registered route, sorted by path then method.
func (rt *Routes) Routes() []Route {
	rt.list.mu.Lock()
	routes := slices.Clone(rt.list.routes)
	rt.list.mu.Unlock()
	sort.Slice(routes, func(i, j int) bool {
		if routes[i].Path != routes[j].Path {
			return routes[i].Path < routes[j].Path
		}
		return routes[i].Method < routes[j].Method
	})
	return routes
}

// Unguarded walks router and returns "METHOD /path" for every handler route that was not
// registered through a Routes (someone called router.Handle directly). A test should assert
// it is empty.
func Unguarded(router *mux.Router, registered []Route) ([]string, error) {
	known := make(map[string]bool, len(registered))
	for _, r := range registered {
		known[r.Method+" "+r.Path] = true
	}
	var out []string
	err := router.Walk(func(route *mux.Route, _ *mux.Router, _ []*mux.Route) error {
		if route.GetHandler() == nil {
			return nil // a prefix or subrouter, not an endpoint
		}
		tmpl, err := route.GetPathTemplate()
		if err != nil {
			tmpl = "(no path)"
		}
		methods, err := route.GetMethods()
		if err != nil || len(methods) == 0 {
			methods = []string{"*"}
		}
		for _, m := range methods {
			if !known[m+" "+tmpl] {
				out = append(out, m+" "+tmpl)
			}
		}
		return nil
	})
	return out, err
}
