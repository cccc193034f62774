package projections_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/odata-pos/pos/eventstore"
	"github.com/odata-pos/pos/eventstore/memstore"
	"github.com/odata-pos/pos/projections"
)

func TestPoisonEventStopsOneProjectionUntilSkipped(t *testing.T) {
	pool, store := newPool(t), memstore.New()
	appendItems(t, store, 0, 40, 17) // event 17 cannot be applied
	reg := prometheus.NewRegistry()
	cfg := fastConfig(pool, store,
		&items{name: "items", version: 1, filter: itemsFilter()},
		&items{name: "others", version: 1, filter: eventstore.Filter{StreamPrefixes: []string{"other-"}}})
	cfg.Registerer = reg
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
	if st.ErrorPosition == nil || *st.ErrorPosition != poison || st.Position != events[16].Position {
		t.Fatalf("failed status = %+v, want error at %d and checkpoint at %d", st, poison, events[16].Position)
	}
	if !strings.Contains(st.LastError, errPoison.Error()) {
		t.Fatalf("last error %q does not name the poison", st.LastError)
	}
	if got, want := dump(t, pool, itemsQuery), expectedItems(17); !equal(got, want) {
		t.Fatalf("items before the poison = %v, want %v", got, want)
	}
	if got, _ := gathered(t, reg, "pos_projection_failed"); got != 1 {
		t.Fatalf("pos_projection_failed = %v, want 1", got)
	}
	if got, _ := gathered(t, reg, "pos_projection_poison_events_total"); got != 1 {
		t.Fatalf("pos_projection_poison_events_total = %v, want 1", got)
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
	if got, want := dump(t, pool, itemsQuery), expectedItems(50, 17); !equal(got, want) {
		t.Fatalf("items after skip = %v, want %v", got, want)
	}
	st = statusOf(t, r.Runner, "items")[0]
	if st.Status != "running" || st.ErrorPosition != nil || st.LastError != "" || !slices.Equal(st.Skipped, []eventstore.Position{poison}) {
		t.Fatalf("status after skip = %+v, want running with skipped [%d]", st, poison)
	}
	if got, _ := gathered(t, reg, "pos_projection_failed"); got != 0 {
		t.Fatalf("pos_projection_failed after skip = %v, want 0", got)
	}

	// A rebuild replays from the start and skips the recorded position too.
	if err := r.Rebuild(context.Background(), "items"); err != nil {
		t.Fatalf("rebuild: %v", err)
	}
	eventually(t, "rebuild swaps", func() bool {
		s := statusOf(t, r.Runner, "items")
		return len(s) == 1 && s[0].Schema != st.Schema && s[0].Status == "running"
	})
	if got, want := dump(t, pool, itemsQuery), expectedItems(50, 17); !equal(got, want) {
		t.Fatalf("items after rebuild = %v, want %v", got, want)
	}
}
