package fanout_test

import (
	"testing"

	"github.com/odata-pos/pos/eventstore"
	"github.com/odata-pos/pos/eventstore/fanout"
	"github.com/odata-pos/pos/eventstore/memstore"
	"github.com/odata-pos/pos/eventstore/storetest"
)

// TestContractOverMemstore runs the store contract through a fan-out with a small window, so
// that subscribers join, fall behind and rejoin it (pgstore's contract test runs it over
// PostgreSQL too).
func TestContractOverMemstore(t *testing.T) {
	mem := storetest.Backend{
		Name: "memstore",
		NewStore: func(t testing.TB) eventstore.Store {
			s := memstore.New()
			t.Cleanup(func() { _ = s.Close() })
			return s
		},
	}
	storetest.Run(t, storetest.Wrap(mem, "fanout-memstore", func(t testing.TB, inner eventstore.Store) eventstore.Store {
		s := fanout.New(inner, fanout.Options{Window: 64, Page: 50})
		t.Cleanup(func() { _ = s.Close() })
		return s
	}))
}
