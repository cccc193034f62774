package monitoring

import (
	"sync"

	"github.com/prometheus/client_golang/prometheus"
)

// Metric names of the audit checkpointer, for the alert rules.
const (
	AuditSealPositionName = "pos_audit_seal_position"
	AuditSealInfoName     = "pos_audit_seal_info"
	AuditSealProblemsName = "pos_audit_seal_problems_total"
)

// AuditMetrics publishes the audit checkpointer's seals outside the database, so that an
// auditor can hold the log to any of them later, and counts its refusals to seal.
type AuditMetrics struct {
	position prometheus.Gauge
	info     *prometheus.GaugeVec
	problems *prometheus.CounterVec
	mu       sync.Mutex // Sealed replaces the one series of info
}

// NewAuditMetrics creates the audit metrics and registers them on reg. problems are the
// problem codes the checkpointer may report, whose counters start at zero (so that an alert
// on their increase fires on the first refusal).
func NewAuditMetrics(reg prometheus.Registerer, problems ...string) *AuditMetrics {
	m := &AuditMetrics{
		position: prometheus.NewGauge(prometheus.GaugeOpts{
			Namespace: Namespace, Subsystem: "audit", Name: "seal_position",
			Help: "Position in $all of the newest audit seal the checkpointer made or verified.",
		}),
		info: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Namespace: Namespace, Subsystem: "audit", Name: "seal_info",
			Help: "Always 1; the seal label is the newest audit seal in its text form (posseal1:position:count:chain hash:mac), for posctl audit verify --expect.",
		}, []string{"seal"}),
		problems: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: Namespace, Subsystem: "audit", Name: "seal_problems_total",
			Help: "Runs in which the audit checkpointer refused to seal because the stored checkpoints no longer extend its seal, by problem.",
		}, []string{"problem"}),
	}
	for _, p := range problems {
		m.problems.WithLabelValues(p)
	}
	reg.MustRegister(m.position, m.info, m.problems)
	return m
}

// Sealed publishes the newest seal: its position and its text form.
func (m *AuditMetrics) Sealed(position uint64, seal string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.info.Reset()
	m.info.WithLabelValues(seal).Set(1)
	m.position.Set(float64(position))
}

// Problem counts one refusal to seal.
func (m *AuditMetrics) Problem(problem string) { m.problems.WithLabelValues(problem).Inc() }
