package commands_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/odata-pos/pos/commands"
	"github.com/odata-pos/pos/domain/register"
	"github.com/odata-pos/pos/eventstore"
)

// countingStore counts the events read from streams with a prefix, and can lose the answer of
// one append there after writing it (the ack lost on the way back).
type countingStore struct {
	eventstore.Store
	prefix  string
	read    atomic.Int64
	loseAck atomic.Bool
}

func (c *countingStore) ReadStream(ctx context.Context, stream string, dir eventstore.Direction, from uint64, n int) ([]eventstore.RecordedEvent, error) {
	evs, err := c.Store.ReadStream(ctx, stream, dir, from, n)
	if strings.HasPrefix(stream, c.prefix) {
		c.read.Add(int64(len(evs)))
	}
	return evs, err
}

func (c *countingStore) Append(ctx context.Context, stream string, exp eventstore.ExpectedRevision, evs []eventstore.EventData) (eventstore.AppendResult, error) {
	res, err := c.Store.Append(ctx, stream, exp, evs)
	if err == nil && strings.HasPrefix(stream, c.prefix) && c.loseAck.CompareAndSwap(true, false) {
		return eventstore.AppendResult{}, errLost
	}
	return res, err
}

// snapshotWorld is a sale world whose handler snapshots, reading through a countingStore.
func snapshotWorld(t *testing.T) (*saleWorld, *commands.Sales, *countingStore, *commands.MemorySnapshots) {
	return snapshotWorldCached(t, false)
}

// snapshotWorldCached is snapshotWorld whose snapshots, when cached, go through a
// commands.CachedSnapshots (a snapshot after every load that folds an event) in front of the
// returned store (which gets one every 100 events).
func snapshotWorldCached(t *testing.T, cached bool) (*saleWorld, *commands.Sales, *countingStore, *commands.MemorySnapshots) {
	w := newSaleWorld(t)
	cs := &countingStore{Store: w.store, prefix: commands.RegisterPrefix}
	snaps := commands.NewMemorySnapshots()
	var store commands.SnapshotStore = snaps
	if cached {
		store = commands.NewCachedSnapshots(snaps, 100, 1000)
	}
	h := commands.NewHandler(cs, w.h.Codec(), commands.Options{Snapshots: store})
	return w, commands.NewSales(h, time.Now), cs, snaps
}

func completeSale(t *testing.T, w *saleWorld, sales *commands.Sales) (uuid.UUID, error) {
	t.Helper()
	ctx := context.Background()
	c := w.cashSale()
	cmd := commands.Context{ID: "create:" + c.SaleID.String(), UserID: "u"}
	if _, err := sales.Create(ctx, cmd, c); err != nil {
		t.Fatal(err)
	}
	_, err := sales.Complete(ctx, cmd, saleOf(t, sales, c.SaleID))
	return c.SaleID, err
}

// TestRegisterLoadsFoldAtMostASnapshotInterval: however many sales a register has rung, a
// load reads the snapshot and the events after it, not the whole stream.
func TestRegisterLoadsFoldAtMostASnapshotInterval(t *testing.T) {
	w, sales, cs, snaps := snapshotWorld(t)
	const n = 250
	for range n {
		if _, err := completeSale(t, w, sales); err != nil {
			t.Fatal(err)
		}
	}
	if snaps.Saves() == 0 {
		t.Fatal("no snapshot was saved")
	}
	cs.read.Store(0)
	l, err := commands.Load(context.Background(), commands.NewHandler(cs, w.h.Codec(), commands.Options{Snapshots: snaps}),
		commands.RegisterStream(w.reg), commands.RegisterAggregate)
	if err != nil {
		t.Fatal(err)
	}
	if l.State.LastReceipt != n || l.Revision != n+1 { // created, shift opened, n receipts
		t.Fatalf("register from a snapshot: last receipt %d at revision %d, want %d at %d", l.State.LastReceipt, l.Revision, n, n+1)
	}
	if got := cs.read.Load(); got > 101 {
		t.Fatalf("a register load read %d events; the snapshot interval is 100", got)
	}
	full, err := commands.Load(context.Background(), w.h, commands.RegisterStream(w.reg), commands.RegisterAggregate)
	if err != nil {
		t.Fatal(err)
	}
	if full.State.LastReceipt != l.State.LastReceipt || full.State.OpenShiftID != l.State.OpenShiftID || full.Revision != l.Revision {
		t.Fatalf("snapshot load %+v differs from the full fold %+v", l.State, full.State)
	}
}

// TestARetryFindsItsStepsBehindASnapshot: the answer of the shift's cash step, or of the
// register's reservation, is lost after it was written; 150 sales (and snapshots of both
// streams) later the retry of the completion finds what it wrote then: the cash is counted
// once and the number reserved then is used, so the numbers stay gap-free.
func TestARetryFindsItsStepsBehindASnapshot(t *testing.T) {
	for _, tc := range []struct {
		prefix string
		cached bool
	}{{commands.ShiftPrefix, false}, {commands.RegisterPrefix, false}, {commands.ShiftPrefix, true}, {commands.RegisterPrefix, true}} {
		prefix := tc.prefix
		t.Run(fmt.Sprintf("%s/cached=%v", strings.TrimSuffix(prefix, "-"), tc.cached), func(t *testing.T) {
			w, sales, cs, snaps := snapshotWorldCached(t, tc.cached)
			cs.prefix = prefix
			ctx := context.Background()
			cs.loseAck.Store(true)
			first, err := completeSale(t, w, sales)
			if !errors.Is(err, errLost) {
				t.Fatalf("completion with its %s answer lost: %v", prefix, err)
			}
			const later = 150
			for range later {
				if _, err := completeSale(t, w, sales); err != nil {
					t.Fatal(err)
				}
			}
			if snaps.Saves() < 2 {
				t.Fatalf("%d snapshots saved past the lost answer, want the shift's and the register's", snaps.Saves())
			}
			if _, err := sales.Complete(ctx, commands.Context{ID: "retry", UserID: "u"}, saleOf(t, sales, first)); err != nil {
				t.Fatalf("retry: %v", err)
			}
			l, err := sales.Get(ctx, first)
			if err != nil {
				t.Fatal(err)
			}
			want := int64(1)
			if prefix == commands.ShiftPrefix {
				want = later + 1 // it reserved no number before the lost answer
			}
			if l.State.ReceiptNumber != want {
				t.Fatalf("the retried sale has receipt %d, want %d", l.State.ReceiptNumber, want)
			}
			reg, err := commands.Load(ctx, w.h, commands.RegisterStream(w.reg), commands.RegisterAggregate)
			if err != nil {
				t.Fatal(err)
			}
			sh, err := commands.Load(ctx, w.h, commands.ShiftStream(w.shift), commands.ShiftAggregate)
			if err != nil {
				t.Fatal(err)
			}
			if reg.State.LastReceipt != later+1 || sh.State.SalesCount != later+1 || sh.State.CashSales.Amount != (later+1)*362 {
				t.Fatalf("for %d sales the register gave %d numbers and the shift counted %d sales, %d cash",
					later+1, reg.State.LastReceipt, sh.State.SalesCount, sh.State.CashSales.Amount)
			}
		})
	}
}

// TestAStaleSnapshotIsIgnored: a snapshot that does not match its stream (another event at its
// revision, or an unreadable state) is ignored and the stream folded from the start.
func TestAStaleSnapshotIsIgnored(t *testing.T) {
	w, sales, _, _ := snapshotWorld(t)
	for range 3 {
		if _, err := completeSale(t, w, sales); err != nil {
			t.Fatal(err)
		}
	}
	ctx := context.Background()
	stream := commands.RegisterStream(w.reg)
	lying, err := register.MarshalSnapshot(register.State{ID: w.reg, StoreID: w.st, LastReceipt: 99})
	if err != nil {
		t.Fatal(err)
	}
	at2, err := w.store.ReadStream(ctx, stream, eventstore.Forwards, 2, 1)
	if err != nil || len(at2) != 1 {
		t.Fatal(at2, err)
	}
	for name, snap := range map[string]commands.Snapshot{
		"another event at its revision": {Stream: stream, Kind: register.SnapshotKind, Revision: 2, EventID: uuid.New(), State: lying},
		"a revision past the stream":    {Stream: stream, Kind: register.SnapshotKind, Revision: 40, EventID: uuid.New(), State: lying},
		"an unreadable state":           {Stream: stream, Kind: register.SnapshotKind, Revision: 2, EventID: at2[0].ID, State: []byte("{")},
	} {
		snaps := commands.NewMemorySnapshots()
		if err := snaps.SaveSnapshot(ctx, snap); err != nil {
			t.Fatal(err)
		}
		h := commands.NewHandler(w.store, w.h.Codec(), commands.Options{Snapshots: snaps})
		l, err := commands.Load(ctx, h, stream, commands.RegisterAggregate)
		if err != nil {
			t.Fatal(err)
		}
		if l.State.LastReceipt != 3 || l.Revision != 4 {
			t.Fatalf("%s: last receipt %d at revision %d, want 3 at 4", name, l.State.LastReceipt, l.Revision)
		}
	}
}
