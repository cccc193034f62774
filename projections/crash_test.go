package projections_test

import (
	"testing"
	"time"

	"github.com/odata-pos/pos/eventstore/memstore"
)

// TestCrashMidBatchNeitherLosesNorDoubles stops the runner again and again while a slow Apply
// is in the middle of a batch (as a SIGKILL would: the transaction never commits), restarts it,
// and compares the final tables with those of a run that was never interrupted.
func TestCrashMidBatchNeitherLosesNorDoubles(t *testing.T) {
	store := memstore.New()
	last := appendItems(t, store, 0, 3000)
	const query = `SELECT item, count, total, last_position FROM items.items ORDER BY item`

	calm := newPool(t)
	r := start(t, fastConfig(calm, store, &items{name: "items", version: 1, filter: itemsFilter()}))
	waitFor(t, r.Runner, "items", last)
	r.stop(t)
	want := dump(t, calm, query)

	crashy := newPool(t)
	tr := &tracker{}
	for i := range 8 {
		cfg := fastConfig(crashy, store, &items{name: "items", version: 1, filter: itemsFilter(),
			delay: 15 * time.Millisecond, tracker: tr, runner: "crashy"})
		cfg.BatchSize = 25
		_, by := tr.snapshot()
		r := start(t, cfg)
		// Stop while an Apply is in flight, after a few committed batches.
		eventually(t, "a batch in flight", func() bool {
			_, now := tr.snapshot()
			return now["crashy"] > by["crashy"]+i%3 && tr.inFlight()
		})
		r.stop(t)
	}
	if tr.interrupted.Load() < 2 {
		t.Fatalf("only %d of 8 stops landed in the middle of a batch", tr.interrupted.Load())
	}
	r = start(t, fastConfig(crashy, store, &items{name: "items", version: 1, filter: itemsFilter()}))
	waitFor(t, r.Runner, "items", last)
	if got := dump(t, crashy, query); !equal(got, want) {
		t.Fatalf("after %d interrupted batches: items = %v, want %v", tr.interrupted.Load(), got, want)
	}
	if got := dump(t, crashy, `SELECT count(*), count(DISTINCT position) FROM items.applied`); got[0] != "3000 3000" {
		t.Fatalf("applied (count, distinct) = %s, want 3000 3000", got[0])
	}
	t.Logf("%d batches interrupted mid-apply", tr.interrupted.Load())
}
