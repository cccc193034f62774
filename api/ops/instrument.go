package ops

import (
	"context"
	"net/http"
	"sync"
	"time"

	"github.com/gorilla/mux"

	"github.com/odata-pos/pos/api/httpx"
	"github.com/odata-pos/pos/monitoring"
)

// UnmatchedRoute is the route label of requests no route matched (404, 405).
const UnmatchedRoute = "unmatched"

// Instrument returns router wrapped so that every request is measured in m: its duration by
// method, route template and status code, and the number in flight. It also installs a router
// middleware that reports the matched route template to the access log (httpx.SetRoute).
// Call it once the routes are registered or before: the middleware applies to all of them.
func Instrument(m *monitoring.HTTPMetrics, router *mux.Router) http.Handler {
	router.Use(recordRoute)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		m.InFlight.Inc()
		defer m.InFlight.Dec()
		start := time.Now()
		rt := &routeTemplate{name: UnmatchedRoute}
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		defer func() {
			m.Observe(methodLabel(r.Method), rt.get(), sw.status, time.Since(start).Seconds())
		}()
		router.ServeHTTP(sw, r.WithContext(context.WithValue(r.Context(), routeKey{}, rt)))
	})
}

// recordRoute runs inside the router, after a route matched.
func recordRoute(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if route := mux.CurrentRoute(r); route != nil {
			if tpl, err := route.GetPathTemplate(); err == nil {
				if rt, ok := r.Context().Value(routeKey{}).(*routeTemplate); ok {
					rt.set(tpl)
				}
				httpx.SetRoute(r.Context(), tpl)
			}
		}
		next.ServeHTTP(w, r)
	})
}

type routeKey struct{}

// routeTemplate carries the matched route from inside the router out to Instrument.
type routeTemplate struct {
	mu   sync.Mutex
	name string
}

func (rt *routeTemplate) set(name string) {
	rt.mu.Lock()
	rt.name = name
	rt.mu.Unlock()
}

func (rt *routeTemplate) get() string {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	return rt.name
}

// methodLabel bounds the method label to the standard methods.
func methodLabel(m string) string {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodOptions:
		return m
	default:
		return "OTHER"
	}
}

// statusWriter records the status code of a response.
type statusWriter struct {
	http.ResponseWriter
	status      int
	wroteHeader bool
}

// WriteHeader implements http.ResponseWriter.
func (sw *statusWriter) WriteHeader(code int) {
	if !sw.wroteHeader && code >= 200 {
		sw.status = code
		sw.wroteHeader = true
	}
	sw.ResponseWriter.WriteHeader(code)
}

// Write implements http.ResponseWriter.
func (sw *statusWriter) Write(b []byte) (int, error) {
	sw.wroteHeader = true
	return sw.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the underlying writer (Flush, deadlines).
func (sw *statusWriter) Unwrap() http.ResponseWriter { return sw.ResponseWriter }
