package monitoring

import "github.com/prometheus/client_golang/prometheus"

// EventStoreHeadName is the head position of $all as the readiness checks last read it, so
// that rules can tell a projection that stopped advancing while events keep coming.
const EventStoreHeadName = "pos_eventstore_head_position"

// NewEventStoreHead creates the head-position gauge and registers it on reg.
func NewEventStoreHead(reg prometheus.Registerer) prometheus.Gauge {
	g := prometheus.NewGauge(prometheus.GaugeOpts{
		Name: EventStoreHeadName,
		Help: "Head position of $all (the newest event) as posd's readiness check last read it.",
	})
	reg.MustRegister(g)
	return g
}
