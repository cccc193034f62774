package sales_test

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/google/uuid"

	"github.com/odata-pos/pos/api/apitest"
	"github.com/odata-pos/pos/api/authz"
	"github.com/odata-pos/pos/api/sales/salestest"
	"github.com/odata-pos/pos/domain/money"
)

// world is a running API with two stores: store A (prices include tax, cashier limit 10 %,
// register R1 with an open shift holding a 100.00 float) and store B.
type world struct {
	*apitest.Env
	t                      *testing.T
	storeA, storeB         uuid.UUID
	regA, regA2, regB      uuid.UUID
	shiftA                 uuid.UUID
	bread, wine, apples    uuid.UUID
	cashier, cashierB, mgr string // access tokens
	cashierID, managerID   string
}

const managerPassword = "user-password-1" // apitest.CreateUser's password

func newWorld(t *testing.T) *world {
	t.Helper()
	e := apitest.New(t, apitest.Options{})
	h := e.API.Commands
	w := &world{Env: e, t: t}
	w.storeA = salestest.NewStore(t, h, "A", salestest.Settings(true))
	w.storeB = salestest.NewStore(t, h, "B", salestest.Settings(true))
	w.regA = salestest.NewRegister(t, h, w.storeA, "R1")
	w.regA2 = salestest.NewRegister(t, h, w.storeA, "R2")
	w.regB = salestest.NewRegister(t, h, w.storeB, "R1")
	salestest.NewTaxCode(t, h, "STD", 2100)
	salestest.NewTaxCode(t, h, "LOW", 900)
	w.bread = salestest.NewProduct(t, h, salestest.Product{SKU: "BREAD", Price: 299, TaxCode: "STD"})
	w.wine = salestest.NewProduct(t, h, salestest.Product{SKU: "WINE", Price: 1000, TaxCode: "STD"})
	w.apples = salestest.NewProduct(t, h, salestest.Product{SKU: "APPLES", Price: 199, TaxCode: "LOW", SoldByWeight: true})
	w.cashierID = "cashier-" + uuid.NewString()
	w.cashier = salestest.Token(t, e.API, w.cashierID, authz.RoleCashier, w.storeA.String())
	w.cashierB = salestest.Token(t, e.API, "cashier-b", authz.RoleCashier, w.storeB.String())
	w.managerID, w.mgr = e.CreateUser("maria", []string{"manager"}, []string{w.storeA.String()})
	w.shiftA = w.openShift(w.regA, 10000)
	return w
}

// openShift opens a shift on reg as the cashier and returns its ID.
func (w *world) openShift(reg uuid.UUID, float int64) uuid.UUID {
	w.t.Helper()
	id := uuid.New()
	w.Must(http.StatusCreated, "POST", "/api/v1/shifts", w.cashier, map[string]any{
		"id": id, "register_id": reg, "opening_float": salestest.EUR(float)})
	return id
}

// approval returns a manager's approval token for action on resource.
func (w *world) approval(action string, resource uuid.UUID) string {
	w.t.Helper()
	return w.Approval(w.cashier, "maria", managerPassword, action, resource.String())
}

// line is a sale line in a request body.
func line(product uuid.UUID, qty string) map[string]any {
	return map[string]any{"id": uuid.New(), "product_id": product, "quantity": json.Number(qty)}
}

// pay is a payment in a request body.
func pay(tender string, cents int64) map[string]any {
	return map[string]any{"id": uuid.New(), "tender": tender, "amount": salestest.EUR(cents)}
}

// saleBody is a POST /sales body on store A's register R1 in its shift.
func (w *world) saleBody(id uuid.UUID, lines []map[string]any, payments []map[string]any, complete bool) map[string]any {
	return map[string]any{"id": id, "store_id": w.storeA, "register_id": w.regA, "shift_id": w.shiftA,
		"lines": lines, "payments": payments, "complete": complete}
}

// saleView is a sale as the API answers it.
type saleView struct {
	ID            string   `json:"id"`
	Status        string   `json:"status"`
	ReceiptNumber int64    `json:"receipt_number"`
	Upload        bool     `json:"upload"`
	Flags         []string `json:"flags"`
	Lines         []struct {
		ID        string      `json:"id"`
		Quantity  json.Number `json:"quantity"`
		UnitPrice money.Money `json:"unit_price"`
		Discount  money.Money `json:"discount"`
		Tax       money.Money `json:"tax"`
		Total     money.Money `json:"total"`
	} `json:"lines"`
	Payments []struct {
		ID     string      `json:"id"`
		Tender string      `json:"tender"`
		Amount money.Money `json:"amount"`
	} `json:"payments"`
	Totals struct {
		Subtotal, Discount, Tax, Total, Paid, Change, Due money.Money
	} `json:"totals"`
	Revision uint64 `json:"revision"`
	Position uint64 `json:"position"`
}

func (w *world) sale(r *apitest.Response) saleView {
	w.t.Helper()
	var v saleView
	r.JSON(w.t, &v)
	return v
}

// checkTotals asserts the sale's figures (cents).
func checkTotals(t *testing.T, v saleView, subtotal, discount, tax, total, paid, change int64) {
	t.Helper()
	got := []int64{v.Totals.Subtotal.Amount, v.Totals.Discount.Amount, v.Totals.Tax.Amount, v.Totals.Total.Amount, v.Totals.Paid.Amount, v.Totals.Change.Amount}
	want := []int64{subtotal, discount, tax, total, paid, change}
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("totals (subtotal, discount, tax, total, paid, change) = %v, want %v", got, want)
		}
	}
	var lines int64
	for _, l := range v.Lines {
		lines += l.Total.Amount
	}
	if lines != v.Totals.Total.Amount { // prices include tax: line totals add up to the total
		t.Fatalf("line totals add up to %d, total %d", lines, v.Totals.Total.Amount)
	}
}
