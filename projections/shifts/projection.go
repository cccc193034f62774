package shifts

import (
	"context"
	"fmt"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/odata-pos/pos/domain/register"
	dreturns "github.com/odata-pos/pos/domain/returns"
	"github.com/odata-pos/pos/domain/sale"
	"github.com/odata-pos/pos/domain/shift"
	"github.com/odata-pos/pos/eventstore"
	"github.com/odata-pos/pos/projections"
	"github.com/odata-pos/pos/projections/readkit"
)

// Name is the projection's name and the schema of its stable views.
const Name = "shifts"

// Projection folds shift, register close, sale and return events into the shift tables.
type Projection struct {
	codec readkit.Decoder
}

// New returns the projection; codec must know the write side's events.
func New(codec readkit.Decoder) *Projection { return &Projection{codec: codec} }

// Name returns Name.
func (*Projection) Name() string { return Name }

// Version is bumped whenever the tables or the fold change.
func (*Projection) Version() int { return 1 }

// Filter selects the shift events, the register's close, completed sales and recorded returns.
func (*Projection) Filter() eventstore.Filter {
	return readkit.Filter(shift.TypeShiftOpened, shift.TypeCashMovementRecorded, shift.TypeCashSaleRecorded,
		shift.TypeCashRefundRecorded, shift.TypeShiftClosed, register.TypeShiftClosed, sale.TypeSaleCompleted,
		dreturns.TypeReturnRecorded)
}

// Setup creates the tables and their indexes.
func (*Projection) Setup(ctx context.Context, tx pgx.Tx, schema string) error {
	_, err := tx.Exec(ctx, fmt.Sprintf(`
CREATE TABLE %[1]s (
	id uuid PRIMARY KEY, store_id uuid NOT NULL, register_id uuid NOT NULL, cashier_id text NOT NULL, status text NOT NULL,
	currency text NOT NULL, opening_float bigint NOT NULL, cash_sales bigint NOT NULL DEFAULT 0,
	cash_refunds bigint NOT NULL DEFAULT 0, paid_in bigint NOT NULL DEFAULT 0, paid_out bigint NOT NULL DEFAULT 0,
	expected_cash bigint, counted_cash bigint, over_short bigint, z_number bigint,
	sales_count integer NOT NULL DEFAULT 0, late_sales integer NOT NULL DEFAULT 0, late_refunds integer NOT NULL DEFAULT 0,
	approved_by text NOT NULL DEFAULT '', completed_sales integer NOT NULL DEFAULT 0, gross_sales bigint NOT NULL DEFAULT 0,
	sales_tax bigint NOT NULL DEFAULT 0, sales_discount bigint NOT NULL DEFAULT 0, returns_count integer NOT NULL DEFAULT 0,
	returns_total bigint NOT NULL DEFAULT 0, opened_at timestamptz NOT NULL, closed_at timestamptz);
CREATE INDEX ON %[1]s (opened_at, id);
CREATE INDEX ON %[1]s (store_id, opened_at, id);
CREATE INDEX ON %[1]s (register_id, opened_at, id);
CREATE TABLE %[2]s (
	shift_id uuid NOT NULL, tender text NOT NULL, sales bigint NOT NULL DEFAULT 0, refunds bigint NOT NULL DEFAULT 0,
	count integer NOT NULL DEFAULT 0, PRIMARY KEY (shift_id, tender));`,
		projections.Table(schema, "shifts"), projections.Table(schema, "shift_tenders")))
	return err
}

// Apply folds a batch. Openings and closes are one pipelined statement each, in order; the
// counters (cash, sales, returns) and tender sums are added up per shift in memory and written
// at the end with one multi-row update and one multi-row upsert.
func (p *Projection) Apply(ctx context.Context, tx pgx.Tx, schema string, batch []eventstore.RecordedEvent) error {
	shifts, tenders := projections.Table(schema, "shifts"), projections.Table(schema, "shift_tenders")
	b := &pgx.Batch{}
	sums := newSums()
	err := readkit.Decode(p.codec, batch, func(e eventstore.RecordedEvent, v any) error {
		if err := checkBounds(v); err != nil {
			return fmt.Errorf("%s at %d: %w", e.Type, e.Position, err)
		}
		switch ev := v.(type) {
		case shift.ShiftOpened:
			b.Queue(`INSERT INTO `+shifts+` (id, store_id, register_id, cashier_id, status, currency, opening_float, opened_at)
				VALUES ($1, $2, $3, $4, 'open', $5, $6, $7) ON CONFLICT (id) DO NOTHING`,
				ev.ShiftID, ev.StoreID, ev.RegisterID, cashier(ev.CashierID, e), ev.OpeningFloat.Currency, ev.OpeningFloat.Amount, ev.OpenedAt.UTC())
		case shift.CashMovementRecorded:
			if ev.Type == shift.PaidIn {
				sums.of(ev.ShiftID)[paidIn] += ev.Amount.Amount
			} else {
				sums.of(ev.ShiftID)[paidOut] += ev.Amount.Amount
			}
		case shift.CashSaleRecorded:
			c := sums.of(ev.ShiftID)
			if ev.AfterClose {
				c[lateSales]++
			} else {
				c[cashSales] += ev.Amount.Amount
				c[salesCount]++
			}
		case shift.CashRefundRecorded:
			c := sums.of(ev.ShiftID)
			if ev.AfterClose {
				c[lateRefunds]++
			} else {
				c[cashRefunds] += ev.Amount.Amount
			}
		case register.ShiftClosed:
			b.Queue(`UPDATE `+shifts+` SET status = 'closing', z_number = $2 WHERE id = $1 AND status = 'open'`, ev.ShiftID, ev.ZNumber)
		case shift.ShiftClosed:
			b.Queue(`UPDATE `+shifts+` SET status = 'closed', z_number = $2, expected_cash = $3, counted_cash = $4, over_short = $5,
				approved_by = $6, closed_at = $7 WHERE id = $1`, ev.ShiftID, ev.ZNumber, ev.ExpectedCash.Amount,
				ev.CountedCash.Amount, ev.OverShort.Amount, ev.ApprovedBy, ev.ClosedAt.UTC())
		case sale.SaleCompleted:
			t := ev.Totals
			c := sums.of(ev.ShiftID)
			c[completedSales]++
			c[grossSales] += t.Total.Amount
			c[salesTax] += t.Tax.Amount
			c[salesDiscount] += t.Discount.Amount
			amounts := map[string]int64{}
			for _, pay := range ev.Payments {
				amounts[pay.Tender] += pay.Amount.Amount
			}
			if t.Change.Amount != 0 {
				amounts[sale.TenderCash] -= t.Change.Amount
			}
			sums.tender(ev.ShiftID, amounts, false)
		case dreturns.ReturnRecorded:
			if ev.ShiftID == uuid.Nil {
				return nil
			}
			c := sums.of(ev.ShiftID)
			c[returnsCount]++
			c[returnsTotal] += ev.Total.Amount
			amounts := map[string]int64{}
			for _, r := range ev.Refunds {
				amounts[r.Tender] += r.Amount.Amount
			}
			sums.tender(ev.ShiftID, amounts, true)
		}
		return nil
	})
	if err != nil {
		return err
	}
	sums.flush(b, shifts, tenders)
	return projections.SendBatch(ctx, tx, b)
}

// cashier is the shift's cashier: the event's, else the user who issued the command.
func cashier(id string, e eventstore.RecordedEvent) string {
	if id != "" {
		return id
	}
	return e.Metadata.UserID
}
