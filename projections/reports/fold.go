package reports

import (
	"math"
	"math/big"
	"time"

	"github.com/google/uuid"

	"github.com/odata-pos/pos/domain/money"
)

// measures are the additive figures of one row of a sales table. Quantities are thousandths.
type measures struct {
	transactions, returns                             int64
	qty, retQty                                       int64
	gross, discount, tax, refunded, refundedTax, cost int64
}

func (m *measures) add(o measures) {
	m.transactions += o.transactions
	m.returns += o.returns
	m.qty += o.qty
	m.retQty += o.retQty
	m.gross += o.gross
	m.discount += o.discount
	m.tax += o.tax
	m.refunded += o.refunded
	m.refundedTax += o.refundedTax
	m.cost += o.cost
}

// rowKey identifies a row of a day × store × dimension table; dim is "" for sales_daily.
type rowKey struct {
	day      string // local business day, 2006-01-02
	store    uuid.UUID
	dim      string
	currency string
}

// table accumulates the rows one batch adds to one sales table, in first-seen order.
type table[V any] struct {
	rows  map[rowKey]*V
	order []rowKey
}

func (t *table[V]) row(k rowKey) *V {
	if t.rows == nil {
		t.rows = map[rowKey]*V{}
	}
	v, ok := t.rows[k]
	if !ok {
		v = new(V)
		t.rows[k] = v
		t.order = append(t.order, k)
	}
	return v
}

// tenderRow is a row of sales_by_tender.
type tenderRow struct {
	transactions, returns, gross, refunded int64
}

// reasonRow is a row of returns_by_reason.
type reasonRow struct {
	returns, lines, qty, restocked, refunded, refundedTax int64
}

// storeInfo is what the fold knows of a store.
type storeInfo struct {
	code, name, currency, timezone string
	loc                            *time.Location
}

// productInfo is what the fold knows of a product.
type productInfo struct {
	sku, name, category, currency string
	cost                          *int64
}

// stockKey identifies a row of inventory_valuation.
type stockKey struct{ location, product uuid.UUID }

// stockRow is a row of inventory_valuation; onHand in thousandths. Of a row the batch only
// reads (for its cost), load fills currency and avgCost; each stock event sets onHand of the
// row it touches and moves its lastAt on to the event's time if later, and only touched rows
// are written (keeping the later of the stored and the written lastAt). lastAt is the latest,
// not the last applied: the stock policies of sales and of returns append the movements of one
// product concurrently, in either order, and the report must not depend on which came first.
type stockRow struct {
	currency string
	onHand   int64
	avgCost  *int64
	lastAt   time.Time
}

// shiftRow is what one batch knows of a shift: the values it sets and the amounts it adds.
type shiftRow struct {
	opened    bool // the set-once columns below are valid
	storeID   uuid.UUID
	register  uuid.UUID
	cashier   string
	currency  string
	day       string
	openedAt  time.Time
	float     int64
	closed    bool // the close columns below are valid
	closedAt  time.Time
	zNumber   int64
	expected  int64
	counted   int64
	overShort int64

	salesCount, salesTotal, returnsCount, refundsTotal int64
	cashSales, cashRefunds, lateCash, paidIn, paidOut  int64
}

// fold is everything one batch writes.
type fold struct {
	stores     map[uuid.UUID]*storeInfo
	newStores  []uuid.UUID
	products   map[uuid.UUID]*productInfo
	newProds   []uuid.UUID
	stock      map[stockKey]*stockRow
	dirtyStock []stockKey
	dirty      map[stockKey]bool
	shifts     map[uuid.UUID]*shiftRow
	shiftOrder []uuid.UUID

	daily, byProduct, byCategory, byCashier, byHour table[measures]
	byTender                                        table[tenderRow]
	byReason                                        table[reasonRow]
}

func (f *fold) shift(id uuid.UUID) *shiftRow {
	s, ok := f.shifts[id]
	if !ok {
		s = &shiftRow{}
		f.shifts[id] = s
		f.shiftOrder = append(f.shiftOrder, id)
	}
	return s
}

func (f *fold) touchStock(k stockKey) *stockRow {
	s, ok := f.stock[k]
	if !ok {
		s = &stockRow{}
		f.stock[k] = s
	}
	if !f.dirty[k] {
		f.dirty[k] = true
		f.dirtyStock = append(f.dirtyStock, k)
	}
	return s
}

// unitCost is the moving-average cost of a product at a location, falling back to the
// product's catalog cost; nil when neither is known.
func (f *fold) unitCost(location, product uuid.UUID) *int64 {
	if s, ok := f.stock[stockKey{location, product}]; ok && s.avgCost != nil {
		return s.avgCost
	}
	if p, ok := f.products[product]; ok {
		return p.cost
	}
	return nil
}

// costOf values qty thousandths at unit cost c (half up); 0 when c is unknown. qty × c is
// computed in 128 bits: at the bounds (10^10 thousandths × 10^11) it passes int64 before the
// division, though the cost itself (10^18) fits.
func costOf(qty int64, c *int64) int64 {
	if c == nil {
		return 0
	}
	v, err := money.MulDiv(qty, *c, 1000, money.HalfUp)
	if err != nil { // unreachable: checkBounds keeps qty and c within the bounds, whose cost fits
		return 0
	}
	return v
}

// weightedCost is the average unit cost of before thousandths at avg and delta at u, over
// onHand (> 0), half away from zero; computed exactly (the products pass int64 at the bounds).
func weightedCost(before, avg, delta, u, onHand int64) int64 {
	num := new(big.Int).Mul(big.NewInt(before), big.NewInt(avg))
	num.Add(num, new(big.Int).Mul(big.NewInt(delta), big.NewInt(u)))
	den := big.NewInt(onHand)
	q, r := new(big.Int).QuoRem(num, den, new(big.Int))
	if r.Abs(r).Lsh(r, 1).Cmp(den) >= 0 { // |r|·2 ≥ d: away from zero
		if num.Sign() < 0 {
			q.Sub(q, big.NewInt(1))
		} else {
			q.Add(q, big.NewInt(1))
		}
	}
	if !q.IsInt64() {
		return math.MaxInt64 // unreachable: an average of bounded costs is bounded
	}
	return q.Int64()
}

// localDay returns the business day and hour of t in loc.
func localDay(t time.Time, loc *time.Location) (string, int) {
	lt := t.In(loc)
	return lt.Format(time.DateOnly), lt.Hour()
}

// latest returns the later of a and b.
func latest(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}
