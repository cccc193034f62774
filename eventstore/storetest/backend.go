// Package storetest is the contract suite every eventstore.Store backend passes. A backend's
// test calls Run with a Backend describing how to make fresh stores and how to provoke the
// failure cases the suite checks (commits held back, connections killed).
package storetest

import (
	"testing"

	"github.com/odata-pos/pos/eventstore"
)

// Backend describes a store implementation to the contract suite.
type Backend struct {
	// Name appears in the test names, so a report shows which backend each case ran on.
	Name string

	// NewStore returns a fresh, empty store for one test; the backend closes it with t.Cleanup.
	NewStore func(t testing.TB) eventstore.Store

	// AppendHeld appends events to stream (expected revision Any) but holds the commit back
	// until release is closed. It returns once the append has taken its place in $all, and the
	// returned channel then yields the append's outcome after the commit. Backends that assign
	// positions at commit time (EventStoreDB) leave it nil: the out-of-order case cannot happen
	// there and the suite then delays the whole append instead.
	AppendHeld func(t testing.TB, s eventstore.Store, stream string, events []eventstore.EventData, release <-chan struct{}) <-chan error

	// KillConnections severs every connection the store holds to its server
	// (pg_terminate_backend, the emulator dropping its streams), so that subscriptions must
	// reconnect and resume. Nil when the backend cannot do it; the case is then skipped.
	KillConnections func(t testing.TB, s eventstore.Store)
}
