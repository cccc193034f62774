package commands_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/odata-pos/pos/commands"
	"github.com/odata-pos/pos/domain/register"
	"github.com/odata-pos/pos/eventstore"
)

// BenchmarkCompleteOnALongRegister completes one-call sales on a register that has already
// given 20,000 receipt numbers, folding the register from its start (no snapshots, as before
// snapshots existed) and from a snapshot. In-memory store: the figure is the fold's cost, not
// the database's.
//
//	go test -run '^$' -bench BenchmarkCompleteOnALongRegister -benchtime 200x ./commands/
func BenchmarkCompleteOnALongRegister(b *testing.B) {
	for _, snapshots := range []bool{false, true} {
		b.Run(fmt.Sprintf("snapshots=%v", snapshots), func(b *testing.B) {
			w := newSaleWorld(b)
			ctx := context.Background()
			const prior = 20000
			for i := 0; i < prior; i += 1000 {
				batch := make([]eventstore.EventData, 1000)
				for j := range batch {
					name, data, err := w.h.Codec().Encode(register.ReceiptNumberReserved{RegisterID: w.reg, SaleID: uuid.New(), Number: int64(i + j + 1)})
					if err != nil {
						b.Fatal(err)
					}
					batch[j] = eventstore.EventData{ID: uuid.New(), Type: name, Data: data}
				}
				if _, err := w.store.Append(ctx, commands.RegisterStream(w.reg), eventstore.Any, batch); err != nil {
					b.Fatal(err)
				}
			}
			opts := commands.Options{}
			if snapshots {
				opts.Snapshots = commands.NewMemorySnapshots()
			}
			sales := commands.NewSales(commands.NewHandler(w.store, w.h.Codec(), opts), time.Now)
			b.ResetTimer()
			for range b.N {
				c := w.cashSale()
				c.Complete = true
				if _, err := sales.Create(ctx, commands.Context{ID: "create:" + c.SaleID.String(), UserID: "u"}, c); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "sales/s")
		})
	}
}
