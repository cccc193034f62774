package commands

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/odata-pos/pos/domain/money"
	"github.com/odata-pos/pos/domain/quantity"
	"github.com/odata-pos/pos/domain/rules"
	"github.com/odata-pos/pos/domain/sale"
	"github.com/odata-pos/pos/domain/shift"
)

// History records sales imported from another system's history (see internal/v1import). Each
// sale is decided by the sale deciders a live sale goes through (open as an upload, lines,
// discount, payments, checkout, completion or void) and written in one append to its own
// stream, with event IDs derived from the command ID: importing a sale again writes nothing.
// Its receipt number is the source's, on a register reserved for history
// (register.CreateRegister.History), so the live registers' gap-free numbering is untouched.
type History struct {
	h *Handler
}

// NewHistory returns the history import handlers.
func NewHistory(h *Handler) *History { return &History{h: h} }

// HistoricLine is a line of a HistoricSale: the product as it was sold then.
type HistoricLine struct {
	LineID    uuid.UUID
	Product   sale.Product
	Quantity  quantity.Quantity
	UnitPrice *money.Money
	Discount  sale.Discount
}

// HistoricSale is a whole sale of imported history.
type HistoricSale struct {
	SaleID     uuid.UUID
	Store      sale.StoreInfo
	RegisterID uuid.UUID
	Shift      sale.ShiftInfo
	CashierID  string
	OccurredAt time.Time
	Imported   sale.Imported
	Lines      []HistoricLine
	Discount   sale.Discount
	Payments   []sale.Payment
	// ReceiptNumber is the source's number of the sale (completed sales only).
	ReceiptNumber int64
	// VoidReason, when set, voids the sale (a sale cancelled in the source) instead of
	// completing it.
	VoidReason string
	// ApproverID approves what the source did without a recorded approval (price overrides,
	// voids with payments): the operator running the import.
	ApproverID string
}

// DecideHistoricSale decides every event of hs without writing anything (a dry run uses it).
func DecideHistoricSale(hs HistoricSale) ([]sale.Event, sale.State, error) {
	approvals := rules.ApprovalsOf(
		rules.Approval{ApproverID: hs.ApproverID, Action: rules.ActionSalePriceOverride},
		rules.Approval{ApproverID: hs.ApproverID, Action: rules.ActionSaleDiscount},
		rules.Approval{ApproverID: hs.ApproverID, Action: rules.ActionSaleVoid})
	limits := rules.Limits{Unlimited: true}
	imported := hs.Imported
	cmds := []sale.Command{sale.OpenSale{SaleID: hs.SaleID, Store: hs.Store, RegisterID: hs.RegisterID, Shift: hs.Shift,
		CashierID: hs.CashierID, OccurredAt: hs.OccurredAt, Upload: true, Imported: &imported}}
	for _, l := range hs.Lines {
		cmds = append(cmds, sale.AddLine{LineID: l.LineID, Product: l.Product, Quantity: l.Quantity, UnitPrice: l.UnitPrice,
			Discount: l.Discount, Limits: limits, Approvals: approvals})
	}
	if !hs.Discount.IsZero() {
		cmds = append(cmds, sale.ApplyDiscount{Discount: hs.Discount, Limits: limits, Approvals: approvals})
	}
	for _, p := range hs.Payments {
		cmds = append(cmds, sale.AddPayment{Payment: p})
	}
	if hs.VoidReason != "" {
		cmds = append(cmds, sale.VoidSale{Reason: hs.VoidReason, Approvals: approvals})
	} else {
		cmds = append(cmds, sale.StartCheckout{Shift: hs.Shift}, sale.CompleteSale{ReceiptNumber: hs.ReceiptNumber, Shift: hs.Shift})
	}
	evs, st, err := sale.DecideAll(sale.State{}, cmds, hs.OccurredAt)
	if err != nil {
		return nil, st, fmt.Errorf("sale %s: %w", hs.Imported.Reference, err)
	}
	return evs, st, nil
}

// ImportSale decides hs and appends its events to the sale's stream in one append. A sale
// already imported with the same command ID is answered from the store (Replayed or an
// idempotent append); a stream holding another sale is refused with rules.ErrIDReused.
func (hi *History) ImportSale(ctx context.Context, cmd Context, hs HistoricSale) (Result, sale.State, error) {
	evs, st, err := DecideHistoricSale(hs)
	if err != nil {
		return Result{}, st, err
	}
	// The stream is new unless this sale was imported before: append at no-stream without
	// reading it (the common case), and only on a conflict read it and replay or refuse.
	known := Loaded[sale.State]{State: sale.State{}}
	res, _, err := execute(ctx, hi.h, SaleStream(hs.SaleID), SaleAggregate, cmd, &known, func(s sale.State) ([]sale.Event, error) {
		if s.Exists() {
			return nil, rules.ErrIDReused.With("sale " + hs.SaleID.String() + " was imported with other content")
		}
		return evs, nil
	})
	return res, st, err
}

// RecordHistoricCash records on a history shift the cash each imported sale left in the
// drawer, all in one append; a sale already recorded there (by a previous run) is skipped.
func (hi *History) RecordHistoricCash(ctx context.Context, cmd Context, shiftID uuid.UUID, sales []shift.RecordCashSale, at time.Time) (Result, error) {
	if len(sales) == 0 {
		return Result{}, nil
	}
	agg := Aggregate[historicShift, shift.Event]{Initial: zero[historicShift], Evolve: func(s historicShift, e shift.Event) historicShift {
		s.state = shift.Evolve(s.state, e)
		if rec, ok := e.(shift.CashSaleRecorded); ok {
			if s.recorded == nil {
				s.recorded = map[uuid.UUID]bool{}
			}
			s.recorded[rec.SaleID] = true
		}
		return s
	}}
	return Execute(ctx, hi.h, ShiftStream(shiftID), agg, cmd, func(s historicShift) ([]shift.Event, error) {
		var out []shift.Event
		st := s.state
		for _, c := range sales {
			if s.recorded[c.SaleID] {
				continue
			}
			evs, err := shift.Decide(st, c, at)
			if err != nil {
				return nil, fmt.Errorf("cash of sale %s: %w", c.SaleID, err)
			}
			for _, e := range evs {
				st = shift.Evolve(st, e)
			}
			out = append(out, evs...)
		}
		return out, nil
	})
}

// historicShift is a shift with the sales whose cash it recorded.
type historicShift struct {
	state    shift.State
	recorded map[uuid.UUID]bool
}

// HistoricTotal is what hs's lines and discount add up to under this product's rules, before
// any payment: the total the import compares with the source's.
func HistoricTotal(hs HistoricSale) (money.Money, error) {
	hs.Payments, hs.VoidReason = nil, "priced only"
	evs, _, err := DecideHistoricSale(hs)
	if err != nil {
		return money.Money{}, err
	}
	var st sale.State
	for _, e := range evs {
		if _, void := e.(sale.SaleVoided); !void {
			st = sale.Evolve(st, e)
		}
	}
	t, _, err := st.Priced()
	return t.Total, err
}
