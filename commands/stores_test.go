package commands_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/odata-pos/pos/commands"
	"github.com/odata-pos/pos/domain"
	"github.com/odata-pos/pos/domain/money"
	"github.com/odata-pos/pos/domain/register"
	"github.com/odata-pos/pos/domain/rules"
	"github.com/odata-pos/pos/domain/store"
	"github.com/odata-pos/pos/eventstore"
	"github.com/odata-pos/pos/eventstore/memstore"
)

// writeSide is a command handler over an in-memory store with every write-side event type.
func writeSide(t *testing.T) (*commands.Handler, *memstore.Store) {
	t.Helper()
	st := memstore.New()
	codec := eventstore.NewCodec()
	domain.RegisterWriteSide(codec)
	return commands.NewHandler(st, codec, commands.Options{MaxRetries: 64}), st
}

func newStore(id uuid.UUID, code string) store.CreateStore {
	return store.CreateStore{StoreID: id, Code: code, Name: "Store " + code, Currency: "EUR", Timezone: "Europe/Amsterdam"}
}

// streamLen returns how many events stream holds.
func streamLen(t *testing.T, st eventstore.Store, stream string) int {
	t.Helper()
	evs, err := st.ReadStream(context.Background(), stream, eventstore.Forwards, 0, 1000)
	if errors.Is(err, eventstore.ErrStreamNotFound) {
		return 0
	}
	if err != nil {
		t.Fatal(err)
	}
	return len(evs)
}

func TestStoreCodesAreUniqueUnderRaces(t *testing.T) {
	h, _ := writeSide(t)
	stores := commands.NewStores(h, time.Now)
	ctx := context.Background()
	const racers = 8
	errs := make([]error, racers)
	var wg sync.WaitGroup
	for i := range racers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			id := uuid.New()
			_, errs[i] = stores.Create(ctx, commands.Context{ID: "store.create:" + id.String()}, newStore(id, fmt.Sprint([]string{"ams1", "AMS1"}[i%2])))
		}()
	}
	wg.Wait()
	won := 0
	for _, err := range errs {
		switch {
		case err == nil:
			won++
		case !errors.Is(err, rules.ErrDuplicate):
			t.Fatalf("a losing create got %v, want ErrDuplicate", err)
		}
	}
	if won != 1 {
		t.Fatalf("%d stores got code AMS1 (any case), want 1", won)
	}
}

func TestStoreLifecycle(t *testing.T) {
	h, st := writeSide(t)
	stores := commands.NewStores(h, time.Now)
	ctx := context.Background()
	id := uuid.New()
	cmd := commands.Context{ID: "store.create:" + id.String()}
	first, err := stores.Create(ctx, cmd, newStore(id, "AMS1"))
	if err != nil {
		t.Fatal(err)
	}
	again, err := stores.Create(ctx, cmd, newStore(id, "AMS1"))
	if err != nil || !again.Replayed || again.Position != first.Position {
		t.Fatalf("retry = %+v, %v; want a replay of %+v", again, err, first)
	}
	if n := streamLen(t, st, commands.StoreStream(id)); n != 1 {
		t.Fatalf("store stream holds %d events after a retry, want 1", n)
	}
	if n := streamLen(t, st, commands.ReservationStream(commands.StoreCodeKey("AMS1"))); n != 1 {
		t.Fatalf("code reservation holds %d events after a retry, want 1", n)
	}
	// The same ID with other data is refused and does not take the other code.
	if _, err := stores.Create(ctx, commands.Context{ID: cmd.ID}, newStore(id, "RTM1")); !errors.Is(err, rules.ErrAlreadyExists) {
		t.Fatalf("ID reuse: %v", err)
	}
	if owner, _ := commands.Owner(ctx, h, commands.StoreCodeKey("RTM1")); owner != "" {
		t.Fatalf("a refused create holds code RTM1 for %s", owner)
	}
	// An invalid store reserves nothing.
	bad := newStore(uuid.New(), "BAD")
	bad.Currency = "euro"
	if _, err := stores.Create(ctx, commands.Context{ID: "x"}, bad); !errors.Is(err, rules.ErrValidation) {
		t.Fatalf("invalid store: %v", err)
	}
	if owner, _ := commands.Owner(ctx, h, commands.StoreCodeKey("BAD")); owner != "" {
		t.Fatal("an invalid store reserved its code")
	}
	// Settings change field by field; the change merges with what is there.
	even, tol := money.HalfEven, money.New(1000, "EUR")
	if _, err := stores.ChangeSettings(ctx, commands.Context{ID: "s1"}, id, commands.SettingsChange{Rounding: &even}); err != nil {
		t.Fatal(err)
	}
	// The command returns the store as it left it.
	changed, err := stores.ChangeSettings(ctx, commands.Context{ID: "s2"}, id, commands.SettingsChange{CashTolerance: &tol})
	if err != nil || changed.State.State.Settings.CashTolerance != 1000 || changed.State.State.Settings.Rounding != money.HalfEven ||
		changed.State.Revision != 2 || changed.Revision != 2 {
		t.Fatalf("changed = %+v, %v", changed, err)
	}
	// An amount in another currency than the store's is refused, with the decider's problems.
	usd, maxBP := money.New(1, "USD"), int64(10001)
	_, err = stores.ChangeSettings(ctx, commands.Context{ID: "s-usd"}, id, commands.SettingsChange{CashTolerance: &usd,
		CashierLimits: &commands.CashierLimits{MaxDiscountBP: maxBP, MaxRefund: money.New(1, "EUR")}})
	if verr := (*rules.ValidationError)(nil); !errors.As(err, &verr) || len(verr.Fields) != 2 ||
		verr.Fields[0].Field != "cash_tolerance.currency" || verr.Fields[1].Field != "cashier_limits.max_discount_bp" {
		t.Fatalf("settings in USD: %v", err)
	}
	got, err := stores.Get(ctx, id)
	if err != nil || got.State.Settings.Rounding != money.HalfEven || got.State.Settings.CashTolerance != 1000 || got.Revision != 2 {
		t.Fatalf("store = %+v at %d, %v", got.State.Settings, got.Revision, err)
	}
	// A late retry of the create, after the settings changed, still replays.
	if late, err := stores.Create(ctx, cmd, newStore(id, "AMS1")); err != nil || !late.Replayed || late.Revision != 0 {
		t.Fatalf("late retry = %+v, %v", late, err)
	}
	if _, err := stores.ChangeSettings(ctx, commands.Context{ID: "s3"}, uuid.New(), commands.SettingsChange{CashTolerance: &tol}); !errors.Is(err, rules.ErrNotFound) {
		t.Fatalf("settings of a missing store: %v", err)
	}
	if _, err := stores.Get(ctx, uuid.New()); !errors.Is(err, rules.ErrNotFound) {
		t.Fatalf("missing store: %v", err)
	}
}

func TestRegisterCodesAreUniquePerStore(t *testing.T) {
	h, _ := writeSide(t)
	stores := commands.NewStores(h, time.Now)
	ctx := context.Background()
	a, b := uuid.New(), uuid.New()
	for _, s := range []store.CreateStore{newStore(a, "A"), newStore(b, "B")} {
		if _, err := stores.Create(ctx, commands.Context{ID: "c" + s.Code}, s); err != nil {
			t.Fatal(err)
		}
	}
	reg := func(storeID uuid.UUID, code string) error {
		id := uuid.New()
		_, err := stores.CreateRegister(ctx, commands.Context{ID: "register.create:" + id.String()}, register.CreateRegister{RegisterID: id, StoreID: storeID, Code: code, Name: "Till"})
		return err
	}
	if err := reg(a, "R1"); err != nil {
		t.Fatal(err)
	}
	if err := reg(a, "r1"); !errors.Is(err, rules.ErrDuplicate) {
		t.Fatalf("second R1 in store A: %v", err)
	}
	if err := reg(b, "R1"); err != nil {
		t.Fatalf("R1 in store B: %v", err)
	}
	if err := reg(uuid.New(), "R1"); !errors.Is(err, rules.ErrNotFound) {
		t.Fatalf("register in a missing store: %v", err)
	}
	if err := reg(a, ""); !errors.Is(err, rules.ErrValidation) {
		t.Fatalf("register without a code: %v", err)
	}
}
