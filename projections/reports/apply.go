package reports

import (
	"context"
	"fmt"
	"runtime"
	"strconv"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/odata-pos/pos/domain/catalog"
	"github.com/odata-pos/pos/domain/sale"
	"github.com/odata-pos/pos/domain/shift"
	"github.com/odata-pos/pos/domain/stock"
	"github.com/odata-pos/pos/domain/store"
	"github.com/odata-pos/pos/eventstore"
)

// decoded is an event of the batch with its decoded body.
type decoded struct {
	e eventstore.RecordedEvent
	v any
}

// Apply folds batch into the report tables of schema: decode, load the rows the batch needs,
// fold in memory, write every table with one upsert in one pipelined batch.
func (p *Projection) Apply(ctx context.Context, tx pgx.Tx, schema string, batch []eventstore.RecordedEvent) error {
	evs, err := p.decodeAll(batch)
	if err != nil {
		return err
	}
	f, err := p.load(ctx, tx, schema, evs)
	if err != nil {
		return err
	}
	for _, d := range evs {
		p.foldEvent(f, d)
	}
	return write(ctx, tx, schema, f)
}

// decodeChunk is the fewest events a decoding goroutine gets.
const decodeChunk = 64

// decodeAll decodes the events of batch, in parallel chunks on up to GOMAXPROCS goroutines
// (decoding is most of the fold's CPU time, and the database is idle meanwhile). The error is
// that of the first event in batch order that fails.
func (p *Projection) decodeAll(batch []eventstore.RecordedEvent) ([]decoded, error) {
	evs := make([]decoded, len(batch))
	errs := make([]error, len(batch))
	workers := min(runtime.GOMAXPROCS(0), (len(batch)+decodeChunk-1)/decodeChunk)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := w * len(batch) / workers; i < (w+1)*len(batch)/workers; i++ {
				e := batch[i]
				evs[i].e = e
				if evs[i].v, errs[i] = p.decode(e); errs[i] == nil {
					errs[i] = checkBounds(evs[i].v)
				}
				if errs[i] != nil {
					errs[i] = fmt.Errorf("event at %d: %w", e.Position, errs[i])
					return
				}
			}
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return evs, nil
}

// occurredAt is when the fact happened: the client's occurred_at, else the store's time.
func occurredAt(e eventstore.RecordedEvent, fallback time.Time) time.Time {
	switch {
	case !e.Metadata.OccurredAt.IsZero():
		return e.Metadata.OccurredAt
	case !fallback.IsZero():
		return fallback
	}
	return e.RecordedAt
}

func (p *Projection) storeOf(f *fold, id uuid.UUID) *storeInfo {
	s, ok := f.stores[id]
	if !ok {
		s = &storeInfo{timezone: "UTC", loc: time.UTC}
		f.stores[id] = s
	}
	return s
}

func (p *Projection) foldEvent(f *fold, d decoded) {
	switch v := d.v.(type) {
	case store.StoreCreated:
		f.stores[v.StoreID] = &storeInfo{code: v.Code, name: v.Name, currency: v.Currency, timezone: v.Timezone, loc: p.zone(v.Timezone)}
		f.newStores = append(f.newStores, v.StoreID)
	case catalog.ProductCreated:
		pi := &productInfo{sku: v.SKU, name: v.Name, category: v.Category, currency: v.Price.Currency}
		if v.Cost != nil {
			c := v.Cost.Amount
			pi.cost = &c
		}
		f.products[v.ProductID] = pi
		f.newProds = append(f.newProds, v.ProductID)
	case saleCompleted:
		p.foldSale(f, d.e, v)
	case returnRecorded:
		p.foldReturn(f, d.e, v)
	case stockMoved:
		s := f.touchStock(stockKey{v.LocationID, v.ProductID})
		if v.Kind == stock.KindReceipt && v.UnitCost != nil {
			before, u := int64(v.OnHand-v.Delta), v.UnitCost.Amount
			if before <= 0 || s.avgCost == nil || int64(v.OnHand) <= 0 {
				s.avgCost = &u
			} else {
				avg := weightedCost(before, *s.avgCost, int64(v.Delta), u, int64(v.OnHand))
				s.avgCost = &avg
			}
			if s.currency == "" {
				s.currency = v.UnitCost.Currency
			}
		}
		if s.avgCost == nil {
			s.avgCost = f.unitCost(v.LocationID, v.ProductID)
		}
		s.onHand, s.lastAt = int64(v.OnHand), latest(s.lastAt, occurredAt(d.e, v.At))
		p.stockCurrency(f, s, v.LocationID, v.ProductID)
	case stockCounted:
		s := f.touchStock(stockKey{v.LocationID, v.ProductID})
		if s.avgCost == nil {
			s.avgCost = f.unitCost(v.LocationID, v.ProductID)
		}
		s.onHand, s.lastAt = int64(v.Counted), latest(s.lastAt, occurredAt(d.e, v.At))
		p.stockCurrency(f, s, v.LocationID, v.ProductID)
	case shift.ShiftOpened:
		s := f.shift(v.ShiftID)
		st := p.storeOf(f, v.StoreID)
		s.opened, s.storeID, s.register, s.cashier = true, v.StoreID, v.RegisterID, v.CashierID
		s.currency, s.openedAt, s.float = v.OpeningFloat.Currency, v.OpenedAt, v.OpeningFloat.Amount
		s.day, _ = localDay(v.OpenedAt, st.loc)
	case shift.CashMovementRecorded:
		s := f.shift(v.ShiftID)
		if v.Type == shift.PaidIn {
			s.paidIn += v.Amount.Amount
		} else {
			s.paidOut += v.Amount.Amount
		}
	case shift.CashSaleRecorded:
		s := f.shift(v.ShiftID)
		if v.AfterClose {
			s.lateCash += v.Amount.Amount
		} else {
			s.cashSales += v.Amount.Amount
		}
	case shift.CashRefundRecorded:
		s := f.shift(v.ShiftID)
		if v.AfterClose {
			s.lateCash -= v.Amount.Amount
		} else {
			s.cashRefunds += v.Amount.Amount
		}
	case shift.ShiftClosed:
		s := f.shift(v.ShiftID)
		s.closed, s.closedAt, s.zNumber = true, v.ClosedAt, v.ZNumber
		s.expected, s.counted, s.overShort = v.ExpectedCash.Amount, v.CountedCash.Amount, v.OverShort.Amount
	}
}

func (p *Projection) stockCurrency(f *fold, s *stockRow, location, product uuid.UUID) {
	if s.currency != "" {
		return
	}
	if st, ok := f.stores[location]; ok && st.currency != "" {
		s.currency = st.currency
	} else if pr, ok := f.products[product]; ok {
		s.currency = pr.currency
	}
}

// categoryOf is the line's category, else the catalog's, else "uncategorized".
func categoryOf(f *fold, line string, product uuid.UUID) string {
	if line != "" {
		return line
	}
	if pr, ok := f.products[product]; ok && pr.category != "" {
		return pr.category
	}
	return "uncategorized"
}

func (p *Projection) foldSale(f *fold, e eventstore.RecordedEvent, v saleCompleted) {
	st := p.storeOf(f, v.StoreID)
	day, hour := localDay(occurredAt(e, v.CompletedAt), st.loc)
	cur := v.Totals.Total.Currency
	key := func(dim string) rowKey { return rowKey{day: day, store: v.StoreID, dim: dim, currency: cur} }
	var total measures
	seenProduct, seenCategory := map[uuid.UUID]bool{}, map[string]bool{}
	for _, l := range v.Lines {
		m := measures{
			qty: int64(l.Quantity), gross: l.Total.Amount + l.Discount.Amount, discount: l.Discount.Amount,
			tax: l.Tax.Amount, cost: costOf(int64(l.Quantity), f.unitCost(v.StoreID, l.ProductID)),
		}
		total.add(m)
		cat := categoryOf(f, l.Category, l.ProductID)
		pm, cm := m, m
		if !seenProduct[l.ProductID] {
			seenProduct[l.ProductID], pm.transactions = true, 1
		}
		if !seenCategory[cat] {
			seenCategory[cat], cm.transactions = true, 1
		}
		f.byProduct.row(key(l.ProductID.String())).add(pm)
		f.byCategory.row(key(cat)).add(cm)
	}
	total.transactions = 1
	f.daily.row(key("")).add(total)
	f.byCashier.row(key(v.CashierID)).add(total)
	f.byHour.row(key(strconv.Itoa(hour))).add(total)
	seenTender := map[string]bool{}
	change := v.Totals.Change.Amount
	for _, pay := range v.Payments {
		r := f.byTender.row(key(pay.Tender))
		amount := pay.Amount.Amount
		if pay.Tender == sale.TenderCash && change > 0 { // change is given in cash
			c := min(change, amount)
			amount, change = amount-c, change-c
		}
		r.gross += amount
		if !seenTender[pay.Tender] {
			seenTender[pay.Tender] = true
			r.transactions++
		}
	}
	if v.ShiftID != uuid.Nil {
		s := f.shift(v.ShiftID)
		s.salesCount++
		s.salesTotal += v.Totals.Total.Amount
	}
}

func (p *Projection) foldReturn(f *fold, e eventstore.RecordedEvent, v returnRecorded) {
	st := p.storeOf(f, v.StoreID)
	day, hour := localDay(occurredAt(e, v.ReturnedAt), st.loc)
	cur := v.Total.Currency
	key := func(dim string) rowKey { return rowKey{day: day, store: v.StoreID, dim: dim, currency: cur} }
	var total measures
	seenProduct, seenCategory, seenReason := map[uuid.UUID]bool{}, map[string]bool{}, map[string]bool{}
	for _, l := range v.Lines {
		m := measures{retQty: int64(l.Quantity), refunded: l.Refund.Amount, refundedTax: l.Tax.Amount}
		if l.Restock {
			m.cost = -costOf(int64(l.Quantity), f.unitCost(v.StoreID, l.ProductID))
		}
		total.add(m)
		cat := categoryOf(f, l.Category, l.ProductID)
		pm, cm := m, m
		if !seenProduct[l.ProductID] {
			seenProduct[l.ProductID], pm.returns = true, 1
		}
		if !seenCategory[cat] {
			seenCategory[cat], cm.returns = true, 1
		}
		f.byProduct.row(key(l.ProductID.String())).add(pm)
		f.byCategory.row(key(cat)).add(cm)
		r := f.byReason.row(key(l.Reason))
		if !seenReason[l.Reason] {
			seenReason[l.Reason] = true
			r.returns++
		}
		r.lines++
		r.qty += int64(l.Quantity)
		if l.Restock {
			r.restocked += int64(l.Quantity)
		}
		r.refunded += l.Refund.Amount
		r.refundedTax += l.Tax.Amount
	}
	total.returns = 1
	cashier := e.Metadata.UserID
	if cashier == "" {
		cashier = "unknown"
	}
	f.daily.row(key("")).add(total)
	f.byCashier.row(key(cashier)).add(total)
	f.byHour.row(key(strconv.Itoa(hour))).add(total)
	seenTender := map[string]bool{}
	for _, r := range v.Refunds {
		t := f.byTender.row(key(r.Tender))
		t.refunded += r.Amount.Amount
		if !seenTender[r.Tender] {
			seenTender[r.Tender] = true
			t.returns++
		}
	}
	if v.ShiftID != uuid.Nil {
		s := f.shift(v.ShiftID)
		s.returnsCount++
		s.refundsTotal += v.Total.Amount
	}
}
