package memstore_test

import (
	"testing"

	"github.com/odata-pos/pos/eventstore"
	"github.com/odata-pos/pos/eventstore/memstore"
	"github.com/odata-pos/pos/eventstore/storetest"
)

func TestContract(t *testing.T) {
	storetest.Run(t, storetest.Backend{
		Name: "memstore",
		NewStore: func(t testing.TB) eventstore.Store {
			s := memstore.New()
			t.Cleanup(func() { _ = s.Close() })
			return s
		},
	})
}
