package sales

import (
	"slices"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/odata-pos/pos/domain/money"
	"github.com/odata-pos/pos/domain/quantity"
	"github.com/odata-pos/pos/domain/sale"
	"github.com/odata-pos/pos/eventstore"
)

// pending folds the sales opened within one batch in memory, so that a sale rung up whole
// (opened, lines, payments, completed: usually all in one batch) costs one row in one
// multi-row insert instead of a statement per event. Sales opened in earlier batches are
// updated with a statement per event (see Apply).
type pending struct {
	order []uuid.UUID
	by    map[uuid.UUID]*pendingSale
}

type pendingSale struct {
	id, store, register, shift          uuid.UUID
	cashier, currency, status           string
	receipt                             *int64
	sub, disc, tax, total, paid, change int64
	opened, occurred                    time.Time
	completed, voided                   *time.Time
	voidReason                          string
	upload                              bool
	lines                               []pendingLine
}

type pendingLine struct {
	id, product                      uuid.UUID
	sku, name, category              string
	seq, qty, unit, disc, tax, total int64
	priced                           bool
}

func newPending() *pending { return &pending{by: map[uuid.UUID]*pendingSale{}} }

func (p *pending) open(e eventstore.RecordedEvent, ev sale.SaleOpened) {
	if p.by[ev.SaleID] != nil {
		return
	}
	p.order = append(p.order, ev.SaleID)
	p.by[ev.SaleID] = &pendingSale{id: ev.SaleID, store: ev.StoreID, register: ev.RegisterID, shift: ev.ShiftID,
		cashier: cashier(ev.CashierID, e), currency: ev.Currency, status: "open", opened: ev.OpenedAt.UTC(),
		occurred: ev.OpenedAt.UTC(), upload: ev.Upload}
}

// fold applies an event to a pending sale; it reports false when the sale is not pending.
func (p *pending) fold(e eventstore.RecordedEvent, v any) (bool, error) {
	var id uuid.UUID
	switch ev := v.(type) {
	case sale.LineAdded:
		id = ev.SaleID
	case sale.LineRemoved:
		id = ev.SaleID
	case sale.PaymentAdded:
		id = ev.SaleID
	case sale.CheckoutStarted:
		id = ev.SaleID
	case sale.SaleCompleted:
		id = ev.SaleID
	case sale.SaleVoided:
		id = ev.SaleID
	}
	s := p.by[id]
	if s == nil {
		return false, nil
	}
	switch ev := v.(type) {
	case sale.LineAdded:
		l := ev.Line
		amount, err := quantity.MulMoney(l.UnitPrice, l.Quantity, money.HalfUp)
		if err != nil {
			return true, err
		}
		if !slices.ContainsFunc(s.lines, func(x pendingLine) bool { return x.id == l.ID }) {
			s.lines = append(s.lines, pendingLine{id: l.ID, product: l.ProductID, sku: l.SKU, name: l.Name, category: l.Category,
				seq: int64(e.Position) * 1000, qty: l.Quantity.Milli(), unit: l.UnitPrice.Amount, total: amount.Amount})
		}
	case sale.LineRemoved:
		s.lines = slices.DeleteFunc(s.lines, func(x pendingLine) bool { return x.id == ev.LineID })
	case sale.PaymentAdded:
		s.paid += ev.Payment.Amount.Amount
	case sale.CheckoutStarted:
		if s.status == "open" {
			s.status = "checkout"
			s.setTotals(ev.Totals)
		}
	case sale.SaleCompleted:
		s.status, s.receipt = "completed", &ev.ReceiptNumber
		s.setTotals(ev.Totals)
		at := ev.CompletedAt.UTC()
		s.completed, s.occurred = &at, at
		lines := make([]pendingLine, len(ev.Lines))
		for i, l := range ev.Lines {
			seq := int64(e.Position)*1000 + int64(i)
			if j := slices.IndexFunc(s.lines, func(x pendingLine) bool { return x.id == l.ID }); j >= 0 {
				seq = s.lines[j].seq
			}
			lines[i] = pendingLine{id: l.ID, product: l.ProductID, sku: l.SKU, name: l.Name, category: l.Category, seq: seq,
				qty: l.Quantity.Milli(), unit: l.UnitPrice.Amount, disc: l.Discount.Amount, tax: l.Tax.Amount, total: l.Total.Amount, priced: true}
		}
		s.lines = lines
	case sale.SaleVoided:
		at := ev.VoidedAt.UTC()
		s.status, s.voided, s.voidReason = "voided", &at, ev.Reason
	}
	return true, nil
}

func (s *pendingSale) setTotals(t sale.Totals) {
	s.sub, s.disc, s.tax, s.total, s.paid, s.change = t.Subtotal.Amount, t.Discount.Amount, t.Tax.Amount, t.Total.Amount, t.Paid.Amount, t.Change.Amount
}

// flush queues the pending sales and their lines: two statements in all.
func (p *pending) flush(b *pgx.Batch, sales, lines string) {
	if len(p.order) == 0 {
		return
	}
	n := len(p.order)
	ids, stores, regs, shifts := make([]uuid.UUID, n), make([]uuid.UUID, n), make([]uuid.UUID, n), make([]uuid.UUID, n)
	cashiers, currencies, statuses, reasons := make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	receipts := make([]*int64, n)
	sub, disc, tax, total, paid, change := make([]int64, n), make([]int64, n), make([]int64, n), make([]int64, n), make([]int64, n), make([]int64, n)
	counts := make([]int32, n)
	opened, occurred := make([]time.Time, n), make([]time.Time, n)
	completed, voided := make([]*time.Time, n), make([]*time.Time, n)
	uploads := make([]bool, n)
	var l struct {
		sale, id, product            []uuid.UUID
		sku, name, cat               []string
		seq, qty, unit, disc, tax, t []int64
		priced                       []bool
	}
	for i, id := range p.order {
		s := p.by[id]
		ids[i], stores[i], regs[i], shifts[i] = s.id, s.store, s.register, s.shift
		cashiers[i], currencies[i], statuses[i], reasons[i], receipts[i] = s.cashier, s.currency, s.status, s.voidReason, s.receipt
		sub[i], disc[i], tax[i], total[i], paid[i], change[i] = s.sub, s.disc, s.tax, s.total, s.paid, s.change
		counts[i], opened[i], occurred[i], completed[i], voided[i], uploads[i] = int32(len(s.lines)), s.opened, s.occurred, s.completed, s.voided, s.upload
		for _, x := range s.lines {
			l.sale, l.id, l.product = append(l.sale, s.id), append(l.id, x.id), append(l.product, x.product)
			l.sku, l.name, l.cat = append(l.sku, x.sku), append(l.name, x.name), append(l.cat, x.category)
			l.seq, l.qty, l.unit = append(l.seq, x.seq), append(l.qty, x.qty), append(l.unit, x.unit)
			l.disc, l.tax, l.t, l.priced = append(l.disc, x.disc), append(l.tax, x.tax), append(l.t, x.total), append(l.priced, x.priced)
		}
	}
	b.Queue(`INSERT INTO `+sales+` (id, store_id, register_id, shift_id, cashier_id, currency, status, void_reason, receipt_number,
		subtotal, discount, tax, total, paid, change, line_count, opened_at, occurred_at, completed_at, voided_at, upload)
		SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::uuid[], $5::text[], $6::text[], $7::text[], $8::text[],
			$9::bigint[], $10::bigint[], $11::bigint[], $12::bigint[], $13::bigint[], $14::bigint[], $15::bigint[], $16::int[],
			$17::timestamptz[], $18::timestamptz[], $19::timestamptz[], $20::timestamptz[], $21::boolean[])
		ON CONFLICT (id) DO NOTHING`,
		ids, stores, regs, shifts, cashiers, currencies, statuses, reasons, receipts, sub, disc, tax, total, paid, change, counts,
		opened, occurred, completed, voided, uploads)
	if len(l.id) > 0 {
		b.Queue(`INSERT INTO `+lines+` (sale_id, line_id, product_id, sku, name, category, seq, quantity, unit_price, discount, tax,
			total, priced)
			SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::text[], $5::text[], $6::text[], $7::bigint[], $8::bigint[],
				$9::bigint[], $10::bigint[], $11::bigint[], $12::bigint[], $13::boolean[])
			ON CONFLICT DO NOTHING`,
			l.sale, l.id, l.product, l.sku, l.name, l.cat, l.seq, l.qty, l.unit, l.disc, l.tax, l.t, l.priced)
	}
}
