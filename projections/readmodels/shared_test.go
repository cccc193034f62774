package readmodels_test

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/odata-pos/pos/eventstore"
	"github.com/odata-pos/pos/eventstore/fanout"
	"github.com/odata-pos/pos/internal/pgtest"
	"github.com/odata-pos/pos/projections/readkit"
	"github.com/odata-pos/pos/projections/readmodels"
	"github.com/odata-pos/pos/projections/readmodels/readtest"
)

// TestSharedDecodedValuesStayUnchanged folds a history of sales through every read model, all
// decoding through one readkit.Shared over a fan-out (as posd runs them), and then checks that
// every value they shared is still equal to a fresh decode of its event: no read model changed
// a value another one reads. Run with -race it also catches a change made while another read
// model reads.
func TestSharedDecodedValuesStayUnchanged(t *testing.T) {
	codec := readtest.Codec()
	mem, last, count := history(t, codec, 3000)
	store := fanout.New(mem, fanout.Options{})
	t.Cleanup(func() { _ = store.Close() })
	pool, err := pgxpool.New(context.Background(), pgtest.NewDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	shared := readkit.NewShared(codec, 2*count) // keeps every event, so that all are checked
	ps := readmodels.AllDecoding(shared)
	r := readtest.Start(t, pool, store, ps...)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	for _, p := range ps {
		if err := r.WaitFor(ctx, p.Name(), last); err != nil {
			t.Fatal(err)
		}
	}
	hits, misses := shared.Stats()
	if hits == 0 {
		t.Fatalf("no event was decoded once for two read models (%d decoded)", misses)
	}
	events, err := mem.ReadAll(ctx, eventstore.Start, count+1, eventstore.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for _, e := range events {
		before, _ := shared.Stats()
		got, err := shared.DecodeEvent(e)
		if err != nil {
			t.Fatalf("event %d: %v", e.Position, err)
		}
		if after, _ := shared.Stats(); after == before {
			continue // no read model decoded it: nothing was shared
		}
		want, err := codec.DecodeEvent(e)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("event %d (%s): the shared value changed after the read models folded it:\n got %+v\nwant %+v", e.Position, e.Type, got, want)
		}
		checked++
	}
	if checked < count/2 {
		t.Errorf("checked %d shared values of %d events, want most", checked, count)
	}
	t.Logf("%d events; read models decoded %d and shared %d; %d shared values checked", count, misses, hits, checked)
}

// BenchmarkDecode decodes a history of sales as the read models do, each the events its filter
// selects: with the codec each decodes on its own (as before readkit.Shared), with a Shared
// they decode each event once between them. ns/op and allocs/op are per event of the history.
//
//	go test -run '^$' -bench BenchmarkDecode -benchmem ./projections/readmodels/
func BenchmarkDecode(b *testing.B) {
	codec := readtest.Codec()
	mem, _, count := history(b, codec, 5000)
	events, err := mem.ReadAll(context.Background(), eventstore.Start, count+1, eventstore.Filter{})
	if err != nil {
		b.Fatal(err)
	}
	for _, bc := range []struct {
		name string
		dec  func() readkit.Decoder
	}{
		{"codec", func() readkit.Decoder { return codec }},
		{"shared", func() readkit.Decoder { return readkit.NewShared(codec, 0) }},
	} {
		b.Run(bc.name, func(b *testing.B) {
			filters := make([]eventstore.Filter, 0, 6)
			for _, p := range readmodels.All(codec) {
				filters = append(filters, p.Filter())
			}
			b.ReportAllocs()
			for i := 0; i < b.N; {
				dec := bc.dec()
				for _, e := range events[:min(len(events), b.N-i)] {
					for _, f := range filters {
						if !f.Match(e.Stream, e.Type) {
							continue
						}
						if _, err := dec.DecodeEvent(e); err != nil {
							b.Fatal(err)
						}
					}
					i++
				}
			}
		})
	}
}
