package publish

import "github.com/prometheus/client_golang/prometheus"

// metrics are the publisher's Prometheus series, labelled by target.
type metrics struct {
	position, lagPositions, lagSeconds, leader *prometheus.GaugeVec
	published, failures                        *prometheus.CounterVec
}

func newMetrics(reg prometheus.Registerer) (*metrics, error) {
	gauge := func(name, help string) *prometheus.GaugeVec {
		return prometheus.NewGaugeVec(prometheus.GaugeOpts{Namespace: "pos", Subsystem: "publish", Name: name, Help: help}, []string{"target"})
	}
	counter := func(name, help string) *prometheus.CounterVec {
		return prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: "pos", Subsystem: "publish", Name: name, Help: help}, []string{"target"})
	}
	m := &metrics{
		position:     gauge("position", "The target's checkpoint in $all: every message up to it was confirmed by the broker."),
		lagPositions: gauge("lag_positions", "$all head position minus the target's checkpoint while events wait to be published (0 when caught up)."),
		lagSeconds:   gauge("lag_seconds", "Age of the oldest event waiting to be published (0 when caught up)."),
		leader:       gauge("leader", "1 while this process publishes to the target (one process per deployment does)."),
		published:    counter("messages_total", "Messages published and confirmed by the broker."),
		failures:     counter("failures_total", "Failed publishes (the batch is retried from the checkpoint)."),
	}
	if reg != nil {
		for _, c := range []prometheus.Collector{m.position, m.lagPositions, m.lagSeconds, m.leader, m.published, m.failures} {
			if err := reg.Register(c); err != nil {
				return nil, err
			}
		}
	}
	return m, nil
}
