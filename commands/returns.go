package commands

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/odata-pos/pos/domain/quantity"
	"github.com/odata-pos/pos/domain/returns"
	"github.com/odata-pos/pos/domain/rules"
	"github.com/odata-pos/pos/domain/sale"
	"github.com/odata-pos/pos/domain/shift"
	"github.com/odata-pos/pos/domain/store"
)

// SaleReturnsPrefix is the category of the per-sale return ledgers (see SaleReturnsStream).
const SaleReturnsPrefix = "salereturns-"

// SaleReturnsStream names the return ledger of a sale: every return of the sale is booked
// there first, with the expected revision, before it is recorded on its own stream.
func SaleReturnsStream(saleID uuid.UUID) string { return SaleReturnsPrefix + saleID.String() }

// SaleReturnsAggregate folds a sale's return ledger.
var SaleReturnsAggregate = Aggregate[returns.Ledger, returns.Event]{Initial: zero[returns.Ledger], Evolve: returns.EvolveLedger}

// ErrReturnIDReused: a return ID was sent again for another sale or store.
var ErrReturnIDReused = rules.ErrIDReused.With("the return id belongs to another return")

// ReturnProductLine is a line of a no-receipt return: a product at its current price.
type ReturnProductLine struct {
	ProductID uuid.UUID
	Quantity  quantity.Quantity
	Restock   bool
	Reason    string
}

// ReturnRequest asks for a return: with a receipt (SaleID and Lines) or without one
// (StoreID and ProductLines, which needs an approval for rules.ActionReturnNoReceipt). A refund
// above the store's cashier limit needs one for rules.ActionReturnOverLimit, so a no-receipt
// return above the limit needs both; a refusal names every approval missing.
type ReturnRequest struct {
	ReturnID     uuid.UUID
	SaleID       uuid.UUID
	StoreID      uuid.UUID
	ShiftID      uuid.UUID
	Lines        []returns.Line
	ProductLines []ReturnProductLine
	Refunds      []returns.Refund
	// Unlimited lifts the store's cashier refund limit (managers and admins).
	Unlimited bool
	// Approvals are the managers' approvals given; those the return does not need are ignored.
	Approvals rules.Approvals
}

// TaxRateLookup returns the current rate, in basis points, of a tax code.
type TaxRateLookup func(ctx context.Context, code string) (int64, error)

// Returns handles return commands.
//
// Concurrency: the returns of one sale are decided on the sale's return ledger
// (SaleReturnsStream), which holds a ReturnBooked per return carrying the whole decided return.
// Booking appends at the ledger revision the decision read, so of two returns racing for the
// last item one wins and the other is re-decided against fresh totals and refused. Only then is
// the booked return recorded on its own stream, and its cash refund on the shift; both appends
// are keyed by the return ID, so a retried request (or the returns policy, after a crash
// between the appends) completes them exactly once.
type Returns struct {
	h   *Handler
	now func() time.Time
	// TaxRate resolves the tax codes of no-receipt return lines.
	TaxRate TaxRateLookup
}

// NewReturns returns the return handlers. taxRate may be nil: tax codes are then resolved
// through the tax code's reservation (TaxCodeKey).
func NewReturns(h *Handler, now func() time.Time, taxRate TaxRateLookup) *Returns {
	r := &Returns{h: h, now: now, TaxRate: taxRate}
	if r.TaxRate == nil {
		r.TaxRate = r.taxRateByReservation
	}
	return r
}

// ReturnCommandID is the idempotency ID of the command recording a return.
func ReturnCommandID(returnID uuid.UUID) string { return "return:" + returnID.String() }

// Create books, records and refunds a return. It returns the result of the return stream and
// the recorded return.
func (rt *Returns) Create(ctx context.Context, cmd Context, req ReturnRequest) (Result, returns.ReturnRecorded, error) {
	if req.ReturnID == uuid.Nil {
		return Result{}, returns.ReturnRecorded{}, &rules.ValidationError{Fields: []rules.FieldError{{Field: "id", Message: "is required"}}}
	}
	cmd.IfMatch = nil // a return creates its documents; there is nothing to be conditional on
	prior, err := Load(ctx, rt.h, ReturnStream(req.ReturnID), ReturnAggregate)
	if err != nil {
		return Result{}, returns.ReturnRecorded{}, err
	}
	if prior.State.Exists() {
		rec := prior.State.Recorded
		if rec.SaleID != req.SaleID || (req.SaleID == uuid.Nil && rec.StoreID != req.StoreID) {
			return Result{}, returns.ReturnRecorded{}, ErrReturnIDReused
		}
		return rt.complete(ctx, cmd, rec)
	}
	now := cmd.OccurredAt
	if now.IsZero() {
		now = rt.now()
	}
	cr := returns.CreateReturn{ReturnID: req.ReturnID, ShiftID: req.ShiftID, Lines: req.Lines, Refunds: req.Refunds, Approvals: req.Approvals}
	storeID := req.StoreID
	var saleState *sale.State
	if req.SaleID != uuid.Nil {
		s, err := Load(ctx, rt.h, SaleStream(req.SaleID), SaleAggregate)
		if err != nil {
			return Result{}, returns.ReturnRecorded{}, err
		}
		if !s.Exists {
			return Result{}, returns.ReturnRecorded{}, &rules.ValidationError{Fields: []rules.FieldError{{Field: "sale_id", Message: "is not a known sale"}}}
		}
		saleState, storeID = &s.State, s.State.StoreID
		cr.Sale = saleState
	}
	st, err := Load(ctx, rt.h, StoreStream(storeID), StoreAggregate)
	if err != nil {
		return Result{}, returns.ReturnRecorded{}, err
	}
	if !st.State.Exists() {
		return Result{}, returns.ReturnRecorded{}, &rules.ValidationError{Fields: []rules.FieldError{{Field: "store_id", Message: "is not a known store"}}}
	}
	cr.Store = sale.StoreInfo{ID: st.State.ID, Currency: st.State.Currency, PricesIncludeTax: st.State.Settings.PricesIncludeTax, Rounding: st.State.Settings.Rounding}
	cr.Limits = st.State.Settings.CashierLimits
	cr.Limits.Unlimited = cr.Limits.Unlimited || req.Unlimited
	if err := rt.loadShift(ctx, &cr, storeID); err != nil {
		return Result{}, returns.ReturnRecorded{}, err
	}
	if saleState == nil {
		if cr.NoReceiptLines, err = rt.productLines(ctx, st.State, req.ProductLines); err != nil {
			return Result{}, returns.ReturnRecorded{}, err
		}
		evs, err := returns.Decide(returns.State{}, cr, now)
		if err != nil {
			return Result{}, returns.ReturnRecorded{}, err
		}
		return rt.complete(ctx, cmd, evs[0].(returns.ReturnRecorded))
	}
	booked, err := Execute(ctx, rt.h, SaleReturnsStream(req.SaleID), SaleReturnsAggregate, cmd, func(l returns.Ledger) ([]returns.Event, error) {
		return returns.Book(l, cr, now)
	})
	if err != nil {
		return Result{}, returns.ReturnRecorded{}, err
	}
	rec, ok := bookedReturn(booked, req.ReturnID)
	if !ok { // booked by an earlier attempt under another command ID: read it back
		l, err := Load(ctx, rt.h, SaleReturnsStream(req.SaleID), SaleReturnsAggregate)
		if err != nil {
			return Result{}, returns.ReturnRecorded{}, err
		}
		if rec, ok = l.State.Booked[req.ReturnID]; !ok {
			return Result{}, returns.ReturnRecorded{}, fmt.Errorf("return %s: booking not found", req.ReturnID)
		}
	}
	return rt.complete(ctx, cmd, rec)
}

func bookedReturn(res Result, id uuid.UUID) (returns.ReturnRecorded, bool) {
	for _, e := range res.Events {
		if b, ok := e.(returns.ReturnBooked); ok && b.Return.ReturnID == id {
			return b.Return, true
		}
	}
	return returns.ReturnRecorded{}, false
}

// complete records a decided return on its stream and its cash refund on the shift. Both
// appends are idempotent, so complete may run any number of times for one return. Their
// approver_id metadata names the return's approvers when cmd names none.
func (rt *Returns) complete(ctx context.Context, cmd Context, rec returns.ReturnRecorded) (Result, returns.ReturnRecorded, error) {
	if cmd.ApproverID == "" {
		cmd.ApproverID = rec.ApprovedBy
	}
	res, err := Execute(ctx, rt.h, ReturnStream(rec.ReturnID), ReturnAggregate, cmd, func(s returns.State) ([]returns.Event, error) {
		if s.Exists() {
			return nil, nil
		}
		return []returns.Event{rec}, nil
	})
	if err != nil {
		return Result{}, rec, err
	}
	if err := RecordReturnCash(ctx, rt.h, cmd, rec); err != nil {
		return Result{}, rec, err
	}
	return res, rec, nil
}

// RecordReturnCash records the cash a return paid out on its shift (nothing when it paid no
// cash). The shift ignores a return it already holds.
func RecordReturnCash(ctx context.Context, h *Handler, cmd Context, rec returns.ReturnRecorded) error {
	if rec.CashOut.Amount <= 0 || rec.ShiftID == uuid.Nil {
		return nil
	}
	cmd.IfMatch = nil
	_, err := Execute(ctx, h, ShiftStream(rec.ShiftID), ShiftAggregate, cmd, func(s shift.State) ([]shift.Event, error) {
		return shift.Decide(s, shift.RecordCashRefund{ReturnID: rec.ReturnID, Amount: rec.CashOut}, time.Time{})
	})
	return err
}

// loadShift fills the shift of a return: whether it is open and its register.
func (rt *Returns) loadShift(ctx context.Context, cr *returns.CreateReturn, storeID uuid.UUID) error {
	if cr.ShiftID == uuid.Nil {
		return nil
	}
	sh, err := Load(ctx, rt.h, ShiftStream(cr.ShiftID), ShiftAggregate)
	if err != nil {
		return err
	}
	if !sh.State.Exists() || sh.State.StoreID != storeID {
		return &rules.ValidationError{Fields: []rules.FieldError{{Field: "shift_id", Message: "is not a shift of the store"}}}
	}
	cr.ShiftOpen, cr.RegisterID = !sh.State.Closed, sh.State.RegisterID
	return nil
}

// productLines prices no-receipt lines at the products' current prices and tax rates.
func (rt *Returns) productLines(ctx context.Context, st store.State, lines []ReturnProductLine) ([]returns.NoReceiptLine, error) {
	out := make([]returns.NoReceiptLine, len(lines))
	var v rules.Validator
	for i, l := range lines {
		out[i] = returns.NoReceiptLine{Product: sale.Product{ID: l.ProductID}, Quantity: l.Quantity, Restock: l.Restock, Reason: l.Reason}
		if l.ProductID == uuid.Nil {
			continue // the decider reports it
		}
		p, err := Load(ctx, rt.h, ProductStream(l.ProductID), ProductAggregate)
		if err != nil {
			return nil, err
		}
		if !p.State.Exists() {
			v.Add(fmt.Sprintf("lines[%d].product_id", i), "is not a known product")
			continue
		}
		c := p.State.Created
		rate, err := rt.TaxRate(ctx, c.TaxCode)
		if err != nil {
			return nil, err
		}
		out[i].Product = sale.Product{ID: c.ProductID, SKU: c.SKU, Name: c.Name, Category: c.Category, Active: p.State.Active(),
			SoldByWeight: c.SoldByWeight, Price: p.State.Price(), TaxCode: c.TaxCode, TaxRateBP: rate, TrackStock: c.TrackStock}
	}
	return out, v.Err()
}

// taxRateByReservation resolves a tax code through its reservation (TaxCodeKey).
func (rt *Returns) taxRateByReservation(ctx context.Context, code string) (int64, error) {
	owner, err := Owner(ctx, rt.h, TaxCodeKey(code))
	if err != nil {
		return 0, err
	}
	id, err := uuid.Parse(owner)
	if err != nil {
		return 0, rules.ErrNotFound.With("tax code " + code)
	}
	tc, err := Load(ctx, rt.h, TaxCodeStream(id), TaxCodeAggregate)
	if err != nil {
		return 0, err
	}
	if !tc.State.Exists() {
		return 0, rules.ErrNotFound.With("tax code " + code)
	}
	return tc.State.RateBP(), nil
}

// Get returns a return from the write side; rules.ErrNotFound when there is none.
func (rt *Returns) Get(ctx context.Context, id uuid.UUID) (Loaded[returns.State], error) {
	l, err := Load(ctx, rt.h, ReturnStream(id), ReturnAggregate)
	if err != nil {
		return l, err
	}
	if !l.State.Exists() {
		return l, rules.ErrNotFound.With("return " + id.String())
	}
	return l, nil
}

// SaleStore returns the store of a sale (to authorise a return before deciding it).
func (rt *Returns) SaleStore(ctx context.Context, saleID uuid.UUID) (uuid.UUID, error) {
	s, err := Load(ctx, rt.h, SaleStream(saleID), SaleAggregate)
	if err != nil {
		return uuid.Nil, err
	}
	if !s.Exists {
		return uuid.Nil, rules.ErrNotFound.With("sale " + saleID.String())
	}
	return s.State.StoreID, nil
}
