package v1import_test

import (
	"context"
	"os"
	"strconv"
	"testing"

	"github.com/odata-pos/pos/internal/v1import"
)

// BenchmarkImportV1 imports a generated dirty v1 file of POS_BENCH_V1_SALES sales (default
// 2,000) into an empty PostgreSQL event store once per iteration, and reports v1 sales and
// events per second. Compare with BenchmarkRawInsertBaseline of eventstore/pgstore run beside
// it (the machine is shared and noisy):
//
//	POS_BENCH_V1_SALES=100000 go test -run '^$' -bench ImportV1 -benchtime 1x ./internal/v1import/
func BenchmarkImportV1(b *testing.B) {
	sales := 2000
	if n, err := strconv.Atoi(os.Getenv("POS_BENCH_V1_SALES")); err == nil && n > 0 {
		sales = n
	}
	src, _ := generateB(b, sales)
	var seconds float64
	var events int64
	for range b.N {
		b.StopTimer()
		tg := newTargetB(b)
		b.StartTimer()
		rep, err := v1import.Import(context.Background(), tg.deps, src, v1import.Options{StoreCode: "MAD1"})
		if err != nil {
			b.Fatal(err)
		}
		seconds += rep.Seconds
		events += rep.Events
	}
	b.ReportMetric(float64(sales*b.N)/seconds, "sales/s")
	b.ReportMetric(float64(events)/seconds, "events/s")
}
