package shifts

import (
	"time"

	"github.com/google/uuid"

	"github.com/odata-pos/pos/api/cmdhttp"
	"github.com/odata-pos/pos/commands"
	"github.com/odata-pos/pos/domain/money"
	"github.com/odata-pos/pos/domain/shift"
)

// Shift statuses in reports: open, closing (the register gave the Z number, the drawer's close
// is not recorded yet, e.g. while it waits for an approval) and closed.
const (
	StatusOpen    = "open"
	StatusClosing = "closing"
	StatusClosed  = "closed"
)

// Report is a shift's X report while it is open and its Z report once closed, folded from the
// shift's stream (the write side): expected = float + cash sales − cash refunds + paid in −
// paid out; over/short = counted − expected. Late sales and refunds are offline uploads that
// reached the shift after its close: reported, never changing the Z figures.
type Report struct {
	ID           uuid.UUID   `json:"id"`
	Status       string      `json:"status"`
	StoreID      uuid.UUID   `json:"store_id"`
	RegisterID   uuid.UUID   `json:"register_id"`
	CashierID    string      `json:"cashier_id"`
	OpenedAt     time.Time   `json:"opened_at"`
	ClosedAt     *time.Time  `json:"closed_at,omitempty"`
	OpeningFloat money.Money `json:"opening_float"`
	CashSales    money.Money `json:"cash_sales"`
	CashRefunds  money.Money `json:"cash_refunds"`
	PaidIn       money.Money `json:"paid_in"`
	PaidOut      money.Money `json:"paid_out"`
	// ExpectedCash is nil only for a shift recorded before the amount bounds (issue 11.1) whose
	// figures overflow: the report still renders, and such a shift cannot close.
	ExpectedCash *money.Money `json:"expected_cash,omitempty"`
	SalesCount   int          `json:"sales_count"`
	LateSales    int          `json:"late_sales"`
	LateRefunds  int          `json:"late_refunds"`
	ZNumber      int64        `json:"z_number,omitempty"`
	CountedCash  *money.Money `json:"counted_cash,omitempty"`
	OverShort    *money.Money `json:"over_short,omitempty"`
	ApprovedBy   string       `json:"approved_by,omitempty"`
	cmdhttp.Written
}

// reportOf renders a loaded shift; z and closing are the register's view of its close.
func reportOf(l commands.Loaded[shift.State], z int64, closing bool) Report {
	s := l.State
	rep := Report{ID: s.ID, Status: StatusOpen, StoreID: s.StoreID, RegisterID: s.RegisterID, CashierID: s.CashierID,
		OpenedAt: s.OpenedAt, OpeningFloat: s.OpeningFloat, CashSales: s.CashSales, CashRefunds: s.CashRefunds,
		PaidIn: s.PaidIn, PaidOut: s.PaidOut, SalesCount: s.SalesCount, LateSales: s.LateSales, LateRefunds: s.LateRefunds,
		Written: cmdhttp.Written{Revision: l.Revision, Position: l.Position}}
	if s.Closed {
		c := s.Close
		rep.Status, rep.ZNumber, rep.ExpectedCash, rep.ApprovedBy = StatusClosed, c.ZNumber, &c.ExpectedCash, c.ApprovedBy
		rep.CountedCash, rep.OverShort = &c.CountedCash, &c.OverShort
		at := s.ClosedAt
		rep.ClosedAt = &at
		return rep
	}
	if closing {
		rep.Status, rep.ZNumber = StatusClosing, z
	}
	if expected, err := s.ExpectedCash(); err == nil {
		rep.ExpectedCash = &expected
	}
	return rep
}
