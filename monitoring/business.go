package monitoring

import "github.com/prometheus/client_golang/prometheus"

// Names of the business metrics, for the alert rules and dashboards.
const (
	SalesCompletedName  = "pos_sales_completed_total"
	SalesAmountName     = "pos_sales_amount_total"
	SalesVoidedName     = "pos_sales_voided_total"
	ReturnsRecordedName = "pos_returns_recorded_total"
	ReturnsAmountName   = "pos_returns_amount_total"
	ShiftOverShortName  = "pos_shift_over_short_amount"
	ShiftClosesName     = "pos_shift_closes_total"
)

// BusinessMetrics counts, per store, what a store manager watches: completed, voided and
// returned sales and the cash over/short at each shift close. The API's command path feeds it
// (api's business observer), so each API replica counts what it wrote: sum the replicas.
// The only label is store_id, so the series grow with the number of stores, never with sales.
// Amounts are in major units of the store's currency (minor units / 100).
type BusinessMetrics struct {
	salesCompleted *prometheus.CounterVec
	salesAmount    *prometheus.CounterVec
	salesVoided    *prometheus.CounterVec
	returns        *prometheus.CounterVec
	returnsAmount  *prometheus.CounterVec
	overShort      *prometheus.HistogramVec
	closes         *prometheus.CounterVec
}

// NewBusinessMetrics creates the business metrics and registers them on reg.
func NewBusinessMetrics(reg prometheus.Registerer) *BusinessMetrics {
	byStore := []string{"store_id"}
	counter := func(name, help string) *prometheus.CounterVec {
		return prometheus.NewCounterVec(prometheus.CounterOpts{Name: name, Help: help}, byStore)
	}
	m := &BusinessMetrics{
		salesCompleted: counter(SalesCompletedName, "Sales completed, by store."),
		salesAmount:    counter(SalesAmountName, "Total of the completed sales in major units of the store's currency, by store."),
		salesVoided:    counter(SalesVoidedName, "Sales voided (cancelled), by store."),
		returns:        counter(ReturnsRecordedName, "Returns (refunds) recorded, by store."),
		returnsAmount:  counter(ReturnsAmountName, "Total refunded by the recorded returns in major units of the store's currency, by store."),
		closes:         counter(ShiftClosesName, "Shifts closed, by store."),
		overShort: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: ShiftOverShortName,
			Help: "Absolute cash over/short counted at each shift close, in major units of the store's currency, by store.",
			// 0.01: any difference at all; the alert picks its threshold among the others.
			Buckets: []float64{0.01, 1, 5, 10, 20, 50, 100, 500},
		}, byStore),
	}
	reg.MustRegister(m.salesCompleted, m.salesAmount, m.salesVoided, m.returns, m.returnsAmount, m.closes, m.overShort)
	return m
}

// SaleCompleted counts a completed sale of total (major units) in store.
func (m *BusinessMetrics) SaleCompleted(store string, total float64) {
	m.salesCompleted.WithLabelValues(store).Inc()
	if total > 0 {
		m.salesAmount.WithLabelValues(store).Add(total)
	}
}

// SaleVoided counts a voided sale in store.
func (m *BusinessMetrics) SaleVoided(store string) { m.salesVoided.WithLabelValues(store).Inc() }

// ReturnRecorded counts a return refunding total (major units) in store.
func (m *BusinessMetrics) ReturnRecorded(store string, total float64) {
	m.returns.WithLabelValues(store).Inc()
	if total > 0 {
		m.returnsAmount.WithLabelValues(store).Add(total)
	}
}

// ShiftClosed counts a shift close in store with its cash over/short (major units, either sign).
func (m *BusinessMetrics) ShiftClosed(store string, overShort float64) {
	m.closes.WithLabelValues(store).Inc()
	if overShort < 0 {
		overShort = -overShort
	}
	m.overShort.WithLabelValues(store).Observe(overShort)
}
