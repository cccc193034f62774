package pgstore_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/google/uuid"

	"github.com/odata-pos/pos/eventstore"
)

// BenchmarkAppendCPU measures the CPU time per append of the database's backends (server_us)
// and of this process (client_us) for the appends a sale makes besides its first single
// event: appends of 1 or 6 events to an existing stream at its exact expected revision (each
// writer keeps appending to its own stream, as a register or a shift is appended to), and
// appends of 6 events to a new stream (a sale's first append). Run with, for example:
//
//	go test -run '^$' -bench AppendCPU -benchtime 3000x ./eventstore/pgstore/
func BenchmarkAppendCPU(b *testing.B) {
	data := benchEventData()
	event := func() eventstore.EventData {
		return eventstore.EventData{ID: uuid.New(), Type: "bench.happened.v1", Data: data,
			Metadata: eventstore.Metadata{CorrelationID: "c-1", UserID: "u-1"}}
	}
	batch := func(n int) []eventstore.EventData {
		evs := make([]eventstore.EventData, n)
		for i := range evs {
			evs[i] = event()
		}
		return evs
	}
	for _, c := range []struct {
		existing        bool
		events, writers int
	}{
		{true, 1, 1}, {true, 1, 8}, {true, 6, 8}, {false, 6, 8},
	} {
		kind := "new"
		if c.existing {
			kind = "existing"
		}
		b.Run(fmt.Sprintf("%s/events=%d/writers=%d", kind, c.events, c.writers), func(b *testing.B) {
			s, url := openBenchStore(b, c.writers)
			defer func() { _ = s.Close() }()
			ctx := context.Background()
			type stream struct {
				name string
				rev  uint64
			}
			// Each writer takes a stream of its own from free and puts it back.
			free := make(chan *stream, c.writers)
			for w := range c.writers {
				st := &stream{name: fmt.Sprintf("register-%d-%s", w, uuid.NewString())}
				res, err := s.Append(ctx, st.name, eventstore.NoStream, batch(1))
				if err != nil {
					b.Fatal(err)
				}
				st.rev = res.Revision
				free <- st
			}
			evs := make([][]eventstore.EventData, b.N) // made before the clock starts
			for i := range evs {
				evs[i] = batch(c.events)
			}
			f := timedAppends(b, newCPUMeter(b, url), c.writers, func(ctx context.Context, i int) error {
				if !c.existing {
					_, err := s.Append(ctx, "sale-"+evs[i][0].ID.String(), eventstore.NoStream, evs[i])
					return err
				}
				st := <-free
				defer func() { free <- st }()
				res, err := s.Append(ctx, st.name, eventstore.Exact(st.rev), evs[i])
				st.rev = res.Revision
				return err
			})
			f.report(b, appendFigures{})
		})
	}
}
