package sales_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/odata-pos/pos/api/sales/salestest"
)

// TestOfflineUploadIntoAClosedShift: a register rang a sale up offline while its shift was
// open; by the time it uploads, the bread's price has gone up and the shift has closed. The sale
// is recorded at the price then in force, flagged, and reported on the shift as late, without
// changing the shift's final figures. A live sale in the closed shift is refused.
func TestOfflineUploadIntoAClosedShift(t *testing.T) {
	w := newWorld(t)
	rungAt := w.openedAt(w.shiftA)
	salestest.ChangePriceAt(t, w.API.Commands, w.bread, 349, rungAt.Add(time.Nanosecond))
	base := "/api/v1/shifts/" + w.shiftA.String()
	closed := w.Must(http.StatusOK, "POST", base+"/close", w.cashier, map[string]any{"counted_cash": salestest.EUR(10000)}).Map(t)
	if closed["status"] != "closed" || closed["z_number"] != float64(1) {
		t.Fatalf("close = %v", closed)
	}

	live := w.saleBody(uuid.New(), []map[string]any{line(w.bread, "1")}, []map[string]any{pay("cash", 349)}, true)
	if r := w.Must(http.StatusConflict, "POST", "/api/v1/sales", w.cashier, live); !strings.Contains(string(r.Body), "shift_not_open") {
		t.Fatalf("live sale in a closed shift = %s", r.Body)
	}

	id := uuid.New()
	upload := w.saleBody(id, []map[string]any{line(w.bread, "2")}, []map[string]any{pay("cash", 1000)}, true)
	upload["occurred_at"] = rungAt.Format(time.RFC3339Nano)
	v := w.sale(w.Must(http.StatusCreated, "POST", "/api/v1/sales", w.cashier, upload))
	if v.Status != "completed" || !v.Upload || !slices.Contains(v.Flags, "shift_closed") || v.Lines[0].UnitPrice.Amount != 299 || v.ReceiptNumber != 1 {
		t.Fatalf("upload = %+v", v)
	}
	checkTotals(t, v, 598, 0, 104, 598, 1000, 402)
	// Uploading again (the register did not see the answer) records nothing more.
	again := w.sale(w.Must(http.StatusCreated, "POST", "/api/v1/sales", w.cashier, upload))
	if again.Revision != v.Revision || again.ReceiptNumber != 1 {
		t.Fatalf("re-upload = %+v", again)
	}

	rep := w.Must(http.StatusOK, "GET", base+"/report", w.cashier, nil).Map(t)
	if rep["late_sales"] != float64(1) || rep["expected_cash"].(map[string]any)["amount"] != float64(10000) || rep["sales_count"] != float64(0) {
		t.Fatalf("report after the late upload = %v", rep)
	}

	// An upload rung before the shift opened is refused; one from the future too.
	early := w.saleBody(uuid.New(), []map[string]any{line(w.bread, "1")}, []map[string]any{pay("cash", 299)}, true)
	early["occurred_at"] = rungAt.Add(-time.Hour).Format(time.RFC3339)
	w.Must(http.StatusConflict, "POST", "/api/v1/sales", w.cashier, early)
	early["occurred_at"] = time.Now().Add(time.Hour).Format(time.RFC3339)
	w.Must(http.StatusUnprocessableEntity, "POST", "/api/v1/sales", w.cashier, early)
}

// TestUploadOfAProductDeactivatedSince: the product was active when the sale was rung up.
func TestUploadOfAProductDeactivatedSince(t *testing.T) {
	w := newWorld(t)
	rungAt := w.openedAt(w.shiftA)
	salestest.DeactivateAt(t, w.API.Commands, w.wine, rungAt.Add(time.Nanosecond))
	w.Must(http.StatusUnprocessableEntity, "POST", "/api/v1/sales", w.cashier,
		w.saleBody(uuid.New(), []map[string]any{line(w.wine, "1")}, []map[string]any{pay("card", 1000)}, true))
	upload := w.saleBody(uuid.New(), []map[string]any{line(w.wine, "1")}, []map[string]any{pay("card", 1000)}, true)
	upload["occurred_at"] = rungAt.Format(time.RFC3339Nano)
	if v := w.sale(w.Must(http.StatusCreated, "POST", "/api/v1/sales", w.cashier, upload)); v.Status != "completed" || len(v.Flags) != 0 {
		t.Fatalf("upload of a product deactivated since = %+v", v)
	}
}

// openedAt is when a shift opened: an upload rung up then is in the shift, and a change dated
// just after it is after the sale, with no wall-clock time to wait for.
func (w *world) openedAt(shiftID uuid.UUID) time.Time {
	w.t.Helper()
	rep := w.Must(http.StatusOK, "GET", "/api/v1/shifts/"+shiftID.String(), w.cashier, nil).Map(w.t)
	at, err := time.Parse(time.RFC3339Nano, rep["opened_at"].(string))
	if err != nil {
		w.t.Fatalf("opened_at = %v: %v", rep["opened_at"], err)
	}
	return at
}
