package reports_test

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/odata-pos/pos/domain/money"
)

// fig is one expected report row, computed by the test from the commands it sent.
type fig struct {
	tx, returns, qty, retQty, gross, disc, tax, refunded, refTax, cost int64
}

func (f *fig) add(o fig) {
	f.tx += o.tx
	f.returns += o.returns
	f.qty += o.qty
	f.retQty += o.retQty
	f.gross += o.gross
	f.disc += o.disc
	f.tax += o.tax
	f.refunded += o.refunded
	f.refTax += o.refTax
	f.cost += o.cost
}

type shiftExp struct {
	store                                      uuid.UUID
	day                                        string
	sales, salesTotal, rets, refunds, cashSale int64
}

type stockExp struct{ onHand, avg int64 }

// ledger is the test's own bookkeeping of the scripted day, keyed like the report rows.
type ledger struct {
	tables      map[string]map[string]*fig // group_by → "key|key|…" → figures
	tender      map[string]*fig            // day|store|tender → tx, gross (taken), returns, refunded
	reason      map[string]*fig            // day|store|reason → returns, tx (= lines), retQty, refunded, refTax, qty (= restocked)
	shifts      map[uuid.UUID]*shiftExp
	stock       map[[2]uuid.UUID]*stockExp
	catalogCost map[uuid.UUID]int64
}

func newLedger() *ledger {
	l := &ledger{tables: map[string]map[string]*fig{}, tender: map[string]*fig{}, reason: map[string]*fig{},
		shifts: map[uuid.UUID]*shiftExp{}, stock: map[[2]uuid.UUID]*stockExp{}, catalogCost: map[uuid.UUID]int64{}}
	for _, g := range []string{"day", "product", "category", "cashier", "hour"} {
		l.tables[g] = map[string]*fig{}
	}
	return l
}

func (l *ledger) row(m map[string]*fig, key ...string) *fig {
	k := strings.Join(key, "|")
	f, ok := m[k]
	if !ok {
		f = &fig{}
		m[k] = f
	}
	return f
}

func (l *ledger) shift(id, store uuid.UUID, day string) {
	l.shifts[id] = &shiftExp{store: store, day: day}
}

// receive applies the moving-average rule: avg = (before × avg + qty × cost) / after, half
// up; the first receipt (or one into empty stock) sets it.
func (l *ledger) receive(store, product uuid.UUID, qty, cost int64) {
	s := l.stockOf(store, product)
	if s.onHand <= 0 || s.avg < 0 {
		s.avg = cost
	} else {
		s.avg = (s.onHand*s.avg + qty*cost + (s.onHand+qty)/2) / (s.onHand + qty)
	}
	s.onHand += qty
}

// stockOf returns the stock of a product in a store; avg −1 until a receipt sets it.
func (l *ledger) stockOf(store, product uuid.UUID) *stockExp {
	s, ok := l.stock[[2]uuid.UUID{store, product}]
	if !ok {
		s = &stockExp{avg: -1}
		l.stock[[2]uuid.UUID{store, product}] = s
	}
	return s
}

func (l *ledger) unitCost(store, product uuid.UUID) int64 {
	if s, ok := l.stock[[2]uuid.UUID{store, product}]; ok && s.avg >= 0 {
		return s.avg
	}
	return l.catalogCost[product]
}

// line is one sale line to ring up: whole units, an optional line discount.
type line struct {
	p      *productFx
	qty    int64
	discBP int64
}

// sold is a completed sale as the test knows it.
type sold struct {
	id, shift uuid.UUID
	lineIDs   []uuid.UUID
	lines     []line
	totals    []int64 // per line: what the customer paid
	taxes     []int64
	tender    string
	store     *storeFx
}

func halfUp(a, b int64) int64 { return (a + b/2) / b }

// sell rings up a completed sale over HTTP at a local time and books what it must add to
// every report. cash > 0 pays that much cash (change given back); otherwise tender pays exactly.
func (w *world) sell(s *storeFx, u *userFx, at time.Time, tender string, cash int64, lines ...line) *sold {
	w.t.Helper()
	out := &sold{id: uuid.New(), shift: s.shift, lines: lines, tender: tender, store: s}
	day, hour := at.In(s.loc).Format(time.DateOnly), strconv.Itoa(at.In(s.loc).Hour())
	sid := s.id.String()
	var body []any
	var total fig
	var sum int64
	seenP, seenC := map[uuid.UUID]bool{}, map[string]bool{}
	for _, ln := range lines {
		id := uuid.New()
		out.lineIDs = append(out.lineIDs, id)
		req := map[string]any{"id": id, "product_id": ln.p.id, "quantity": strconv.FormatInt(ln.qty, 10)}
		if ln.discBP > 0 {
			req["discount"] = map[string]any{"percent_bp": ln.discBP}
		}
		body = append(body, req)
		amount := ln.p.price * ln.qty
		disc := halfUp(amount*ln.discBP, 10000)
		net := amount - disc
		var tax, paid int64
		if s.inclusive {
			tax, paid = halfUp(net*2100, 12100), net
		} else {
			tax = halfUp(net*2100, 10000)
			paid = net + tax
		}
		out.totals, out.taxes = append(out.totals, paid), append(out.taxes, tax)
		sum += paid
		f := fig{qty: ln.qty * 1000, gross: paid + disc, disc: disc, tax: tax, cost: ln.qty * w.exp.unitCost(s.id, ln.p.id)}
		total.add(f)
		pf, cf := f, f
		if !seenP[ln.p.id] {
			seenP[ln.p.id], pf.tx = true, 1
		}
		if !seenC[ln.p.cat] {
			seenC[ln.p.cat], cf.tx = true, 1
		}
		w.exp.row(w.exp.tables["product"], day, sid, ln.p.id.String()).add(pf)
		w.exp.row(w.exp.tables["category"], day, sid, ln.p.cat).add(cf)
	}
	pay := sum
	if cash > 0 {
		pay = cash
	}
	resp := w.Must(http.StatusCreated, "POST", "/api/v1/sales", u.token, map[string]any{
		"id": out.id, "store_id": s.id, "register_id": s.register, "shift_id": s.shift, "lines": body, "complete": true,
		"payments":    []any{map[string]any{"id": uuid.New(), "tender": tender, "amount": money.New(pay, cur)}},
		"occurred_at": at.UTC().Format(time.RFC3339),
	}).Map(w.t)
	if got := resp["totals"].(map[string]any)["total"].(map[string]any)["amount"].(float64); int64(got) != sum {
		w.t.Fatalf("sale total %v, the test computed %d: %v", got, sum, resp)
	}
	total.tx = 1
	w.exp.row(w.exp.tables["day"], day, sid).add(total)
	w.exp.row(w.exp.tables["cashier"], day, sid, u.id).add(total)
	w.exp.row(w.exp.tables["hour"], day, sid, hour).add(total)
	w.exp.row(w.exp.tender, day, sid, tender).add(fig{tx: 1, gross: sum})
	sh := w.exp.shifts[s.shift]
	sh.sales++
	sh.salesTotal += sum
	if tender == "cash" {
		sh.cashSale += sum
	}
	for _, ln := range lines {
		w.exp.stockOf(s.id, ln.p.id).onHand -= ln.qty
	}
	return out
}

// giveBack returns line i of a sale in full over HTTP at a local time, refunded in the
// sale's tender, and books it.
func (w *world) giveBack(sl *sold, i int, u *userFx, at time.Time, restock bool, reason string) {
	w.t.Helper()
	s := sl.store
	day, hour := at.In(s.loc).Format(time.DateOnly), strconv.Itoa(at.In(s.loc).Hour())
	sid := s.id.String()
	ln := sl.lines[i]
	w.Must(http.StatusCreated, "POST", "/api/v1/returns", u.token, map[string]any{
		"id": uuid.New(), "sale_id": sl.id, "shift_id": sl.shift, "occurred_at": at.UTC().Format(time.RFC3339),
		"lines": []any{map[string]any{"sale_line_id": sl.lineIDs[i], "quantity": strconv.FormatInt(ln.qty, 10), "restock": restock, "reason": reason}},
	})
	f := fig{retQty: ln.qty * 1000, refunded: sl.totals[i], refTax: sl.taxes[i]}
	if restock {
		f.cost = -ln.qty * w.exp.unitCost(s.id, ln.p.id)
		w.exp.stockOf(s.id, ln.p.id).onHand += ln.qty
	}
	pf := f
	pf.returns = 1
	w.exp.row(w.exp.tables["product"], day, sid, ln.p.id.String()).add(pf)
	w.exp.row(w.exp.tables["category"], day, sid, ln.p.cat).add(pf)
	w.exp.row(w.exp.tables["day"], day, sid).add(pf)
	w.exp.row(w.exp.tables["cashier"], day, sid, u.id).add(pf)
	w.exp.row(w.exp.tables["hour"], day, sid, hour).add(pf)
	w.exp.row(w.exp.tender, day, sid, sl.tender).add(fig{returns: 1, refunded: sl.totals[i]})
	r := w.exp.row(w.exp.reason, day, sid, reason)
	r.add(fig{returns: 1, tx: 1, retQty: ln.qty * 1000, refunded: sl.totals[i], refTax: sl.taxes[i]})
	if restock {
		r.qty += ln.qty * 1000
	}
	sh := w.exp.shifts[sl.shift]
	sh.rets++
	sh.refunds += sl.totals[i]
}

// qty renders thousandths as the API does.
func qty(milli int64) string {
	s := strconv.FormatInt(milli/1000, 10)
	if r := milli % 1000; r != 0 {
		s += strings.TrimRight(fmt.Sprintf(".%03d", r), "0")
	}
	return s
}
