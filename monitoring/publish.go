package monitoring

import "github.com/prometheus/client_golang/prometheus"

// Names of the integration event publisher's metrics, for the alert rules.
const (
	PublishLagSecondsName = "pos_publish_lag_seconds"
	PublishFailuresName   = "pos_publish_failures_total"
)

// PublishMetrics are the integration event publisher's series, labelled by target (package
// publish).
type PublishMetrics struct {
	// Position is the target's checkpoint in $all.
	Position *prometheus.GaugeVec
	// LagPositions and LagSeconds are how far behind the log the target is (0 when caught up).
	LagPositions, LagSeconds *prometheus.GaugeVec
	// Leader is 1 on the replica that publishes to the target.
	Leader *prometheus.GaugeVec
	// Published counts the messages the broker confirmed; Failures the failed attempts.
	Published, Failures *prometheus.CounterVec
}

// NewPublishMetrics creates the pos_publish_* metrics and registers them on reg (when not nil).
func NewPublishMetrics(reg prometheus.Registerer) (*PublishMetrics, error) {
	gauge := func(name, help string) *prometheus.GaugeVec {
		return prometheus.NewGaugeVec(prometheus.GaugeOpts{Namespace: Namespace, Subsystem: "publish", Name: name, Help: help}, []string{"target"})
	}
	counter := func(name, help string) *prometheus.CounterVec {
		return prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: Namespace, Subsystem: "publish", Name: name, Help: help}, []string{"target"})
	}
	m := &PublishMetrics{
		Position:     gauge("position", "The target's checkpoint in $all: every message up to it was confirmed by the broker."),
		LagPositions: gauge("lag_positions", "$all head position minus the target's checkpoint while events wait to be published (0 when caught up)."),
		LagSeconds:   gauge("lag_seconds", "Age of the oldest event waiting to be published (0 when caught up)."),
		Leader:       gauge("leader", "1 while this process publishes to the target (one process per deployment does)."),
		Published:    counter("messages_total", "Messages published and confirmed by the broker."),
		Failures:     counter("failures_total", "Failed publishes (the batch is retried from the checkpoint)."),
	}
	if reg != nil {
		for _, c := range []prometheus.Collector{m.Position, m.LagPositions, m.LagSeconds, m.Leader, m.Published, m.Failures} {
			if err := reg.Register(c); err != nil {
				return nil, err
			}
		}
	}
	return m, nil
}
