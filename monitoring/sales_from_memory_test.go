package monitoring_test

import (
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/odata-pos/pos/monitoring"
)

// TestSalesFromMemoryReadsItsCountersAtEachScrape: the two outcomes are the counters' values
// when scraped, not when registered.
func TestSalesFromMemoryReadsItsCountersAtEachScrape(t *testing.T) {
	reg := prometheus.NewRegistry()
	var written, refused uint64
	if err := monitoring.RegisterSalesFromMemory(reg, func() uint64 { return written }, func() uint64 { return refused }); err != nil {
		t.Fatal(err)
	}
	written, refused = 41, 2
	want := `
# HELP pos_sales_from_memory_total One-shot sales decided on the states the command side held, without reading them: written (proven by their atomic call) or refused (read and decided again).
# TYPE pos_sales_from_memory_total counter
pos_sales_from_memory_total{outcome="refused"} 2
pos_sales_from_memory_total{outcome="written"} 41
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want), monitoring.SalesFromMemoryName); err != nil {
		t.Fatal(err)
	}
}
