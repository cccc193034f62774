package projections

import (
	"errors"

	"github.com/prometheus/client_golang/prometheus"
)

// metrics are the runner's Prometheus series. Labels: projection name, and track "live" or
// "rebuild".
type metrics struct {
	position *prometheus.GaugeVec
	lag      *prometheus.GaugeVec
	// lagSeconds is how stale a track behind the head is (see lagSeconds).
	lagSeconds *prometheus.GaugeVec
	events     *prometheus.CounterVec
	failed     *prometheus.GaugeVec
	poison     *prometheus.CounterVec
	skipped    *prometheus.CounterVec
	parked     *prometheus.GaugeVec
	leader     *prometheus.GaugeVec
	swaps      *prometheus.CounterVec
	batch      *prometheus.HistogramVec
}

// RegisterMetrics registers the runner's series on reg, as a Runner does (for tests that check
// what the alert rules and dashboards may use).
func RegisterMetrics(reg prometheus.Registerer) error {
	_, err := newMetrics(reg)
	return err
}

func newMetrics(reg prometheus.Registerer) (*metrics, error) {
	m := &metrics{
		position: prometheus.NewGaugeVec(prometheus.GaugeOpts{Namespace: "pos", Subsystem: "projection",
			Name: "position", Help: "Last $all position applied (checkpoint)."}, []string{"projection", "track"}),
		lag: prometheus.NewGaugeVec(prometheus.GaugeOpts{Namespace: "pos", Subsystem: "projection",
			Name: "lag_positions", Help: "$all head position minus the checkpoint, as last seen by the worker."}, []string{"projection", "track"}),
		lagSeconds: prometheus.NewGaugeVec(prometheus.GaugeOpts{Namespace: "pos", Subsystem: "projection",
			Name: "lag_seconds", Help: "While the track is behind the head of $all: the age of the newest event it applied (or, before any, how long it has been behind); 0 when caught up."}, []string{"projection", "track"}),
		events: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: "pos", Subsystem: "projection",
			Name: "events_applied_total", Help: "Events applied and committed."}, []string{"projection", "track"}),
		failed: prometheus.NewGaugeVec(prometheus.GaugeOpts{Namespace: "pos", Subsystem: "projection",
			Name: "failed", Help: "1 while the projection is stopped on an event it cannot apply."}, []string{"projection", "track"}),
		poison: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: "pos", Subsystem: "projection",
			Name: "poison_events_total", Help: "Events that failed after every retry (parked, or stopping the projection past its park limit)."}, []string{"projection", "track"}),
		parked: prometheus.NewGaugeVec(prometheus.GaugeOpts{Namespace: "pos", Subsystem: "projection",
			Name: "parked", Help: "Events set aside because they (or an earlier event of their stream) cannot be applied; replay or skip them."}, []string{"projection", "track"}),
		skipped: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: "pos", Subsystem: "projection",
			Name: "skipped_events_total", Help: "Poison events skipped by an operator."}, []string{"projection"}),
		leader: prometheus.NewGaugeVec(prometheus.GaugeOpts{Namespace: "pos", Subsystem: "projection",
			Name: "leader", Help: "1 while this process holds the projection's advisory lock and runs it."}, []string{"projection"}),
		swaps: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: "pos", Subsystem: "projection",
			Name: "rebuild_swaps_total", Help: "Rebuilt generations made live."}, []string{"projection"}),
		batch: prometheus.NewHistogramVec(prometheus.HistogramOpts{Namespace: "pos", Subsystem: "projection",
			Name: "batch_duration_seconds", Help: "Time to apply a batch and move the checkpoint, retries included.",
			Buckets: prometheus.ExponentialBuckets(0.001, 4, 8)}, []string{"projection", "track"}),
	}
	var errs []error
	reg1 := func(v *prometheus.GaugeVec) *prometheus.GaugeVec {
		c, err := register(reg, v)
		errs = append(errs, err)
		return c
	}
	reg2 := func(v *prometheus.CounterVec) *prometheus.CounterVec {
		c, err := register(reg, v)
		errs = append(errs, err)
		return c
	}
	m.position, m.lag, m.lagSeconds, m.failed, m.leader, m.parked = reg1(m.position), reg1(m.lag), reg1(m.lagSeconds), reg1(m.failed), reg1(m.leader), reg1(m.parked)
	m.events, m.poison, m.skipped, m.swaps = reg2(m.events), reg2(m.poison), reg2(m.skipped), reg2(m.swaps)
	var err error
	m.batch, err = register(reg, m.batch)
	return m, errors.Join(append(errs, err)...)
}

// register registers c, or returns the collector already registered under the same name (two
// Runners of one process, or a restarted one, share the series).
func register[C prometheus.Collector](reg prometheus.Registerer, c C) (C, error) {
	err := reg.Register(c)
	if err == nil {
		return c, nil
	}
	var are prometheus.AlreadyRegisteredError
	if errors.As(err, &are) {
		if existing, ok := are.ExistingCollector.(C); ok {
			return existing, nil
		}
	}
	return c, err
}
