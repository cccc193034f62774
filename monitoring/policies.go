package monitoring

import "github.com/prometheus/client_golang/prometheus"

// Names of the policy metrics, for the alert rules.
const (
	PolicyLagPositionsName = "pos_policy_lag_positions"
	PolicyLagSecondsName   = "pos_policy_lag_seconds"
)

// PolicySample is one write-side policy's progress as its runner reports it.
type PolicySample struct {
	Name string
	// Position is the policy's checkpoint in $all.
	Position uint64
	// LagPositions and LagSeconds are how far behind the head of $all it is (zero while it
	// waits for events).
	LagPositions uint64
	LagSeconds   float64
	// Handled counts the events handled, Failures the failed attempts (each retried).
	Handled, Failures uint64
}

// policyCollector reads the samples at each scrape.
type policyCollector struct {
	samples                                    func() []PolicySample
	position, lagPos, lagSec, handled, failure *prometheus.Desc
}

// RegisterPolicyMetrics registers on reg the pos_policy_* series of the policies whose
// progress samples returns (labelled by policy).
func RegisterPolicyMetrics(reg prometheus.Registerer, samples func() []PolicySample) error {
	desc := func(name, help string) *prometheus.Desc {
		return prometheus.NewDesc(prometheus.BuildFQName(Namespace, "policy", name), help, []string{"policy"}, nil)
	}
	return reg.Register(&policyCollector{samples: samples,
		position: desc("position", "Checkpoint of the policy in $all."),
		lagPos:   desc("lag_positions", "$all head position minus the policy's checkpoint while it has events to handle."),
		lagSec:   desc("lag_seconds", "Age of the oldest event the policy has not handled yet."),
		handled:  desc("events_handled_total", "Events the policy handled."),
		failure:  desc("failures_total", "Failed attempts of the policy (each is retried)."),
	})
}

// Describe implements prometheus.Collector.
func (c *policyCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.position, c.lagPos, c.lagSec, c.handled, c.failure} {
		ch <- d
	}
}

// Collect implements prometheus.Collector.
func (c *policyCollector) Collect(ch chan<- prometheus.Metric) {
	for _, s := range c.samples() {
		ch <- prometheus.MustNewConstMetric(c.position, prometheus.GaugeValue, float64(s.Position), s.Name)
		ch <- prometheus.MustNewConstMetric(c.lagPos, prometheus.GaugeValue, float64(s.LagPositions), s.Name)
		ch <- prometheus.MustNewConstMetric(c.lagSec, prometheus.GaugeValue, s.LagSeconds, s.Name)
		ch <- prometheus.MustNewConstMetric(c.handled, prometheus.CounterValue, float64(s.Handled), s.Name)
		ch <- prometheus.MustNewConstMetric(c.failure, prometheus.CounterValue, float64(s.Failures), s.Name)
	}
}
