package sales

import (
	"fmt"
	"slices"
	"time"

	"github.com/google/uuid"

	"github.com/odata-pos/pos/domain/sale"
	"github.com/odata-pos/pos/eventstore"
)

// fold folds the sales a batch touches in memory: those opened in the batch from scratch, and
// those opened earlier whose state an event needs (lines, discounts, payments) from their
// stored rows (see load). Each is then priced once and written with a few multi-row
// statements (see queue), so a sale rung up whole in one batch costs no statement of its own
// and an open sale's figures are always the domain's. A sale opened earlier that the batch
// only moves to checkout or voids is not loaded: its figures stand as stored, and it is
// marked instead; one it completes is rewritten from the completion, which carries it whole.
type fold struct {
	order    []uuid.UUID
	rows     map[uuid.UUID]*row
	checkout []uuid.UUID
	voids    []sale.SaleVoided
	// shrunk are the sales not folded here that lost a line in the batch (see row.unknown).
	shrunk map[uuid.UUID]bool
}

// row is one sale: the domain's state (everything sale.State.Priced needs) and what only the
// read model keeps.
type row struct {
	state             sale.State
	cashier           string
	receipt           *int64
	opened, occurred  time.Time
	completed, voided *time.Time
	voidReason        string
	// final is the completion folded in this batch: its lines and totals are the record.
	final *sale.SaleCompleted
	// stored are the lines as the table holds them (nil for a sale new to the table), so that
	// only changed lines are written; unknown marks a completed sale that was not loaded and
	// lost a line earlier in the batch, whose stored lines other than the completion's must go.
	// (A completed sale not loaded that lost none needs no such delete: the table holds it as
	// folded from every event before the batch, so its stored lines are all among the
	// completion's.) dirty marks a row an event changed.
	stored  map[uuid.UUID]lineRow
	unknown bool
	dirty   bool
}

// lineRow is a row of sale_lines but the sale ID.
type lineRow struct {
	id, product                            uuid.UUID
	sku, name, category                    string
	seq, qty, unit, taxBP, ruleBP, ruleAmt int64
	disc, tax, total                       int64
	priced                                 bool
}

// newFold starts from the rows loaded for ids (those the table holds).
func newFold(ids []uuid.UUID, loaded map[uuid.UUID]*row) *fold {
	f := &fold{rows: make(map[uuid.UUID]*row, len(ids))}
	for _, id := range ids {
		if r := loaded[id]; r != nil {
			f.add(id, r)
		}
	}
	return f
}

func (f *fold) add(id uuid.UUID, r *row) {
	f.order = append(f.order, id)
	f.rows[id] = r
}

// saleID returns the sale an event of the filter is about.
func saleID(v any) uuid.UUID {
	switch ev := v.(type) {
	case sale.SaleOpened:
		return ev.SaleID
	case sale.LineAdded:
		return ev.SaleID
	case sale.LineRemoved:
		return ev.SaleID
	case sale.DiscountApplied:
		return ev.SaleID
	case sale.PaymentAdded:
		return ev.SaleID
	case sale.CheckoutStarted:
		return ev.SaleID
	case sale.SaleCompleted:
		return ev.SaleID
	case sale.SaleVoided:
		return ev.SaleID
	}
	return uuid.Nil
}

// item is a decoded event of a batch.
type item struct {
	e eventstore.RecordedEvent
	v any
}

// toLoad returns the sales opened before the batch whose state it needs: those it changes
// (lines, discounts, payments) and does not complete afterwards (a completion carries the
// whole sale). The others are folded from the batch alone.
func toLoad(items []item) []uuid.UUID {
	fresh, need := map[uuid.UUID]bool{}, map[uuid.UUID]bool{}
	var older []uuid.UUID
	for _, it := range items {
		id := saleID(it.v)
		_, opened := it.v.(sale.SaleOpened)
		_, seen := need[id]
		switch {
		case fresh[id]:
		case !seen && opened:
			fresh[id] = true
		default:
			if !seen {
				older = append(older, id)
			}
			_, completed := it.v.(sale.SaleCompleted)
			need[id] = (need[id] || needsState(it.v)) && !completed
		}
	}
	return slices.DeleteFunc(older, func(id uuid.UUID) bool { return !need[id] })
}

// needsState reports whether v changes what a sale is priced from.
func needsState(v any) bool {
	switch v.(type) {
	case sale.LineAdded, sale.LineRemoved, sale.DiscountApplied, sale.PaymentAdded:
		return true
	}
	return false
}

// apply folds one event. Events after completion or void, which the domain never emits, are
// dropped; so are those of a sale not folded here (not loaded: missing from the table, or
// completed later in the batch), but for its checkout, void and completion.
func (f *fold) apply(e eventstore.RecordedEvent, v any) {
	id := saleID(v)
	r := f.rows[id]
	if ev, ok := v.(sale.SaleOpened); ok {
		if r == nil {
			at := ev.OpenedAt.UTC()
			f.add(id, &row{state: sale.Evolve(sale.State{}, ev), cashier: cashier(ev.CashierID, e), opened: at, occurred: at,
				dirty: true})
		}
		return
	}
	if r == nil {
		switch ev := v.(type) {
		case sale.LineRemoved:
			if f.shrunk == nil {
				f.shrunk = map[uuid.UUID]bool{}
			}
			f.shrunk[id] = true
		case sale.CheckoutStarted:
			f.checkout = append(f.checkout, id)
		case sale.SaleVoided:
			f.voids = append(f.voids, ev)
		case sale.SaleCompleted:
			r := fromCompletion(e, ev)
			r.unknown = f.shrunk[id]
			f.add(id, r)
		}
		return
	}
	if s := r.state.Status; s == sale.StatusCompleted || s == sale.StatusVoided {
		return
	}
	switch ev := v.(type) {
	case sale.LineAdded:
		if _, dup := r.state.Line(ev.Line.ID); dup {
			return
		}
	case sale.SaleCompleted:
		r.complete(ev)
	case sale.SaleVoided:
		at := ev.VoidedAt.UTC()
		r.voided, r.voidReason = &at, ev.Reason
	}
	r.state = sale.Evolve(r.state, v.(sale.Event))
	r.dirty = true
}

// fromCompletion is a sale known only from its completion (not loaded): sale.Evolve takes
// its lines, sale discount and tenders from the completion.
func fromCompletion(e eventstore.RecordedEvent, ev sale.SaleCompleted) *row {
	at := ev.CompletedAt.UTC()
	r := &row{state: sale.State{ID: ev.SaleID, StoreID: ev.StoreID, RegisterID: ev.RegisterID, ShiftID: ev.ShiftID,
		CashierID: ev.CashierID, Currency: ev.Totals.Total.Currency, PricesIncludeTax: ev.PricesIncludeTax, OpenedAt: at,
		Upload: ev.Upload},
		cashier: cashier(ev.CashierID, e), opened: at, dirty: true}
	r.complete(ev)
	r.state = sale.Evolve(r.state, ev)
	return r
}

// complete records the completion, the sale's record: its lines, totals, tenders and sale
// discount stand as it carries them (figures; sale.Evolve of the completion, which every
// caller folds next, sets them in the state), the same whether the sale was folded from its
// earlier events in this batch, loaded, or known only from the completion.
func (r *row) complete(ev sale.SaleCompleted) {
	at := ev.CompletedAt.UTC()
	receipt := ev.ReceiptNumber
	r.receipt, r.completed, r.occurred = &receipt, &at, at
	r.final = &ev
}

// figures returns the sale's totals and lines: a completion's as recorded, else the domain's
// pricing of the sale as it stands. A line's seq is its index among the sale's lines (both
// lists keep the order the lines were added in), so it depends on the sale's events only,
// never on where a batch began or which events a batch loaded the sale for.
func (r *row) figures() (sale.Totals, []lineRow, error) {
	if r.final != nil {
		lines := make([]lineRow, len(r.final.Lines))
		for i, l := range r.final.Lines {
			lines[i] = lineOf(l, int64(i), true)
		}
		return r.final.Totals, lines, nil
	}
	t, priced, err := r.state.Priced()
	if err != nil {
		return sale.Totals{}, nil, fmt.Errorf("price sale %s: %w", r.state.ID, err)
	}
	lines := make([]lineRow, len(priced))
	for i, l := range priced {
		lines[i] = lineOf(l, int64(i), false)
	}
	return t, lines, nil
}

func lineOf(l sale.PricedLine, seq int64, final bool) lineRow {
	return lineRow{id: l.ID, product: l.ProductID, sku: l.SKU, name: l.Name, category: l.Category, seq: seq,
		qty: l.Quantity.Milli(), unit: l.UnitPrice.Amount, taxBP: l.TaxRateBP, ruleBP: l.DiscountRule.PercentBP,
		ruleAmt: l.DiscountRule.Amount.Amount, disc: l.Discount.Amount, tax: l.Tax.Amount, total: l.Total.Amount, priced: final}
}

// cashier is the sale's cashier: the event's, else the user who issued the command.
func cashier(id string, e eventstore.RecordedEvent) string {
	if id != "" {
		return id
	}
	return e.Metadata.UserID
}
