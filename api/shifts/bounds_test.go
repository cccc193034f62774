package shifts_test

import (
	"context"
	"math"
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
	"github.com/odata-pos/pos/eventstore"
)

// TestOverflowingAmountsAreRefusedBeforeTheAppend is the attack of issue 11.1: a cashier sent
// an opening float and a paid in of 2^63-1; the events were stored, the answer was 500, the
// shift could never be read or closed again and the projections stopped on bigint out of
// range. Now both get a 422 naming the field, the log is untouched, and the shift goes on.
func TestOverflowingAmountsAreRefusedBeforeTheAppend(t *testing.T) {
	e := apitest.New(t, apitest.Options{})
	h := e.API.Commands
	store := salestest.NewStore(t, h, "A", salestest.Settings(true))
	reg := salestest.NewRegister(t, h, store, "R1")
	cashier := salestest.Token(t, e.API, "carla", authz.RoleCashier, store.String())
	head := func() eventstore.Position {
		p, err := e.Store.HeadPosition(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	refused := func(r *apitest.Response, field string) {
		t.Helper()
		var p struct {
			Code   string `json:"code"`
			Errors []struct{ Field, Message string }
		}
		r.JSON(t, &p)
		if p.Code != "validation_failed" || len(p.Errors) != 1 || p.Errors[0].Field != field || !strings.Contains(p.Errors[0].Message, "100000000000") {
			t.Fatalf("refusal = %s, want validation_failed naming %s and the bound", r.Body, field)
		}
	}

	before := head()
	shiftID := uuid.New()
	refused(e.Must(http.StatusUnprocessableEntity, "POST", "/api/v1/shifts", cashier,
		map[string]any{"id": shiftID, "register_id": reg, "opening_float": salestest.EUR(math.MaxInt64)}), "opening_float.amount")
	if after := head(); after != before {
		t.Fatalf("a refused open appended: head %d → %d", before, after)
	}
	e.Must(http.StatusNotFound, "GET", "/api/v1/shifts/"+shiftID.String(), cashier, nil)

	// The register was not held by the refused open: a shift opens on it.
	e.Must(http.StatusCreated, "POST", "/api/v1/shifts", cashier, map[string]any{"id": shiftID, "register_id": reg, "opening_float": salestest.EUR(10000)})
	path := "/api/v1/shifts/" + shiftID.String()
	before = head()
	refused(e.Must(http.StatusUnprocessableEntity, "POST", path+"/cash-movements", cashier,
		map[string]any{"id": uuid.New(), "type": "paid_in", "amount": salestest.EUR(math.MaxInt64), "reason": "attack"}), "amount.amount")
	if after := head(); after != before {
		t.Fatalf("a refused paid in appended: head %d → %d", before, after)
	}

	// The shift is still readable and closable.
	var rep report
	e.Must(http.StatusOK, "GET", path, cashier, nil).JSON(t, &rep)
	if rep.PaidIn.Amount != 0 || rep.ExpectedCash.Amount != 10000 {
		t.Fatalf("report after the refusal = %+v", rep)
	}
	e.Must(http.StatusOK, "POST", path+"/close", cashier, map[string]any{"counted_cash": salestest.EUR(10000)})
}

// TestShiftPoisonedBeforeTheBoundsStaysReadable: a shift whose stored paid in of 2^63-1 (from
// before the bounds) makes its expected cash overflow is still read (200, expected_cash left
// out) and its close is refused with a clear 422, never a 500.
func TestShiftPoisonedBeforeTheBoundsStaysReadable(t *testing.T) {
	e := apitest.New(t, apitest.Options{})
	h := e.API.Commands
	store := salestest.NewStore(t, h, "A", salestest.Settings(true))
	reg := salestest.NewRegister(t, h, store, "R1")
	cashier := salestest.Token(t, e.API, "carla", authz.RoleCashier, store.String())
	shiftID := uuid.New()
	e.Must(http.StatusCreated, "POST", "/api/v1/shifts", cashier, map[string]any{"id": shiftID, "register_id": reg, "opening_float": salestest.EUR(10000)})
	appendLegacy(t, e, commands.ShiftStream(shiftID), shift.CashMovementRecorded{ShiftID: shiftID, MovementID: uuid.New(),
		Type: shift.PaidIn, Amount: salestest.EUR(math.MaxInt64), Reason: "legacy", At: time.Now()})

	path := "/api/v1/shifts/" + shiftID.String()
	r := e.Must(http.StatusOK, "GET", path, cashier, nil)
	if strings.Contains(string(r.Body), "expected_cash") {
		t.Fatalf("report of an overflowing shift = %s, want no expected_cash", r.Body)
	}
	closed := e.Must(http.StatusUnprocessableEntity, "POST", path+"/close", cashier, map[string]any{"counted_cash": salestest.EUR(0)})
	if !strings.Contains(string(closed.Body), "out_of_range") {
		t.Fatalf("close of an overflowing shift = %s, want out_of_range", closed.Body)
	}
	// Further cash cannot make it worse.
	e.Must(http.StatusUnprocessableEntity, "POST", path+"/cash-movements", cashier, map[string]any{"id": uuid.New(), "type": "paid_out", "amount": salestest.EUR(1), "reason": "x"})
}

// appendLegacy appends ev to stream straight through the event store, past every decider: an
// event recorded before today's rules.
func appendLegacy(t *testing.T, e *apitest.Env, stream string, ev any) {
	t.Helper()
	typ, data, err := e.API.Commands.Codec().Encode(ev)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.Store.Append(context.Background(), stream, eventstore.Any, []eventstore.EventData{{ID: uuid.New(), Type: typ, Data: data}}); err != nil {
		t.Fatal(err)
	}
}
