package esdb_test

import (
	"os"
	"sync"
	"testing"

	"github.com/odata-pos/pos/eventstore"
	"github.com/odata-pos/pos/eventstore/esdb/esdbtest"
	"github.com/odata-pos/pos/eventstore/storetest"
)

// TestContractEmulator runs the shared contract suite against the in-process emulator, one
// fresh emulator per store.
func TestContractEmulator(t *testing.T) {
	var servers sync.Map // eventstore.Store → *esdbtest.Server
	storetest.Run(t, storetest.Backend{
		Name: "esdb-emulator",
		NewStore: func(t testing.TB) eventstore.Store {
			srv := esdbtest.New(t)
			s := open(t, srv.URL())
			servers.Store(eventstore.Store(s), srv)
			t.Cleanup(func() { servers.Delete(eventstore.Store(s)) })
			return s
		},
		KillConnections: func(t testing.TB, s eventstore.Store) {
			srv, ok := servers.Load(s)
			if !ok {
				t.Fatalf("KillConnections: store %p was not made by this backend", s)
			}
			srv.(*esdbtest.Server).DropConnections()
		},
	})
}

// TestContractServer runs the shared contract suite against the real EventStoreDB server named
// by ESDB_URL. The suite gives every test its own stream prefix and filters $all by it, so
// the tests share the server.
func TestContractServer(t *testing.T) {
	url := os.Getenv("ESDB_URL")
	if url == "" {
		t.Skip("ESDB_URL not set: no EventStoreDB server on this machine")
	}
	storetest.Run(t, storetest.Backend{
		Name: "esdb-server",
		NewStore: func(t testing.TB) eventstore.Store {
			return open(t, url)
		},
	})
}
