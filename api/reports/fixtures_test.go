package reports_test

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/odata-pos/pos/api/apitest"
	"github.com/odata-pos/pos/api/authz"
	"github.com/odata-pos/pos/api/sales/salestest"
	"github.com/odata-pos/pos/commands"
	"github.com/odata-pos/pos/commands/policies"
	"github.com/odata-pos/pos/domain/money"
	"github.com/odata-pos/pos/domain/shift"
	"github.com/odata-pos/pos/domain/stock"
	"github.com/odata-pos/pos/eventstore"
	"github.com/odata-pos/pos/internal/poll"
	"github.com/odata-pos/pos/projections"
	"github.com/odata-pos/pos/projections/reports"
)

const cur = "EUR"

// world is a running API with the report projection and the write side's policies running
// in-process, and the master data of the scripted day, created over HTTP.
type world struct {
	*apitest.Env
	t      *testing.T
	runner *projections.Runner
	stores map[string]*storeFx
	prods  map[string]*productFx
	users  map[string]*userFx
	exp    *ledger
}

type storeFx struct {
	id, register, shift uuid.UUID
	loc                 *time.Location
	inclusive           bool
	day                 time.Time // a local day two days back: the scripted day
}

type productFx struct {
	id       uuid.UUID
	sku, cat string
	price    int64
}

type userFx struct {
	id, token string
}

// at returns the time h:m on the store's scripted day (plus days), in its zone.
func (s *storeFx) at(days, h, m int) time.Time {
	return time.Date(s.day.Year(), s.day.Month(), s.day.Day()+days, h, m, 0, 0, s.loc)
}

func newWorld(t *testing.T, opts apitest.Options) *world {
	t.Helper()
	env := apitest.New(t, opts)
	w := &world{Env: env, t: t, stores: map[string]*storeFx{}, prods: map[string]*productFx{}, users: map[string]*userFx{}, exp: newLedger()}
	r, err := projections.New(projections.Config{
		Pool: env.DB, Store: env.Store, Projections: reports.All(), Registerer: prometheus.NewRegistry(),
		BatchSize: 50, BatchWait: 5 * time.Millisecond, PollInterval: 100 * time.Millisecond, IdleInterval: 20 * time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	w.runner = r
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() {
		if err := r.Run(ctx); err != nil {
			t.Errorf("projections: %v", err)
		}
	})
	wg.Go(func() {
		if err := policies.Run(ctx, policies.Config{Handler: env.API.Commands, Checkpoints: policies.NewMemoryCheckpoints()}); err != nil {
			t.Errorf("policies: %v", err)
		}
	})
	t.Cleanup(func() { cancel(); wg.Wait() })
	return w
}

// store creates a store over HTTP with a register and a shift opened on its scripted day at
// 07:00 local (through the command handler: the HTTP route opens shifts now only).
func (w *world) store(code, tz string, inclusive bool) *storeFx {
	w.t.Helper()
	loc, err := time.LoadLocation(tz)
	if err != nil {
		w.t.Fatal(err)
	}
	var out struct {
		ID string `json:"id"`
	}
	w.Must(http.StatusCreated, "POST", "/api/v1/stores", w.AdminToken, map[string]any{"code": code, "name": "Store " + code,
		"currency": cur, "timezone": tz, "prices_include_tax": inclusive, "allow_negative_stock": true}).JSON(w.t, &out)
	s := &storeFx{id: uuid.MustParse(out.ID), loc: loc, inclusive: inclusive, shift: uuid.New()}
	now := time.Now().In(loc)
	s.day = time.Date(now.Year(), now.Month(), now.Day()-2, 0, 0, 0, 0, loc)
	w.Must(http.StatusCreated, "POST", "/api/v1/stores/"+out.ID+"/registers", w.AdminToken, map[string]any{"code": "R1", "name": "Till"}).JSON(w.t, &out)
	s.register = uuid.MustParse(out.ID)
	opened := s.at(0, 7, 0)
	_, err = commands.Execute(context.Background(), w.API.Commands, commands.ShiftStream(s.shift), commands.ShiftAggregate,
		commands.Context{ID: "shift-" + s.shift.String(), UserID: "fixture", OccurredAt: opened},
		func(st shift.State) ([]shift.Event, error) {
			return shift.Decide(st, shift.Open{ShiftID: s.shift, StoreID: s.id, RegisterID: s.register, CashierID: "fixture",
				OpeningFloat: money.New(10000, cur)}, opened)
		})
	if err != nil {
		w.t.Fatal(err)
	}
	w.stores[code] = s
	w.exp.shift(s.shift, s.id, s.at(0, 7, 0).Format(time.DateOnly))
	return s
}

// product creates a product over HTTP with a catalog cost.
func (w *world) product(sku, category string, price, cost int64) *productFx {
	w.t.Helper()
	var out struct {
		ID string `json:"id"`
	}
	w.Must(http.StatusCreated, "POST", "/api/v1/products", w.AdminToken, map[string]any{"sku": sku, "barcodes": []string{}, "name": "Product " + sku,
		"category": category, "price": money.New(price, cur), "cost": money.New(cost, cur), "tax_code": "STD", "track_stock": true}).JSON(w.t, &out)
	p := &productFx{id: uuid.MustParse(out.ID), sku: sku, cat: category, price: price}
	w.prods[sku] = p
	w.exp.catalogCost[p.id] = cost
	return p
}

// cashier mints a cashier token for both stores.
func (w *world) cashier(name string) *userFx {
	id := "user-" + name
	var stores []string
	for _, s := range w.stores {
		stores = append(stores, s.id.String())
	}
	u := &userFx{id: id, token: salestest.Token(w.t, w.API, id, authz.RoleCashier, stores...)}
	w.users[name] = u
	return u
}

// receive posts a goods receipt of qty units at unitCost into a store.
func (w *world) receive(s *storeFx, p *productFx, qty, unitCost int64) {
	w.t.Helper()
	w.Must(http.StatusCreated, "POST", "/api/v1/inventory/receipts", w.AdminToken, map[string]any{"id": uuid.New(), "location_id": s.id,
		"lines": []any{map[string]any{"product_id": p.id, "quantity": strconv.FormatInt(qty, 10), "unit_cost": money.New(unitCost, cur)}}})
	w.exp.receive(s.id, p.id, qty, unitCost)
}

// caughtUp waits until the policies have written n stock movements, and returns the head of
// $all (every command of the test is in it).
func (w *world) caughtUp(n int) eventstore.Position {
	w.t.Helper()
	var moved int
	poll.Eventually(w.t, 30*time.Second, func() bool {
		evs, err := w.Store.ReadAll(context.Background(), 0, 10000, eventstore.Filter{TypePrefixes: []string{stock.TypeStockMoved}})
		if err != nil {
			w.t.Fatal(err)
		}
		moved = len(evs)
		return moved >= n
	}, func() string { return fmt.Sprintf("policies wrote %d stock movements, want %d", moved, n) })
	head, err := w.Store.HeadPosition(context.Background())
	if err != nil {
		w.t.Fatal(err)
	}
	return head
}

// rows GETs a report as of position and returns its items.
func (w *world) rows(token, path string, position eventstore.Position) []map[string]any {
	w.t.Helper()
	var out struct {
		Items      []map[string]any `json:"items"`
		NextCursor string           `json:"next_cursor"`
	}
	w.Must(http.StatusOK, "GET", path, token, nil, "X-Consistent-With", strconv.FormatUint(uint64(position), 10)).JSON(w.t, &out)
	if out.NextCursor != "" {
		w.t.Fatalf("%s: unexpected second page", path)
	}
	return out.Items
}
