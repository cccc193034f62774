package pgstore_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/google/uuid"

	"github.com/odata-pos/pos/eventstore"
)

// BenchmarkAtomicSaleCPU measures an atomic call shaped as a one-shot sale's (commands'
// createAtOnce): 6 events to a new sale stream, one to the writer's shift, one to its
// register and one more to the sale stream, with the CPU time per call of the database's
// backends (server_us) and of this process (client_us). Each writer is a register with its
// own shift, as in a shop. Run with, for example:
//
//	go test -run '^$' -bench AtomicSaleCPU -benchtime 3000x ./eventstore/pgstore/
func BenchmarkAtomicSaleCPU(b *testing.B) {
	data := benchEventData()
	batch := func(n int) []eventstore.EventData {
		evs := make([]eventstore.EventData, n)
		for i := range evs {
			evs[i] = eventstore.EventData{ID: uuid.New(), Type: "bench.happened.v1", Data: data,
				Metadata: eventstore.Metadata{CorrelationID: "c-1", UserID: "u-1"}}
		}
		return evs
	}
	for _, writers := range []int{1, 8} {
		b.Run(fmt.Sprintf("writers=%d", writers), func(b *testing.B) {
			s, url := openBenchStore(b, writers)
			defer func() { _ = s.Close() }()
			ctx := context.Background()
			type till struct {
				shift, register       string
				shiftRev, registerRev uint64
			}
			free := make(chan *till, writers)
			for w := range writers {
				t := &till{shift: "shift-" + uuid.NewString(), register: fmt.Sprintf("register-%d-%s", w, uuid.NewString())}
				for _, st := range []struct {
					name string
					rev  *uint64
				}{{t.shift, &t.shiftRev}, {t.register, &t.registerRev}} {
					res, err := s.Append(ctx, st.name, eventstore.NoStream, batch(1))
					if err != nil {
						b.Fatal(err)
					}
					*st.rev = res.Revision
				}
				free <- t
			}
			sales := make([][]eventstore.EventData, b.N) // made before the clock starts
			for i := range sales {
				sales[i] = batch(9)
			}
			f := timedAppends(b, newCPUMeter(b, url), writers, func(ctx context.Context, i int) error {
				t := <-free
				defer func() { free <- t }()
				sale, evs := "sale-"+sales[i][0].ID.String(), sales[i]
				out, err := s.AppendAtomic(ctx, []eventstore.StreamAppend{
					{Stream: sale, Expected: eventstore.NoStream, Events: evs[:6]},
					{Stream: t.shift, Expected: eventstore.Exact(t.shiftRev), Events: evs[6:7]},
					{Stream: t.register, Expected: eventstore.Exact(t.registerRev), Events: evs[7:8]},
					{Stream: sale, Expected: eventstore.Exact(5), Events: evs[8:9]},
				})
				if err != nil {
					return err
				}
				t.shiftRev, t.registerRev = out[1].Revision, out[2].Revision
				return nil
			})
			f.report(b, appendFigures{})
		})
	}
}
