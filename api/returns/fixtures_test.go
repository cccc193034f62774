package returns_test

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/odata-pos/pos/api/apitest"
	"github.com/odata-pos/pos/commands"
	"github.com/odata-pos/pos/commands/policies"
	"github.com/odata-pos/pos/domain/catalog"
	"github.com/odata-pos/pos/domain/money"
	"github.com/odata-pos/pos/domain/quantity"
	"github.com/odata-pos/pos/domain/rules"
	"github.com/odata-pos/pos/domain/sale"
	"github.com/odata-pos/pos/domain/shift"
	"github.com/odata-pos/pos/domain/store"
	"github.com/odata-pos/pos/domain/taxcode"
	"github.com/odata-pos/pos/internal/pgcheckpoint"
	"github.com/odata-pos/pos/internal/poll"
)

// Fixtures are written straight through the command handlers (the store, catalog, shift and
// sale routes are other areas); the returns themselves go through HTTP.
type fixture struct {
	t       *testing.T
	env     *apitest.Env
	h       *commands.Handler
	storeID uuid.UUID
	bread   uuid.UUID // 2.99 incl. 9 % tax, stock tracked
	shiftID uuid.UUID
	regID   uuid.UUID
}

var now = time.Now().UTC().Truncate(time.Second)

func sysCmd(id string) commands.Context {
	return commands.Context{ID: id, UserID: "fixture", OccurredAt: now}
}

func newFixture(t *testing.T, settings func(*store.Settings)) *fixture {
	t.Helper()
	env := apitest.New(t, apitest.Options{})
	f := &fixture{t: t, env: env, h: env.API.Commands, storeID: uuid.New(), bread: uuid.New(), shiftID: uuid.New(), regID: uuid.New()}
	ctx := context.Background()
	st := store.DefaultSettings()
	st.PricesIncludeTax = true
	if settings != nil {
		settings(&st)
	}
	if _, err := commands.NewStores(f.h, time.Now).Create(ctx, sysCmd("store"), store.CreateStore{StoreID: f.storeID, Code: "S1", Name: "Main", Currency: "EUR", Timezone: "UTC", Settings: st}); err != nil {
		t.Fatal(err)
	}
	cat := commands.NewCatalog(f.h, time.Now)
	if _, err := cat.CreateTaxCode(ctx, sysCmd("tax"), taxcode.CreateTaxCode{TaxCodeID: uuid.New(), Code: "LOW", Name: "Low", RateBP: 900}); err != nil {
		t.Fatal(err)
	}
	if _, err := cat.CreateProduct(ctx, sysCmd("bread"), catalog.CreateProduct{ProductID: f.bread, SKU: "BRD", Name: "Bread", Category: "bakery",
		Price: money.New(299, "EUR"), TaxCode: "LOW", TrackStock: true}); err != nil {
		t.Fatal(err)
	}
	f.openShift(f.shiftID)
	return f
}

func (f *fixture) openShift(id uuid.UUID) {
	f.t.Helper()
	_, err := commands.Execute(context.Background(), f.h, commands.ShiftStream(id), commands.ShiftAggregate, sysCmd("shift-"+id.String()),
		func(s shift.State) ([]shift.Event, error) {
			return shift.Decide(s, shift.Open{ShiftID: id, StoreID: f.storeID, RegisterID: f.regID, CashierID: "c", OpeningFloat: money.New(10000, "EUR")}, now.Add(-time.Hour))
		})
	if err != nil {
		f.t.Fatal(err)
	}
}

func (f *fixture) closeShift(id uuid.UUID) {
	f.t.Helper()
	_, err := commands.Execute(context.Background(), f.h, commands.ShiftStream(id), commands.ShiftAggregate, sysCmd("close-"+id.String()),
		func(s shift.State) ([]shift.Event, error) {
			exp, _ := s.ExpectedCash()
			return shift.Decide(s, shift.Close{CountedCash: exp, ZNumber: 1}, now)
		})
	if err != nil {
		f.t.Fatal(err)
	}
}

// sell completes a sale of qty bread with a sale discount in basis points, paid in tender.
// It returns the sale ID and its line ID.
func (f *fixture) sell(qty string, discountBP int64, tender string) (saleID, lineID uuid.UUID, total money.Money) {
	f.t.Helper()
	saleID, lineID = uuid.New(), uuid.New()
	sh := sale.ShiftInfo{ID: f.shiftID, RegisterID: f.regID, OpenedAt: now.Add(-time.Hour)}
	cmds := []sale.Command{
		sale.OpenSale{SaleID: saleID, Store: sale.StoreInfo{ID: f.storeID, Currency: "EUR", PricesIncludeTax: true, Rounding: money.HalfUp}, RegisterID: f.regID, Shift: sh},
		sale.AddLine{LineID: lineID, Quantity: quantity.MustParse(qty), Product: sale.Product{ID: f.bread, SKU: "BRD", Name: "Bread", Category: "bakery",
			Active: true, Price: money.New(299, "EUR"), TaxCode: "LOW", TaxRateBP: 900, TrackStock: true}},
	}
	if discountBP > 0 {
		cmds = append(cmds, sale.ApplyDiscount{Discount: sale.Discount{PercentBP: discountBP}, Limits: rules.Limits{Unlimited: true}})
	}
	_, s, err := sale.DecideAll(sale.State{}, cmds, now)
	if err != nil {
		f.t.Fatal(err)
	}
	tot, _, _ := s.Priced()
	cmds = append(cmds, sale.AddPayment{Payment: sale.Payment{ID: uuid.New(), Tender: tender, Amount: tot.Total}}, sale.CompleteSale{ReceiptNumber: 1, Shift: sh})
	_, err = commands.Execute(context.Background(), f.h, commands.SaleStream(saleID), commands.SaleAggregate, sysCmd("sale-"+saleID.String()),
		func(s sale.State) ([]sale.Event, error) {
			evs, _, err := sale.DecideAll(s, cmds, now)
			return evs, err
		})
	if err != nil {
		f.t.Fatal(err)
	}
	return saleID, lineID, tot.Total
}

// runPolicies runs the write side's policies against the test database until the test ends.
func (f *fixture) runPolicies() {
	f.t.Helper()
	cps, err := pgcheckpoint.New(context.Background(), f.env.DB)
	if err != nil {
		f.t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() {
		if err := policies.Run(ctx, policies.Config{Handler: f.h, Checkpoints: cps}); err != nil {
			f.t.Errorf("policies: %v", err)
		}
	})
	f.t.Cleanup(func() { cancel(); wg.Wait() })
}

// onHand reads the bread's stock level over HTTP.
func (f *fixture) onHand() string {
	f.t.Helper()
	var out struct {
		OnHand quantity.Quantity `json:"on_hand"`
	}
	f.env.Must(http.StatusOK, http.MethodGet, "/api/v1/inventory/stock/"+f.storeID.String()+"/"+f.bread.String(), f.env.AdminToken, nil).JSON(f.t, &out)
	return out.OnHand.String()
}

func (f *fixture) waitOnHand(want string) {
	f.t.Helper()
	var got string
	poll.Eventually(f.t, 15*time.Second, func() bool { got = f.onHand(); return got == want },
		func() string { return fmt.Sprintf("on hand %s, want %s", got, want) })
}

// assertCashRefunded checks the shift recorded the return's cash.
func (f *fixture) assertCashRefunded(shiftID uuid.UUID, amount int64) {
	f.t.Helper()
	l, err := commands.Load(context.Background(), f.h, commands.ShiftStream(shiftID), commands.ShiftAggregate)
	if err != nil {
		f.t.Fatal(err)
	}
	if l.State.CashRefunds.Amount != amount {
		f.t.Fatalf("shift cash refunds %d, want %d", l.State.CashRefunds.Amount, amount)
	}
}
