package audit_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/odata-pos/pos/eventstore"
	"github.com/odata-pos/pos/eventstore/audit"
)

// TestRunExtendsWhenDueSaysSo: with an Interval of an hour, Run seals new events as soon as
// Due asks for it, and not while Due says no; Due is asked with the newest seal's position.
func TestRunExtendsWhenDueSaysSo(t *testing.T) {
	e := newEnv(t)
	e.fill(t, "shop", 5, 2, 1) // 10 events
	var (
		due    atomic.Bool
		asked  atomic.Int64 // the position Due was last asked about
		sealed atomic.Int64
	)
	c := &audit.Checkpointer{Store: e.store, DB: e.db, Key: testKey, Index: true, Interval: time.Hour,
		OnSeal: func(cp audit.Checkpoint) { sealed.Store(int64(cp.Position)) },
		Due: func(at eventstore.Position) bool {
			asked.Store(int64(at))
			return due.Load()
		}}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- c.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("run: %v", err)
		}
	})
	waitFor := func(what string, cond func() bool) {
		t.Helper()
		for i := 0; !cond(); i++ {
			if i == 3000 {
				t.Fatalf("timed out waiting until %s", what)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	waitFor("the first run seals the first 10 events", func() bool { return sealed.Load() == 10 })
	e.fill(t, "more", 5, 2, 1) // 10 more
	waitFor("Due is asked about the seal at 10", func() bool { return asked.Load() == 10 })
	waitFor("Due is asked again", func() bool { asked.Store(0); time.Sleep(1100 * time.Millisecond); return asked.Load() == 10 })
	if got := sealed.Load(); got != 10 {
		t.Fatalf("sealed up to %d while Due said no and the hour was not out", got)
	}
	due.Store(true)
	waitFor("a run Due asked for seals the next 10", func() bool { return sealed.Load() == 20 })
}
