package projections_test

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/odata-pos/pos/eventstore"
	"github.com/odata-pos/pos/eventstore/memstore"
	"github.com/odata-pos/pos/projections"
)

// TestPoisonEventIsParkedAndTheRestGoesOn (issue 11.1): one event a projection cannot apply
// used to stop the whole read model for every store. Now it is parked with its error, later
// events of its stream are parked behind it (that stream's rows stay consistent), every other
// stream and projection goes on, the status and metrics name it, and a replay applies it once
// the projection is fixed.
func TestPoisonEventIsParkedAndTheRestGoesOn(t *testing.T) {
	pool, store := newPool(t), memstore.New()
	appendItems(t, store, 0, 40, 17) // event 17 (stream item-7) cannot be applied
	reg := prometheus.NewRegistry()
	its := &items{name: "items", version: 1, filter: itemsFilter()}
	cfg := fastConfig(pool, store, its, &items{name: "others", version: 1, filter: eventstore.Filter{StreamPrefixes: []string{"other-"}}})
	cfg.Registerer = reg
	r := start(t, cfg)

	events, _ := store.ReadAll(context.Background(), eventstore.Start, 100, itemsFilter())
	waitFor(t, r.Runner, "items", events[39].Position)
	if got, want := dump(t, pool, itemsQuery), expectedItems(40, 17, 27, 37); !equal(got, want) {
		t.Fatalf("items with 17 parked = %v, want %v (every other stream applied)", got, want)
	}
	st := statusOf(t, r.Runner, "items")[0]
	poison := events[17].Position
	if st.Status != "running" || st.ParkedCount != 3 || len(st.Parked) != 3 || st.Parked[0].Position != poison ||
		st.Parked[0].EventID != events[17].ID || st.Parked[0].Stream != "item-7" || !strings.Contains(st.Parked[0].Error, errPoison.Error()) ||
		st.Parked[0].CausePosition != nil || st.Parked[1].CausePosition == nil || *st.Parked[1].CausePosition != poison ||
		st.Parked[2].Position != events[37].Position {
		t.Fatalf("status = %+v, want running with 17 parked and 27, 37 behind it", st)
	}
	// The gauge is also set by the leader's reconcile from the checkpoint row it last read,
	// which may be a batch older than the status just read: it converges on its next round.
	eventually(t, "pos_projection_parked = 3", func() bool { got, _ := gathered(t, reg, "pos_projection_parked"); return got == 3 })
	if got, _ := gathered(t, reg, "pos_projection_poison_events_total"); got != 1 {
		t.Fatalf("pos_projection_poison_events_total = %v, want 1", got)
	}
	if got, _ := gathered(t, reg, "pos_projection_failed"); got != 0 {
		t.Fatalf("pos_projection_failed = %v, want 0", got)
	}
	other := appendOther(t, store)
	waitFor(t, r.Runner, "others", other)

	// A replay before the fix keeps them parked; after it, applies them in order.
	if res, err := r.ReplayParked(context.Background(), "items"); err != nil || res.Replayed != 0 || res.Parked != 3 {
		t.Fatalf("replay before the fix = %+v, %v; want 3 still parked", res, err)
	}
	its.healed.Store(true)
	if res, err := r.ReplayParked(context.Background(), "items"); err != nil || res.Replayed != 3 || res.Parked != 0 {
		t.Fatalf("replay after the fix = %+v, %v; want 3 replayed", res, err)
	}
	last := appendItems(t, store, 40, 10)
	waitFor(t, r.Runner, "items", last)
	if got, want := dump(t, pool, itemsQuery), expectedItems(50); !equal(got, want) {
		t.Fatalf("items after the replay = %v, want %v", got, want)
	}
	if st := statusOf(t, r.Runner, "items")[0]; st.ParkedCount != 0 || len(st.Parked) != 0 {
		t.Fatalf("status after the replay = %+v", st)
	}
}

// TestOverflowingEventIsParked: the hand-made event of issue 11.1, an amount whose sum
// overflows the read model's bigint (PostgreSQL: 22003 numeric value out of range), appended
// straight through the store past every decider. Its stream is parked; the others go on; a
// skip drops it for good and a replay then applies what waited behind it.
func TestOverflowingEventIsParked(t *testing.T) {
	pool, store := newPool(t), memstore.New()
	appendItems(t, store, 0, 20)
	data, _ := json.Marshal(itemAdded{Item: "item-3", Amount: math.MaxInt64})
	bad, err := store.Append(context.Background(), "item-3", eventstore.Any, []eventstore.EventData{{ID: uuid.New(), Type: "test.item_added.v1", Data: data}})
	if err != nil {
		t.Fatal(err)
	}
	last := appendItems(t, store, 20, 20)
	r := start(t, fastConfig(pool, store, &items{name: "items", version: 1, filter: itemsFilter()}))
	waitFor(t, r.Runner, "items", last)
	if got, want := dump(t, pool, itemsQuery), expectedItems(40, 23, 33); !equal(got, want) {
		t.Fatalf("items with the overflow parked = %v, want %v", got, want)
	}
	st := statusOf(t, r.Runner, "items")[0]
	if st.Status != "running" || st.ParkedCount != 3 || st.Parked[0].Position != bad.Position || !strings.Contains(st.Parked[0].Error, "out of range") {
		t.Fatalf("status = %+v, want the overflow parked with PostgreSQL's error", st)
	}
	if err := r.Skip(context.Background(), "items", bad.Position+1000); !errors.Is(err, projections.ErrNotFailedAt) {
		t.Fatalf("skip of a position not parked = %v, want ErrNotFailedAt", err)
	}
	if err := r.Skip(context.Background(), "items", bad.Position); err != nil {
		t.Fatalf("skip: %v", err)
	}
	if res, err := r.ReplayParked(context.Background(), "items"); err != nil || res.Replayed != 2 || res.Parked != 0 {
		t.Fatalf("replay after the skip = %+v, %v; want the 2 events behind it applied", res, err)
	}
	if got, want := dump(t, pool, itemsQuery), expectedItems(40); !equal(got, want) {
		t.Fatalf("items after skip and replay = %v, want %v", got, want)
	}
	st = statusOf(t, r.Runner, "items")[0]
	if st.ParkedCount != 0 || !slices.Equal(st.Skipped, []eventstore.Position{bad.Position}) {
		t.Fatalf("status after skip and replay = %+v", st)
	}
}

// TestPoisonEventsBeyondTheParkLimitStopOneProjectionUntilSkipped: more poison events than
// ParkLimit are a broken projection, not a bad event: it stops (status failed) as before
// parking, the other projections go on, and an operator skips the event to let it go on.
func TestPoisonEventsBeyondTheParkLimitStopOneProjectionUntilSkipped(t *testing.T) {
	pool, store := newPool(t), memstore.New()
	appendItems(t, store, 0, 40, 13, 17) // 13 is parked, 17 is one too many
	reg := prometheus.NewRegistry()
	cfg := fastConfig(pool, store,
		&items{name: "items", version: 1, filter: itemsFilter()},
		&items{name: "others", version: 1, filter: eventstore.Filter{StreamPrefixes: []string{"other-"}}})
	cfg.Registerer, cfg.ParkLimit = reg, 1
	r := start(t, cfg)

	var st projections.ProjectionStatus
	eventually(t, "items fails", func() bool {
		s := statusOf(t, r.Runner, "items")
		if len(s) != 1 {
			return false
		}
		st = s[0]
		return st.Status == "failed"
	})
	events, _ := store.ReadAll(context.Background(), eventstore.Start, 100, itemsFilter())
	poison := events[17].Position
	if st.ErrorPosition == nil || *st.ErrorPosition != poison || st.Position != events[16].Position || st.ParkedCount != 1 {
		t.Fatalf("failed status = %+v, want error at %d, checkpoint at %d and 13 parked", st, poison, events[16].Position)
	}
	if !strings.Contains(st.LastError, errPoison.Error()) {
		t.Fatalf("last error %q does not name the poison", st.LastError)
	}
	if got, want := dump(t, pool, itemsQuery), expectedItems(17, 13); !equal(got, want) {
		t.Fatalf("items before the poison = %v, want %v", got, want)
	}
	if got, _ := gathered(t, reg, "pos_projection_failed"); got != 1 {
		t.Fatalf("pos_projection_failed = %v, want 1", got)
	}
	if got, _ := gathered(t, reg, "pos_projection_poison_events_total"); got != 2 {
		t.Fatalf("pos_projection_poison_events_total = %v, want 2", got)
	}

	// The other projection keeps running.
	other := appendOther(t, store)
	waitFor(t, r.Runner, "others", other)
	if got := dump(t, pool, `SELECT count(*) FROM others.applied`); got[0] != "1" {
		t.Fatalf("others.items = %v", got)
	}

	// Skipping needs the exact error position.
	if err := r.Skip(context.Background(), "items", poison+1); !errors.Is(err, projections.ErrNotFailedAt) {
		t.Fatalf("skip at a wrong position = %v, want ErrNotFailedAt", err)
	}
	if err := r.Skip(context.Background(), "items", poison); err != nil {
		t.Fatalf("skip: %v", err)
	}
	last := appendItems(t, store, 40, 10)
	waitFor(t, r.Runner, "items", last)
	// 13 stays parked with 23, 33, 43 behind it.
	if got, want := dump(t, pool, itemsQuery), expectedItems(50, 13, 17, 23, 33, 43); !equal(got, want) {
		t.Fatalf("items after skip = %v, want %v", got, want)
	}
	st = statusOf(t, r.Runner, "items")[0]
	if st.Status != "running" || st.ErrorPosition != nil || st.LastError != "" || !slices.Equal(st.Skipped, []eventstore.Position{poison}) {
		t.Fatalf("status after skip = %+v, want running with skipped [%d]", st, poison)
	}
	if got, _ := gathered(t, reg, "pos_projection_failed"); got != 0 {
		t.Fatalf("pos_projection_failed after skip = %v, want 0", got)
	}

	// A rebuild replays from the start, skips the recorded position and parks 13 again.
	if err := r.Rebuild(context.Background(), "items"); err != nil {
		t.Fatalf("rebuild: %v", err)
	}
	eventually(t, "rebuild swaps", func() bool {
		s := statusOf(t, r.Runner, "items")
		return len(s) == 1 && s[0].Schema != st.Schema && s[0].Status == "running"
	})
	if got, want := dump(t, pool, itemsQuery), expectedItems(50, 13, 17, 23, 33, 43); !equal(got, want) {
		t.Fatalf("items after rebuild = %v, want %v", got, want)
	}
	if st := statusOf(t, r.Runner, "items")[0]; st.ParkedCount != 4 {
		t.Fatalf("parked after rebuild = %d, want 4", st.ParkedCount)
	}
}
