package services

import (
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/odata-pos/pos/domain/money"
	"github.com/odata-pos/pos/domain/returns"
	"github.com/odata-pos/pos/domain/sale"
	"github.com/odata-pos/pos/domain/shift"
	"github.com/odata-pos/pos/monitoring"
)

// The business observer counts each fact for its store, taking the store of a void or a shift
// close from the aggregate's state.
func TestBusinessObserverCountsPerStore(t *testing.T) {
	reg := prometheus.NewRegistry()
	observe := businessObserver(monitoring.NewBusinessMetrics(reg))
	store := uuid.MustParse("00000000-0000-0000-0000-00000000000a")
	eur := func(cents int64) money.Money { return money.New(cents, "EUR") }

	observe([]any{sale.SaleCompleted{StoreID: store, Totals: sale.Totals{Total: eur(1250)}}}, sale.State{StoreID: store})
	observe([]any{sale.SaleVoided{Reason: "mistake"}}, sale.State{StoreID: store})
	observe([]any{returns.ReturnRecorded{StoreID: store, Total: eur(500)}}, nil)
	observe([]any{shift.ShiftClosed{OverShort: eur(-3550)}}, shift.State{StoreID: store})
	observe([]any{sale.LineAdded{}}, sale.State{StoreID: store}) // not counted

	want := `
# HELP pos_sales_amount_total Total of the completed sales in major units of the store's currency, by store.
# TYPE pos_sales_amount_total counter
pos_sales_amount_total{store_id="00000000-0000-0000-0000-00000000000a"} 12.5
# HELP pos_sales_completed_total Sales completed, by store.
# TYPE pos_sales_completed_total counter
pos_sales_completed_total{store_id="00000000-0000-0000-0000-00000000000a"} 1
# HELP pos_sales_voided_total Sales voided (cancelled), by store.
# TYPE pos_sales_voided_total counter
pos_sales_voided_total{store_id="00000000-0000-0000-0000-00000000000a"} 1
# HELP pos_returns_recorded_total Returns (refunds) recorded, by store.
# TYPE pos_returns_recorded_total counter
pos_returns_recorded_total{store_id="00000000-0000-0000-0000-00000000000a"} 1
# HELP pos_shift_closes_total Shifts closed, by store.
# TYPE pos_shift_closes_total counter
pos_shift_closes_total{store_id="00000000-0000-0000-0000-00000000000a"} 1
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want), "pos_sales_amount_total", "pos_sales_completed_total",
		"pos_sales_voided_total", "pos_returns_recorded_total", "pos_shift_closes_total"); err != nil {
		t.Error(err)
	}
	// 35.50 short lands above the 20 bucket and within the 50 one.
	if got := testutil.CollectAndCount(reg, "pos_shift_over_short_amount"); got != 1 {
		t.Errorf("%d over/short series, want 1", got)
	}
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != monitoring.ShiftOverShortName {
			continue
		}
		for _, b := range mf.GetMetric()[0].GetHistogram().GetBucket() {
			wantCount := uint64(0)
			if b.GetUpperBound() >= 50 {
				wantCount = 1
			}
			if b.GetCumulativeCount() != wantCount {
				t.Errorf("bucket le=%v holds %d, want %d", b.GetUpperBound(), b.GetCumulativeCount(), wantCount)
			}
		}
	}
}
