package monitoring

import "github.com/prometheus/client_golang/prometheus"

// SecurityEventsName counts the API's security events by kind, for the security alerts.
const SecurityEventsName = "pos_security_events_total"

// SecurityMetrics counts security events (failed logins, permission denials, refresh-token
// reuse, …) by kind. Kinds are a fixed set (api/authz SecurityEventKind), so the series stay few;
// who and from where is in the "security event" log line, not in a label.
type SecurityMetrics struct {
	events *prometheus.CounterVec
}

// NewSecurityMetrics creates the counter and registers it on reg; kinds start at zero, so that
// an alert on their increase fires on the first event.
func NewSecurityMetrics(reg prometheus.Registerer, kinds ...string) *SecurityMetrics {
	m := &SecurityMetrics{events: prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: SecurityEventsName,
		Help: "Security events of the API by kind (login.failed, permission.denied, refresh.reused, …).",
	}, []string{"kind"})}
	for _, k := range kinds {
		m.events.WithLabelValues(k)
	}
	reg.MustRegister(m.events)
	return m
}

// Count counts one event of kind.
func (m *SecurityMetrics) Count(kind string) { m.events.WithLabelValues(kind).Inc() }
