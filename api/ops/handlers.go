package ops

import (
	"encoding/json"
	"net/http"

	"github.com/gorilla/mux"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Paths of the operational endpoints.
const (
	HealthzPath = "/healthz"
	ReadyzPath  = "/readyz"
	MetricsPath = "/metrics"
)

// Mount registers /healthz, /readyz and /metrics on r. ready answers /readyz: a *Readiness
// itself (with the dependencies' error text) on a cluster-internal listener, its Public
// handler elsewhere. gatherer is the registry whose metrics /metrics exposes.
func Mount(r *mux.Router, ready http.Handler, gatherer prometheus.Gatherer) {
	r.Handle(HealthzPath, Healthz()).Methods(http.MethodGet, http.MethodHead)
	r.Handle(ReadyzPath, ready).Methods(http.MethodGet, http.MethodHead)
	r.Handle(MetricsPath, promhttp.HandlerFor(gatherer, promhttp.HandlerOpts{
		EnableOpenMetrics: true,
		ErrorHandling:     promhttp.ContinueOnError,
	})).Methods(http.MethodGet, http.MethodHead)
}

// Healthz answers liveness: 200 {"status":"ok"} whenever the process serves HTTP.
func Healthz() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
}

// ServeHTTP answers readiness with the Report: 200 when ready or degraded, 503 when a
// required dependency is down. The report includes each failed dependency's error text
// (addresses, driver messages), for a cluster-internal listener only; see Public.
func (rd *Readiness) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rd.serve(w, r, true)
}

// Public answers readiness like ServeHTTP but without the dependencies' error text, for a
// listener that clients can reach: the status of every dependency, never what failed inside.
func (rd *Readiness) Public() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { rd.serve(w, r, false) })
}

func (rd *Readiness) serve(w http.ResponseWriter, r *http.Request, details bool) {
	rep := rd.Check(r.Context())
	status := http.StatusOK
	if !rep.Ready() {
		status = http.StatusServiceUnavailable
	}
	if !details {
		for i := range rep.Checks {
			rep.Checks[i].Error = ""
		}
	}
	writeJSON(w, status, rep)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
