package shifts_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/odata-pos/pos/api/apitest"
	"github.com/odata-pos/pos/api/authz"
	"github.com/odata-pos/pos/api/sales/salestest"
	"github.com/odata-pos/pos/commands"
	"github.com/odata-pos/pos/domain/shift"
)

type report struct {
	ID           string `json:"id"`
	Status       string `json:"status"`
	ZNumber      int64  `json:"z_number"`
	SalesCount   int    `json:"sales_count"`
	ApprovedBy   string `json:"approved_by"`
	OpeningFloat struct{ Amount int64 }
	CashSales    struct{ Amount int64 }  `json:"cash_sales"`
	CashRefunds  struct{ Amount int64 }  `json:"cash_refunds"`
	PaidIn       struct{ Amount int64 }  `json:"paid_in"`
	PaidOut      struct{ Amount int64 }  `json:"paid_out"`
	ExpectedCash struct{ Amount int64 }  `json:"expected_cash"`
	CountedCash  *struct{ Amount int64 } `json:"counted_cash"`
	OverShort    *struct{ Amount int64 } `json:"over_short"`
	Revision     uint64                  `json:"revision"`
}

func TestShiftLifecycleAndCloseFigures(t *testing.T) {
	e := apitest.New(t, apitest.Options{})
	h := e.API.Commands
	storeA := salestest.NewStore(t, h, "A", salestest.Settings(true)) // cash tolerance 5.00
	storeB := salestest.NewStore(t, h, "B", salestest.Settings(true))
	reg := salestest.NewRegister(t, h, storeA, "R1")
	salestest.NewTaxCode(t, h, "STD", 2100)
	bread := salestest.NewProduct(t, h, salestest.Product{SKU: "BREAD", Price: 299, TaxCode: "STD"})
	cashier := salestest.Token(t, e.API, "carla", authz.RoleCashier, storeA.String())
	cashierB := salestest.Token(t, e.API, "bob", authz.RoleCashier, storeB.String())
	managerID, _ := e.CreateUser("maria", []string{"manager"}, []string{storeA.String()})

	get := func(r *apitest.Response) report {
		var rep report
		r.JSON(t, &rep)
		return rep
	}
	open := func(float int64) uuid.UUID {
		id := uuid.New()
		body := map[string]any{"id": id, "register_id": reg, "opening_float": salestest.EUR(float)}
		e.Must(http.StatusCreated, "POST", "/api/v1/shifts", cashier, body)
		e.Must(http.StatusCreated, "POST", "/api/v1/shifts", cashier, body) // a retry
		return id
	}
	sell := func(shiftID uuid.UUID, qty string, tender string, cents int64) {
		e.Must(http.StatusCreated, "POST", "/api/v1/sales", cashier, map[string]any{"id": uuid.New(), "store_id": storeA,
			"register_id": reg, "shift_id": shiftID, "complete": true,
			"lines":    []map[string]any{{"id": uuid.New(), "product_id": bread, "quantity": qty}},
			"payments": []map[string]any{{"id": uuid.New(), "tender": tender, "amount": salestest.EUR(cents)}}})
	}

	s1 := open(10000)
	path := "/api/v1/shifts/" + s1.String()
	// One open shift per register; a cashier of another store may not open one here.
	busy := e.Must(http.StatusConflict, "POST", "/api/v1/shifts", cashier, map[string]any{"id": uuid.New(), "register_id": reg, "opening_float": salestest.EUR(0)})
	if !strings.Contains(string(busy.Body), "shift_already_open") {
		t.Fatalf("second shift = %s", busy.Body)
	}
	e.Must(http.StatusForbidden, "POST", "/api/v1/shifts", cashierB, map[string]any{"id": uuid.New(), "register_id": reg, "opening_float": salestest.EUR(0)})
	e.Must(http.StatusForbidden, "GET", path+"/report", cashierB, nil)

	movement := map[string]any{"id": uuid.New(), "type": "paid_in", "amount": salestest.EUR(2000), "reason": "change from the bank"}
	e.Must(http.StatusCreated, "POST", path+"/cash-movements", cashier, movement)
	e.Must(http.StatusCreated, "POST", path+"/cash-movements", cashier, movement) // a retry: recorded once
	e.Must(http.StatusCreated, "POST", path+"/cash-movements", cashier, map[string]any{"id": uuid.New(), "type": "paid_out", "amount": salestest.EUR(500), "reason": "window cleaner"})
	e.Must(http.StatusUnprocessableEntity, "POST", path+"/cash-movements", cashier, map[string]any{"id": uuid.New(), "type": "tip", "amount": salestest.EUR(1), "reason": "x"})

	sell(s1, "2", "cash", 1000) // 5.98 cash in, 4.02 change
	sell(s1, "1", "card", 299)
	// A cash refund reaches the shift the way the returns handlers record it.
	_, err := commands.Execute(context.Background(), h, commands.ShiftStream(s1), commands.ShiftAggregate, commands.Context{ID: "refund-1"},
		func(s shift.State) ([]shift.Event, error) {
			return shift.Decide(s, shift.RecordCashRefund{ReturnID: uuid.New(), Amount: salestest.EUR(100)}, time.Now())
		})
	if err != nil {
		t.Fatal(err)
	}

	// X report: 100.00 + 5.98 − 1.00 + 20.00 − 5.00 = 119.98.
	x := get(e.Must(http.StatusOK, "GET", path+"/report", cashier, nil))
	if x.Status != "open" || x.ExpectedCash.Amount != 11998 || x.CashSales.Amount != 598 || x.CashRefunds.Amount != 100 ||
		x.PaidIn.Amount != 2000 || x.PaidOut.Amount != 500 || x.SalesCount != 2 {
		t.Fatalf("X report = %+v", x)
	}

	// 119.00 counted: 0.98 short, within the 5.00 tolerance.
	closed := get(e.Must(http.StatusOK, "POST", path+"/close", cashier, map[string]any{"counted_cash": salestest.EUR(11900)}))
	if closed.Status != "closed" || closed.ZNumber != 1 || closed.ExpectedCash.Amount != 11998 || closed.CountedCash.Amount != 11900 || closed.OverShort.Amount != -98 {
		t.Fatalf("close = %+v", closed)
	}
	again := get(e.Must(http.StatusOK, "POST", path+"/close", cashier, map[string]any{"counted_cash": salestest.EUR(11900)}))
	if again.ZNumber != 1 || again.Revision != closed.Revision {
		t.Fatalf("retried close = %+v", again)
	}
	e.Must(http.StatusConflict, "POST", path+"/close", cashier, map[string]any{"counted_cash": salestest.EUR(12000)})
	e.Must(http.StatusConflict, "POST", path+"/cash-movements", cashier, map[string]any{"id": uuid.New(), "type": "paid_in", "amount": salestest.EUR(1), "reason": "late"})

	// The next shift: 10.00 over is beyond tolerance and needs a manager.
	s2 := open(5000)
	path2 := "/api/v1/shifts/" + s2.String()
	sell(s2, "1", "cash", 299)
	need := e.Must(http.StatusUnprocessableEntity, "POST", path2+"/close", cashier, map[string]any{"counted_cash": salestest.EUR(6299)})
	if !strings.Contains(string(need.Body), "shift.close_over_short") {
		t.Fatalf("over beyond tolerance = %s", need.Body)
	}
	if st := get(e.Must(http.StatusOK, "GET", path2+"/report", cashier, nil)); st.Status != "open" {
		t.Fatalf("a refused close moved the shift to %s", st.Status)
	}
	token := e.Approval(cashier, "maria", "user-password-1", "shift.close_over_short", s2.String())
	z2 := get(e.Must(http.StatusOK, "POST", path2+"/close", cashier, map[string]any{"counted_cash": salestest.EUR(6299)}, "X-Approval-Token", token))
	if z2.ZNumber != 2 || z2.OverShort.Amount != 1000 || z2.ExpectedCash.Amount != 5299 || z2.ApprovedBy != managerID {
		t.Fatalf("approved close = %+v", z2)
	}
	// A closed shift takes no live sales.
	e.Must(http.StatusConflict, "POST", "/api/v1/sales", cashier, map[string]any{"id": uuid.New(), "store_id": storeA,
		"register_id": reg, "shift_id": s2, "lines": []map[string]any{{"id": uuid.New(), "product_id": bread, "quantity": 1}}})
	e.Must(http.StatusNotFound, "GET", "/api/v1/shifts/"+uuid.NewString()+"/report", cashier, nil)
	e.Must(http.StatusPreconditionFailed, "POST", "/api/v1/shifts/"+open(0).String()+"/close", cashier, map[string]any{"counted_cash": salestest.EUR(0)}, "If-Match", `"9"`)
}
