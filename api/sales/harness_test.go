package sales_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/gorilla/mux"

	"github.com/odata-pos/pos/api/authz"
	"github.com/odata-pos/pos/api/cmdhttp"
	"github.com/odata-pos/pos/api/httpx"
	"github.com/odata-pos/pos/api/sales"
	"github.com/odata-pos/pos/api/sales/salestest"
	"github.com/odata-pos/pos/commands"
	"github.com/odata-pos/pos/domain"
	"github.com/odata-pos/pos/domain/sale"
	"github.com/odata-pos/pos/eventstore"
)

// harness is the sales API alone over an event store: the real handlers, decoding, command
// handlers and error mapping on a router whose requests all carry one cashier's principal (no
// token, no rate limit), with a store, registers each holding an open shift, and products.
// The fuzz test and the benchmarks use it.
type harness struct {
	cmds      *commands.Handler
	sales     *commands.Sales
	router    http.Handler
	store     uuid.UUID
	registers []uuid.UUID
	shifts    []uuid.UUID
	products  []uuid.UUID
}

func newHarness(tb testing.TB, store eventstore.Store, registers int) *harness {
	tb.Helper()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	codec := eventstore.NewCodec()
	domain.RegisterWriteSide(codec)
	// Snapshots as posd keeps them (internal/services): the latest of each stream in memory,
	// so that a sale folds only what was appended since, not its register's whole history.
	h := commands.NewHandler(store, codec, commands.Options{
		Snapshots: commands.NewCachedSnapshots(commands.NewMemorySnapshots(), 100, 50_000)})
	hs := &harness{cmds: h, sales: commands.NewSales(h, time.Now)}
	hs.store = salestest.NewStore(tb, h, "H", salestest.Settings(false))
	salestest.NewTaxCode(tb, h, "STD", 2100)
	for i, price := range []int64{299, 1000, 450} {
		hs.products = append(hs.products, salestest.NewProduct(tb, h, salestest.Product{SKU: fmt.Sprint("P", i), Price: price, TaxCode: "STD"}))
	}
	shifts := commands.NewShifts(h, time.Now)
	for i := range registers {
		reg := salestest.NewRegister(tb, h, hs.store, fmt.Sprint("R", i))
		sh := uuid.New()
		if _, err := shifts.Open(context.Background(), commands.Context{ID: "open:" + sh.String(), UserID: "cashier"},
			commands.OpenShift{ShiftID: sh, RegisterID: reg, OpeningFloat: salestest.EUR(10000)}); err != nil {
			tb.Fatalf("open shift: %v", err)
		}
		hs.registers, hs.shifts = append(hs.registers, reg), append(hs.shifts, sh)
	}
	rs := httpx.NewResponder(log, cmdhttp.MapError)
	router := mux.NewRouter()
	v1 := router.PathPrefix("/api/v1").Subrouter()
	principal := authz.Principal{UserID: "cashier", Roles: []authz.Role{authz.RoleCashier}, StoreIDs: []string{hs.store.String()}}
	v1.Use(func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			next.ServeHTTP(w, r.WithContext(authz.WithPrincipal(r.Context(), principal)))
		})
	})
	az := authz.NewAuthorizer(authz.DefaultPolicy(), rs, nil)
	(&sales.Handlers{Sales: hs.sales, Authorizer: az, Responder: rs,
		Idempotency: cmdhttp.NewIdempotency(nil, rs, "h:", 0), Now: time.Now}).Register(authz.NewRoutes(v1, az))
	hs.router = router
	return hs
}

// oneShot is a completed three-line card sale on register i.
func (hs *harness) oneShot(i int) commands.CreateSale {
	c := commands.CreateSale{SaleID: uuid.New(), StoreID: hs.store, RegisterID: hs.registers[i], ShiftID: hs.shifts[i], Complete: true}
	for _, p := range hs.products {
		c.Lines = append(c.Lines, commands.SaleLine{LineID: uuid.New(), ProductID: p, Quantity: 1000})
	}
	// 2.99 + 10.00 + 4.50 = 17.49 plus 21 % tax per line: 0.63 + 2.10 + 0.95 = 21.17.
	c.Payments = []sale.Payment{{ID: uuid.New(), Tender: "card", Amount: salestest.EUR(2117)}}
	return c
}

// oneShotBody is oneShot as a POST /sales body.
func (hs *harness) oneShotBody(i int) map[string]any {
	c := hs.oneShot(i)
	lines := make([]map[string]any, len(c.Lines))
	for j, l := range c.Lines {
		lines[j] = map[string]any{"id": l.LineID, "product_id": l.ProductID, "quantity": 1}
	}
	return map[string]any{"id": c.SaleID, "store_id": c.StoreID, "register_id": c.RegisterID, "shift_id": c.ShiftID, "complete": true,
		"lines": lines, "payments": []map[string]any{{"id": uuid.New(), "tender": "card", "amount": salestest.EUR(2117)}}}
}
