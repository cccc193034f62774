package monitoring

import (
	"strconv"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// Namespace prefixes every metric of O'Data POS.
const Namespace = "pos"

// Metric names, for the alert rules and dashboards (checked by this package's tests).
const (
	HTTPRequestDurationName  = "pos_http_request_duration_seconds"
	HTTPRequestsInFlightName = "pos_http_requests_in_flight"
	DependencyUpName         = "pos_dependency_up"
	DependencyCheckName      = "pos_dependency_check_duration_seconds"
	BuildInfoName            = "pos_build_info"
)

// HTTPMetrics measures the HTTP server.
type HTTPMetrics struct {
	// RequestDuration is labelled by method, route (the route template, never the raw path,
	// so IDs do not explode the series count), class (RouteClass) and code.
	RequestDuration *prometheus.HistogramVec
	// InFlight counts requests being served.
	InFlight prometheus.Gauge
}

// NewHTTPMetrics creates the HTTP metrics and registers them on reg.
func NewHTTPMetrics(reg prometheus.Registerer) *HTTPMetrics {
	m := &HTTPMetrics{
		RequestDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: Namespace,
			Subsystem: "http",
			Name:      "request_duration_seconds",
			Help:      "Duration of HTTP requests by method, route template, route class (commands, queries, reports, auth, ops, other) and status code.",
			Buckets:   []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"method", "route", "class", "code"}),
		InFlight: prometheus.NewGauge(prometheus.GaugeOpts{
			Namespace: Namespace,
			Subsystem: "http",
			Name:      "requests_in_flight",
			Help:      "HTTP requests being served.",
		}),
	}
	reg.MustRegister(m.RequestDuration, m.InFlight)
	return m
}

// Observe records one request's duration.
func (m *HTTPMetrics) Observe(method, route string, code int, seconds float64) {
	m.RequestDuration.WithLabelValues(method, route, RouteClass(method, route), strconv.Itoa(code)).Observe(seconds)
}

// DependencyMetrics reports the state of the services posd depends on (event store,
// PostgreSQL, Redis) as seen by the readiness checks.
type DependencyMetrics struct {
	// Up is 1 when the dependency answered its last check, 0 otherwise; labelled by
	// dependency and required ("true" when the service cannot work without it).
	Up *prometheus.GaugeVec
	// CheckDuration is the latency of the checks, by dependency.
	CheckDuration *prometheus.HistogramVec
}

// NewDependencyMetrics creates the dependency metrics and registers them on reg.
func NewDependencyMetrics(reg prometheus.Registerer) *DependencyMetrics {
	m := &DependencyMetrics{
		Up: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Namespace: Namespace,
			Subsystem: "dependency",
			Name:      "up",
			Help:      "Whether a dependency answered its last readiness check (1) or not (0).",
		}, []string{"dependency", "required"}),
		CheckDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: Namespace,
			Subsystem: "dependency",
			Name:      "check_duration_seconds",
			Help:      "Latency of dependency readiness checks.",
			Buckets:   []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5},
		}, []string{"dependency"}),
	}
	reg.MustRegister(m.Up, m.CheckDuration)
	return m
}

// RegisterRuntime registers the Go runtime and process collectors and pos_build_info (always
// 1, labelled with the version and the role the process runs) on reg.
func RegisterRuntime(reg prometheus.Registerer, version, role string) {
	reg.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Namespace:   Namespace,
			Name:        "build_info",
			Help:        "Build information of the running posd; always 1.",
			ConstLabels: prometheus.Labels{"version": version, "role": role},
		}, func() float64 { return 1 }),
	)
}
