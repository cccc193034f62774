package commands_test

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/odata-pos/pos/commands"
	"github.com/odata-pos/pos/domain"
	"github.com/odata-pos/pos/domain/catalog"
	"github.com/odata-pos/pos/domain/money"
	"github.com/odata-pos/pos/domain/register"
	"github.com/odata-pos/pos/domain/rules"
	"github.com/odata-pos/pos/domain/sale"
	"github.com/odata-pos/pos/domain/store"
	"github.com/odata-pos/pos/domain/taxcode"
	"github.com/odata-pos/pos/eventstore"
	"github.com/odata-pos/pos/eventstore/memstore"
)

// flakyStore fails the next append to a stream with the given prefix once armed.
type flakyStore struct {
	eventstore.Store
	prefix string
	armed  atomic.Bool
}

var errLost = errors.New("connection lost")

func (f *flakyStore) Append(ctx context.Context, stream string, exp eventstore.ExpectedRevision, evs []eventstore.EventData) (eventstore.AppendResult, error) {
	if strings.HasPrefix(stream, f.prefix) && f.armed.CompareAndSwap(true, false) {
		return eventstore.AppendResult{}, errLost
	}
	return f.Store.Append(ctx, stream, exp, evs)
}

type saleWorld struct {
	sales  *commands.Sales
	shifts *commands.Shifts
	h      *commands.Handler
	store  *flakyStore
	st     uuid.UUID
	reg    uuid.UUID
	shift  uuid.UUID
	bread  uuid.UUID
}

func newSaleWorld(t testing.TB) *saleWorld {
	t.Helper()
	codec := eventstore.NewCodec()
	domain.RegisterWriteSide(codec)
	fs := &flakyStore{Store: memstore.New()}
	h := commands.NewHandler(fs, codec, commands.Options{})
	w := &saleWorld{sales: commands.NewSales(h, time.Now), shifts: commands.NewShifts(h, time.Now), h: h, store: fs,
		st: uuid.New(), reg: uuid.New(), shift: uuid.New(), bread: uuid.New()}
	ctx, now := context.Background(), time.Now()
	tax := uuid.New()
	steps := []error{
		run(ctx, h, commands.StoreStream(w.st), commands.StoreAggregate, func(s store.State) ([]store.Event, error) {
			return store.Decide(s, store.CreateStore{StoreID: w.st, Code: "S", Name: "S", Currency: "EUR", Timezone: "UTC", Settings: store.DefaultSettings()}, now)
		}),
		run(ctx, h, commands.RegisterStream(w.reg), commands.RegisterAggregate, func(s register.State) ([]register.Event, error) {
			return register.Decide(s, register.CreateRegister{RegisterID: w.reg, StoreID: w.st, Code: "R"}, now)
		}),
		func() error {
			_, err := commands.Claim(ctx, h, commands.Context{ID: "tax"}, commands.TaxCodeKey("STD"), tax.String())
			return err
		}(),
		run(ctx, h, commands.TaxCodeStream(tax), commands.TaxCodeAggregate, func(s taxcode.State) ([]taxcode.Event, error) {
			return taxcode.Decide(s, taxcode.CreateTaxCode{TaxCodeID: tax, Code: "STD", RateBP: 2100}, now)
		}),
		run(ctx, h, commands.ProductStream(w.bread), commands.ProductAggregate, func(s catalog.State) ([]catalog.Event, error) {
			return catalog.Decide(s, catalog.CreateProduct{ProductID: w.bread, SKU: "B", Name: "Bread", Price: money.New(299, "EUR"), TaxCode: "STD"}, now)
		}),
	}
	if err := errors.Join(steps...); err != nil {
		t.Fatal(err)
	}
	if _, err := w.shifts.Open(ctx, commands.Context{ID: "open", UserID: "u"}, commands.OpenShift{ShiftID: w.shift, RegisterID: w.reg, OpeningFloat: money.New(0, "EUR")}); err != nil {
		t.Fatal(err)
	}
	return w
}

func run[S, E any](ctx context.Context, h *commands.Handler, stream string, agg commands.Aggregate[S, E], decide func(S) ([]E, error)) error {
	_, err := commands.Execute(ctx, h, stream, agg, commands.Context{ID: "fixture:" + stream}, decide)
	return err
}

func (w *saleWorld) cashSale() commands.CreateSale {
	return commands.CreateSale{SaleID: uuid.New(), StoreID: w.st, RegisterID: w.reg, ShiftID: w.shift,
		Lines:    []commands.SaleLine{{LineID: uuid.New(), ProductID: w.bread, Quantity: 1000}},
		Payments: []sale.Payment{{ID: uuid.New(), Tender: sale.TenderCash, Amount: money.New(500, "EUR")}}}
}

// TestCompleteResumesAfterAFailureAtEveryStep: completion fails once at the shift, the
// register and the sale step in turn; each retry resumes, takes no second receipt number and
// records the cash once.
func TestCompleteResumesAfterAFailureAtEveryStep(t *testing.T) {
	w := newSaleWorld(t)
	ctx := context.Background()
	for i, prefix := range []string{commands.ShiftPrefix, commands.RegisterPrefix, commands.SalePrefix} {
		c := w.cashSale()
		cmd := commands.Context{ID: "create:" + c.SaleID.String(), UserID: "u"}
		if _, err := w.sales.Create(ctx, cmd, c); err != nil {
			t.Fatal(err)
		}
		w.store.prefix = prefix
		w.store.armed.Store(true)
		if _, err := w.sales.Complete(ctx, cmd, saleOf(t, w.sales, c.SaleID)); !errors.Is(err, errLost) {
			t.Fatalf("step %s: err = %v, want the lost connection", prefix, err)
		}
		if _, err := w.sales.Complete(ctx, cmd, saleOf(t, w.sales, c.SaleID)); err != nil {
			t.Fatalf("retry after a failure at %s: %v", prefix, err)
		}
		l, err := w.sales.Get(ctx, c.SaleID)
		if err != nil {
			t.Fatal(err)
		}
		if l.State.Status != sale.StatusCompleted || l.State.ReceiptNumber != int64(i+1) {
			t.Fatalf("sale %d: %s with receipt %d, want completed with %d", i, l.State.Status, l.State.ReceiptNumber, i+1)
		}
	}
	sh, err := w.shifts.Get(ctx, w.shift)
	if err != nil {
		t.Fatal(err)
	}
	if sh.State.SalesCount != 3 || sh.State.CashSales.Amount != 3*362 { // 2.99 + 21 % tax (prices exclude tax)
		t.Fatalf("shift counted %d sales, %d cash; want 3 and %d", sh.State.SalesCount, sh.State.CashSales.Amount, 3*362)
	}
}

// TestACloseOrdersTheSalesOfItsShift: a sale locked for checkout before the close cannot
// slip its cash past it: completing it afterwards is refused and the close's figures hold.
func TestACloseOrdersTheSalesOfItsShift(t *testing.T) {
	w := newSaleWorld(t)
	ctx := context.Background()
	c := w.cashSale()
	c.Complete = true
	// Fail the shift step: the sale is locked in checkout, its cash not yet on the shift.
	w.store.prefix = commands.ShiftPrefix
	w.store.armed.Store(true)
	if _, err := w.sales.Create(ctx, commands.Context{ID: "c1", UserID: "u"}, c); !errors.Is(err, errLost) {
		t.Fatalf("err = %v", err)
	}
	res, err := w.shifts.Close(ctx, commands.Context{ID: "close", UserID: "u"}, commands.CloseShift{ShiftID: w.shift, CountedCash: money.New(0, "EUR")})
	closed := res.State.State
	if err != nil || closed.Close.ZNumber != 1 || closed.Close.ExpectedCash.Amount != 0 || !res.Exists {
		t.Fatalf("close = %+v, %v", closed.Close, err)
	}
	if _, err := w.sales.Complete(ctx, commands.Context{ID: "c1", UserID: "u"}, saleOf(t, w.sales, c.SaleID)); !errors.Is(err, sale.ErrShiftNotOpen) {
		t.Fatalf("completing after the close: %v", err)
	}
	sh, _ := w.shifts.Get(ctx, w.shift)
	if sh.State.CashSales.Amount != 0 || sh.State.LateSales != 0 {
		t.Fatalf("the refused sale reached the closed shift: %+v", sh.State)
	}
}

// lockBeforeTheClose creates a one-shot cash sale whose completion fails at the shift step,
// so that it stays locked in checkout with its cash not on the shift, as when the shift's close
// won the race.
func (w *saleWorld) lockBeforeTheClose(t *testing.T, failAt string) commands.CreateSale {
	t.Helper()
	c := w.cashSale()
	c.Complete = true
	w.store.prefix = failAt
	w.store.armed.Store(true)
	if _, err := w.sales.Create(context.Background(), commands.Context{ID: "c:" + c.SaleID.String(), UserID: "u"}, c); !errors.Is(err, errLost) {
		t.Fatalf("create: %v", err)
	}
	return c
}

func (w *saleWorld) close(t *testing.T, counted int64) {
	t.Helper()
	if _, err := w.shifts.Close(context.Background(), commands.Context{ID: "close", UserID: "u"},
		commands.CloseShift{ShiftID: w.shift, CountedCash: money.New(counted, "EUR")}); err != nil {
		t.Fatalf("close: %v", err)
	}
}

var managerVoid = rules.ApprovalsOf(rules.Approval{ApproverID: "mgr", Action: rules.ActionSaleVoid})

// TestALockedSaleStrandedByTheCloseIsVoided: a sale locked in checkout whose shift closed
// before it recorded the sale's cash can never complete; it is voided (with a manager's
// approval, as it was paid) instead of staying locked forever, and the close's figures hold.
func TestALockedSaleStrandedByTheCloseIsVoided(t *testing.T) {
	w := newSaleWorld(t)
	ctx := context.Background()
	c := w.lockBeforeTheClose(t, commands.ShiftPrefix)
	cmd := commands.Context{ID: "void:" + c.SaleID.String(), UserID: "u"}
	if _, err := w.sales.Void(ctx, cmd, saleOf(t, w.sales, c.SaleID), "customer left", managerVoid); !errors.Is(err, sale.ErrSaleLocked) {
		t.Fatalf("void while the shift is open (the sale can still complete): %v", err)
	}
	w.close(t, 0)
	if _, err := w.sales.Complete(ctx, cmd, saleOf(t, w.sales, c.SaleID)); !errors.Is(err, sale.ErrShiftNotOpen) {
		t.Fatalf("completing after the close: %v", err)
	}
	if _, err := w.sales.Void(ctx, cmd, saleOf(t, w.sales, c.SaleID), "shift closed", nil); !reflect.DeepEqual(rules.RequiredApprovals(err), []string{rules.ActionSaleVoid}) {
		t.Fatalf("void of a paid sale without approval: %v", err)
	}
	res, err := w.sales.Void(ctx, cmd, saleOf(t, w.sales, c.SaleID), "shift closed", managerVoid)
	if err != nil {
		t.Fatalf("void: %v", err)
	}
	if v, ok := res.Events[0].(sale.SaleVoided); len(res.Events) != 1 || !ok || !v.InCheckout || v.ApprovedBy != "mgr" || len(v.Payments) != 1 {
		t.Fatalf("voided with %+v", res.Events)
	}
	if _, err := w.sales.Complete(ctx, cmd, saleOf(t, w.sales, c.SaleID)); !errors.Is(err, sale.ErrSaleVoided) {
		t.Fatalf("completing the voided sale: %v", err)
	}
	sh, _ := w.shifts.Get(ctx, w.shift)
	numbered := commands.Aggregate[bool, register.Event]{Initial: func() bool { return false }, Evolve: func(took bool, e register.Event) bool {
		r, ok := e.(register.ReceiptNumberReserved)
		return took || ok && r.SaleID == c.SaleID
	}}
	took, err := commands.Load(ctx, w.h, commands.RegisterStream(w.reg), numbered)
	if err != nil {
		t.Fatal(err)
	}
	if took.State || sh.State.CashSales.Amount != 0 || sh.State.LateSales != 0 {
		t.Fatalf("the voided sale took a receipt number (%v) or reached the shift: %+v", took.State, sh.State)
	}
}

// TestALockedSaleWhoseCashTheShiftCountedCompletes: once the shift recorded the sale's cash the
// sale is in the close's expected cash; voiding it would break the drawer, so it stays locked
// and completes after the close.
func TestALockedSaleWhoseCashTheShiftCountedCompletes(t *testing.T) {
	w := newSaleWorld(t)
	ctx := context.Background()
	c := w.lockBeforeTheClose(t, commands.RegisterPrefix)
	w.close(t, 362)
	cmd := commands.Context{ID: "x:" + c.SaleID.String(), UserID: "u"}
	if _, err := w.sales.Void(ctx, cmd, saleOf(t, w.sales, c.SaleID), "shift closed", managerVoid); !errors.Is(err, sale.ErrSaleLocked) {
		t.Fatalf("void of a sale the close counted: %v", err)
	}
	if _, err := w.sales.Complete(ctx, cmd, saleOf(t, w.sales, c.SaleID)); err != nil {
		t.Fatalf("complete: %v", err)
	}
	l, _ := w.sales.Get(ctx, c.SaleID)
	sh, _ := w.shifts.Get(ctx, w.shift)
	if l.State.Status != sale.StatusCompleted || sh.State.Close.ExpectedCash.Amount != 362 || sh.State.Close.OverShort.Amount != 0 {
		t.Fatalf("sale %s, close %+v", l.State.Status, sh.State.Close)
	}
}

// TestALineNeedingTwoApprovals: a line with a price override and a discount beyond the
// cashier's limit names both approvals at once, and records both approvers when given both.
func TestALineNeedingTwoApprovals(t *testing.T) {
	w := newSaleWorld(t)
	ctx := context.Background()
	c := w.cashSale()
	c.Payments = nil
	if _, err := w.sales.Create(ctx, commands.Context{ID: "cart", UserID: "u"}, c); err != nil {
		t.Fatal(err)
	}
	price := money.New(199, "EUR")
	l := commands.SaleLine{LineID: uuid.New(), ProductID: w.bread, Quantity: 1000, UnitPrice: &price, Discount: sale.Discount{PercentBP: 2000}}
	cmd := commands.Context{ID: "line", UserID: "u"}
	override := rules.Approval{ApproverID: "m1", Action: rules.ActionSalePriceOverride}
	discount := rules.Approval{ApproverID: "m2", Action: rules.ActionSaleDiscount}
	for _, tc := range []struct {
		given rules.Approvals
		needs []string
	}{
		{nil, []string{rules.ActionSalePriceOverride, rules.ActionSaleDiscount}},
		{rules.ApprovalsOf(override), []string{rules.ActionSaleDiscount}},
		{rules.ApprovalsOf(discount), []string{rules.ActionSalePriceOverride}},
	} {
		if _, err := w.sales.AddLine(ctx, cmd, saleOf(t, w.sales, c.SaleID), l, false, tc.given); !reflect.DeepEqual(rules.RequiredApprovals(err), tc.needs) {
			t.Fatalf("given %v: %v, want approvals %v", tc.given, err, tc.needs)
		}
	}
	res, err := w.sales.AddLine(ctx, cmd, saleOf(t, w.sales, c.SaleID), l, false, rules.ApprovalsOf(override, discount))
	if err != nil {
		t.Fatal(err)
	}
	if e := res.Events[0].(sale.LineAdded); e.PriceOverrideBy != "m1" || e.DiscountApprovedBy != "m2" {
		t.Fatalf("approvers %+v", e)
	}
}

// saleOf loads the sale id, as the API does before a command on it.
func saleOf(t testing.TB, sales *commands.Sales, id uuid.UUID) commands.Loaded[sale.State] {
	t.Helper()
	l, err := sales.Get(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return l
}
