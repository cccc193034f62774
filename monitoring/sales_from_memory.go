package monitoring

import "github.com/prometheus/client_golang/prometheus"

// SalesFromMemoryName counts the one-shot sales the command side decided on the states it
// held of their streams, without reading them (commands/proven.go), by outcome.
const SalesFromMemoryName = "pos_sales_from_memory_total"

// RegisterSalesFromMemory registers on reg pos_sales_from_memory_total{outcome}: "written"
// (the sale's atomic call proved every state it was decided on) reads written, "refused" (a
// stream had moved: the sale was read and decided again) reads refused. Many refusals against
// writes mean other processes write the same registers (API replicas serving one register in
// turn): each costs a refused call before the read.
func RegisterSalesFromMemory(reg prometheus.Registerer, written, refused func() uint64) error {
	for outcome, count := range map[string]func() uint64{"written": written, "refused": refused} {
		c := prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name:        SalesFromMemoryName,
			Help:        "One-shot sales decided on the states the command side held, without reading them: written (proven by their atomic call) or refused (read and decided again).",
			ConstLabels: prometheus.Labels{"outcome": outcome},
		}, func() float64 { return float64(count()) })
		if err := reg.Register(c); err != nil {
			return err
		}
	}
	return nil
}
