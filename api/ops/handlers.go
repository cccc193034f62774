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

// Mount registers /healthz, /readyz and /metrics on r. gatherer is the registry whose metrics
// /metrics exposes.
func Mount(r *mux.Router, rd *Readiness, gatherer prometheus.Gatherer) {
	r.Handle(HealthzPath, Healthz()).Methods(http.MethodGet, http.MethodHead)
	r.Handle(ReadyzPath, rd).Methods(http.MethodGet, http.MethodHead)
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
// required dependency is down.
func (rd *Readiness) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rep := rd.Check(r.Context())
	status := http.StatusOK
	if !rep.Ready() {
		status = http.StatusServiceUnavailable
	}
	writeJSON(w, status, rep)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
