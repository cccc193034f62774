package reports_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/odata-pos/pos/domain/catalog"
	"github.com/odata-pos/pos/domain/money"
	"github.com/odata-pos/pos/domain/quantity"
	"github.com/odata-pos/pos/domain/register"
	"github.com/odata-pos/pos/domain/returns"
	"github.com/odata-pos/pos/domain/sale"
	"github.com/odata-pos/pos/domain/shift"
	"github.com/odata-pos/pos/domain/stock"
	"github.com/odata-pos/pos/domain/store"
	"github.com/odata-pos/pos/domain/taxcode"
	"github.com/odata-pos/pos/domain/user"
	"github.com/odata-pos/pos/eventstore"
)

// scenarioEvent is one event of a scenario: its stream, type, body and metadata.
type scenarioEvent struct {
	stream, typ string
	data        json.RawMessage
	md          eventstore.Metadata
}

// scenario generates n deterministic events of every type the fold reads, with the awkward
// cases mixed in: stores and products created after events that use them (or never) or
// created twice (the second creation wins), zones with half-hour offsets, lines without a
// category, products without a cost, fractional quantities, cash change, split tenders, late
// (offline) events, missing metadata times and user IDs, receipts onto negative stock,
// counts, and shifts with cash after close.
func scenario(tb testing.TB, seed uint64, n int) []scenarioEvent {
	tb.Helper()
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	id := func() uuid.UUID {
		var u uuid.UUID
		for i := range u {
			u[i] = byte(r.UintN(256))
		}
		u[6], u[8] = u[6]&0x0f|0x40, u[8]&0x3f|0x80
		return u
	}
	var out []scenarioEvent
	emit := func(stream, typ string, v any, md eventstore.Metadata) {
		data, err := json.Marshal(v)
		if err != nil {
			tb.Fatal(err)
		}
		out = append(out, scenarioEvent{stream: stream, typ: typ, data: data, md: md})
	}
	type storeDef struct {
		id       uuid.UUID
		currency string
		zone     string
		created  bool
	}
	zones := []string{"Europe/Amsterdam", "America/New_York", "Asia/Tokyo", "UTC", "Australia/Adelaide", "Pacific/Kiritimati", "Not/AZone"}
	stores := make([]*storeDef, len(zones)+1) // the last one is never created
	for i := range stores {
		cur := "EUR"
		if i%3 == 1 {
			cur = "USD"
		}
		stores[i] = &storeDef{id: id(), currency: cur, zone: zones[i%len(zones)]}
	}
	type productDef struct {
		id       uuid.UUID
		category string
		cost     *int64
		created  bool
	}
	products := make([]*productDef, 60) // the last ones are created late or never
	for i := range products {
		p := &productDef{id: id(), category: fmt.Sprintf("cat-%d", i%7)}
		if i%5 == 3 {
			p.category = ""
		}
		if i%4 != 2 {
			c := int64(30 + r.IntN(200))
			p.cost = &c
		}
		products[i] = p
	}
	createStore := func(s *storeDef, i int) {
		s.created = true
		emit("store-"+s.id.String(), store.TypeStoreCreated, store.StoreCreated{StoreID: s.id, Code: fmt.Sprintf("S%d", i),
			Name: "Store", Currency: s.currency, Timezone: s.zone}, eventstore.Metadata{})
	}
	createProduct := func(p *productDef, i int) {
		p.created = true
		pc := catalog.ProductCreated{ProductID: p.id, SKU: fmt.Sprintf("SKU-%d", i), Name: "Product", Category: p.category,
			Price: money.New(int64(100+i), "EUR"), TaxCode: "std", TrackStock: true}
		if p.cost != nil {
			c := money.New(*p.cost, "EUR")
			pc.Cost = &c
		}
		emit("product-"+p.id.String(), catalog.TypeProductCreated, pc, eventstore.Metadata{})
	}
	for i, s := range stores[:len(stores)-3] {
		createStore(s, i)
	}
	for i, p := range products[:40] {
		createProduct(p, i)
	}
	// Master data only the operational read models keep: registers, tax codes and users.
	for i, s := range stores[:2] {
		emit("register-"+s.id.String(), register.TypeRegisterCreated, register.RegisterCreated{RegisterID: id(), StoreID: s.id,
			Code: fmt.Sprintf("R%d", i), Name: "Register"}, eventstore.Metadata{})
	}
	emit("taxcode-std", taxcode.TypeTaxCodeCreated, taxcode.TaxCodeCreated{TaxCodeID: id(), Code: "std", Name: "Standard",
		RateBP: 2100, CreatedAt: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)}, eventstore.Metadata{})
	for _, c := range []string{"ann", "bob", "cid"} {
		emit("user-"+c, user.TypeRegistered, user.Registered{UserID: c, Username: c, Roles: []string{"cashier"}}, eventstore.Metadata{})
	}

	type shiftDef struct {
		id     uuid.UUID
		store  *storeDef
		closed bool
		z      int64
	}
	var shifts []*shiftDef
	onHand := map[[2]uuid.UUID]quantity.Quantity{}
	t0 := time.Date(2025, 3, 29, 20, 0, 0, 0, time.UTC) // spans the European DST change
	reasons := []string{"damaged", "wrong_size", "changed_mind"}
	tenders := []string{sale.TenderCash, sale.TenderCard, "gift_card"}
	cashiers := []string{"ann", "bob", "cid"}
	pickStore := func() *storeDef { return stores[r.IntN(len(stores))] }
	pickProduct := func() *productDef { return products[r.IntN(len(products))] }
	// ringingSale is a sale rung up over several events: opened, lines added (and some
	// removed) one at a time between other events, then completed with the lines it kept.
	type ringingSale struct {
		id             uuid.UUID
		store          *storeDef
		pending, added []sale.PricedLine
	}
	var ringing []*ringingSale
	newLine := func(s *storeDef) sale.PricedLine {
		p := pickProduct()
		q := quantity.FromInt(int64(1 + r.IntN(3)))
		if r.IntN(4) == 0 {
			q = quantity.FromMilli(int64(1 + r.IntN(2500))) // sold by weight
		}
		amount := int64(100 + r.IntN(900))
		disc := int64(0)
		if r.IntN(3) == 0 {
			disc = int64(r.IntN(50))
		}
		cat := p.category
		if r.IntN(3) == 0 {
			cat = "" // the catalog's category applies
		}
		net := amount - disc
		return sale.PricedLine{Line: sale.Line{ID: id(), ProductID: p.id, SKU: "x", Name: "x", Category: cat,
			Quantity: q, UnitPrice: money.New(amount, s.currency), TaxCode: "std", TaxRateBP: 2100},
			Amount: money.New(amount, s.currency), Discount: money.New(disc, s.currency), LineDiscount: money.New(disc, s.currency),
			Net: money.New(net, s.currency), Tax: money.New(net*21/121, s.currency), Total: money.New(net, s.currency)}
	}
	completeSale := func(saleID uuid.UUID, s *storeDef, lines []sale.PricedLine, at time.Time, md eventstore.Metadata, i int) {
		var total int64
		for _, l := range lines {
			total += l.Total.Amount
		}
		var pays []sale.Payment
		change := int64(0)
		switch r.IntN(3) {
		case 0:
			change = int64(r.IntN(500))
			pays = []sale.Payment{{ID: id(), Tender: sale.TenderCash, Amount: money.New(total+change, s.currency)}}
		case 1:
			half := total / 2
			pays = []sale.Payment{{ID: id(), Tender: sale.TenderCard, Amount: money.New(half, s.currency)},
				{ID: id(), Tender: tenders[r.IntN(len(tenders))], Amount: money.New(total-half, s.currency)}}
		default:
			pays = []sale.Payment{{ID: id(), Tender: tenders[1+r.IntN(2)], Amount: money.New(total, s.currency)}}
		}
		var shiftID uuid.UUID
		for _, sh := range shifts {
			if sh.store == s && !sh.closed {
				shiftID = sh.id
			}
		}
		sc := sale.SaleCompleted{SaleID: saleID, StoreID: s.id, ShiftID: shiftID, CashierID: cashiers[r.IntN(len(cashiers))],
			ReceiptNumber: int64(i), Lines: lines, Payments: pays, CompletedAt: at,
			Totals: sale.Totals{Total: money.New(total, s.currency), Paid: money.New(total+change, s.currency), Change: money.New(change, s.currency)}}
		smd := md
		if r.IntN(5) == 0 {
			smd.OccurredAt = time.Time{} // CompletedAt applies
		}
		if r.IntN(20) == 0 {
			smd.OccurredAt = at.Add(-time.Duration(1+r.IntN(72)) * time.Hour) // uploaded late
		}
		emit("sale-"+sc.SaleID.String(), sale.TypeSaleCompleted, sc, smd)
		for _, l := range lines {
			k := [2]uuid.UUID{s.id, l.ProductID}
			onHand[k] -= l.Quantity
			emit("stock", stock.TypeStockMoved, stock.StockMoved{LocationID: s.id, ProductID: l.ProductID, Kind: stock.KindSale,
				MovementID: "m", Delta: -l.Quantity, OnHand: onHand[k], At: at}, smd)
		}
		if shiftID != uuid.Nil && pays[0].Tender == sale.TenderCash {
			emit("shift-"+shiftID.String(), shift.TypeCashSaleRecorded, shift.CashSaleRecorded{ShiftID: shiftID, SaleID: sc.SaleID,
				Amount: money.New(total, s.currency)}, md)
		}
	}
	for i := 0; len(out) < n; i++ {
		at := t0.Add(time.Duration(i)*7*time.Minute + time.Duration(r.IntN(300))*time.Second)
		md := eventstore.Metadata{OccurredAt: at, UserID: cashiers[r.IntN(len(cashiers))]}
		if len(ringing) > 0 && r.IntN(2) == 0 { // one more step of a sale rung up over several events
			k := r.IntN(len(ringing))
			rs := ringing[k]
			switch {
			case len(rs.added) > 1 && r.IntN(5) == 0:
				gone := r.IntN(len(rs.added))
				emit("sale-"+rs.id.String(), sale.TypeLineRemoved, sale.LineRemoved{SaleID: rs.id, LineID: rs.added[gone].ID}, md)
				rs.added = slices.Delete(rs.added, gone, gone+1)
			case len(rs.pending) > 0:
				l := rs.pending[0]
				rs.pending, rs.added = rs.pending[1:], append(rs.added, l)
				emit("sale-"+rs.id.String(), sale.TypeLineAdded, sale.LineAdded{SaleID: rs.id, Line: l.Line}, md)
			default:
				completeSale(rs.id, rs.store, rs.added, at, md, i)
				ringing = slices.Delete(ringing, k, k+1)
			}
		}
		switch x := r.IntN(100); {
		case x < 2: // late master data
			for j, s := range stores {
				if !s.created && j < len(stores)-1 {
					createStore(s, j)
					break
				}
			}
			for j, p := range products {
				if !p.created && j < len(products)-3 {
					createProduct(p, j)
					break
				}
			}
		case x < 3: // a product or store created again, with other master data
			if j := r.IntN(40); r.IntN(4) > 0 {
				p := products[j]
				p.category = fmt.Sprintf("recat-%d", r.IntN(3))
				c := int64(500 + r.IntN(100))
				p.cost = &c
				createProduct(p, j)
			} else {
				j := r.IntN(5)
				stores[j].zone = zones[r.IntN(len(zones))]
				createStore(stores[j], j)
			}
		case x < 45: // a sale and its stock movements, rung up in one event or over several
			s := pickStore()
			lines := make([]sale.PricedLine, 1+r.IntN(4))
			for li := range lines {
				lines[li] = newLine(s)
			}
			if r.IntN(3) > 0 {
				completeSale(id(), s, lines, at, md, i)
				break
			}
			rs := &ringingSale{id: id(), store: s, pending: lines}
			ringing = append(ringing, rs)
			emit("sale-"+rs.id.String(), sale.TypeSaleOpened, sale.SaleOpened{SaleID: rs.id, StoreID: s.id, CashierID: md.UserID,
				Currency: s.currency, PricesIncludeTax: true, Rounding: money.HalfUp, OpenedAt: at}, md)
		case x < 52: // a return
			s := pickStore()
			var lines []returns.ReturnedLine
			var total int64
			for range 1 + r.IntN(3) {
				p := pickProduct()
				refund := int64(50 + r.IntN(400))
				cat := ""
				if r.IntN(2) == 0 {
					cat = p.category
				}
				l := returns.ReturnedLine{ProductID: p.id, SKU: "x", Category: cat, Quantity: quantity.FromMilli(int64(500 + r.IntN(2500))),
					Restock: r.IntN(2) == 0, Reason: reasons[r.IntN(len(reasons))], Net: money.New(refund, s.currency),
					Tax: money.New(refund*21/121, s.currency), Refund: money.New(refund, s.currency)}
				lines = append(lines, l)
				total += refund
			}
			half := total / 3
			refunds := []returns.Refund{{ID: id(), Tender: tenders[r.IntN(len(tenders))], Amount: money.New(half, s.currency)},
				{ID: id(), Tender: tenders[r.IntN(len(tenders))], Amount: money.New(total-half, s.currency)}}
			var shiftID uuid.UUID
			if len(shifts) > 0 && r.IntN(2) == 0 {
				shiftID = shifts[r.IntN(len(shifts))].id
			}
			rr := returns.ReturnRecorded{ReturnID: id(), StoreID: s.id, ShiftID: shiftID, Lines: lines, Refunds: refunds,
				Total: money.New(total, s.currency), ReturnedAt: at}
			rmd := md
			if r.IntN(4) == 0 {
				rmd.UserID = ""
			}
			if r.IntN(4) == 0 {
				rmd.OccurredAt = time.Time{}
			}
			emit("return-"+rr.ReturnID.String(), returns.TypeReturnRecorded, rr, rmd)
			if shiftID != uuid.Nil {
				emit("shift-"+shiftID.String(), shift.TypeCashRefundRecorded, shift.CashRefundRecorded{ShiftID: shiftID, ReturnID: rr.ReturnID,
					Amount: money.New(half, s.currency), AfterClose: r.IntN(3) == 0}, md)
			}
		case x < 72: // a receipt, an adjustment or a count
			s, p := pickStore(), pickProduct()
			k := [2]uuid.UUID{s.id, p.id}
			switch y := r.IntN(10); {
			case y < 6:
				d := quantity.FromInt(int64(1 + r.IntN(20)))
				onHand[k] += d
				var cost *money.Money
				if r.IntN(6) != 0 {
					c := money.New(int64(20+r.IntN(300)), s.currency)
					cost = &c
				}
				emit("stock", stock.TypeStockMoved, stock.StockMoved{LocationID: s.id, ProductID: p.id, Kind: stock.KindReceipt,
					MovementID: "r", Delta: d, OnHand: onHand[k], UnitCost: cost, At: at}, md)
			case y < 8:
				d := quantity.FromMilli(int64(r.IntN(4000) - 2000))
				onHand[k] += d
				emit("stock", stock.TypeStockMoved, stock.StockMoved{LocationID: s.id, ProductID: p.id, Kind: stock.KindAdjustment,
					MovementID: "a", Delta: d, OnHand: onHand[k], Reason: "found", At: at}, eventstore.Metadata{})
			default:
				c := quantity.FromInt(int64(r.IntN(30)))
				emit("stock", stock.TypeStockCounted, stock.StockCounted{LocationID: s.id, ProductID: p.id, CountID: "c",
					Expected: onHand[k], Counted: c, Variance: c - onHand[k], At: at}, md)
				onHand[k] = c
			}
		case x < 80: // shifts: open, move cash, close
			var open []*shiftDef
			for _, sh := range shifts {
				if !sh.closed {
					open = append(open, sh)
				}
			}
			switch y := r.IntN(3); {
			case y == 0 || len(open) == 0:
				sh := &shiftDef{id: id(), store: pickStore()}
				shifts = append(shifts, sh)
				emit("shift-"+sh.id.String(), shift.TypeShiftOpened, shift.ShiftOpened{ShiftID: sh.id, StoreID: sh.store.id, RegisterID: id(),
					CashierID: cashiers[r.IntN(len(cashiers))], OpeningFloat: money.New(int64(r.IntN(20000)), sh.store.currency), OpenedAt: at}, md)
			case y == 1:
				sh := open[r.IntN(len(open))]
				typ := shift.PaidIn
				if r.IntN(2) == 0 {
					typ = shift.PaidOut
				}
				emit("shift-"+sh.id.String(), shift.TypeCashMovementRecorded, shift.CashMovementRecorded{ShiftID: sh.id, MovementID: id(),
					Type: typ, Amount: money.New(int64(r.IntN(5000)), sh.store.currency), Reason: "float", At: at}, md)
			default:
				sh := open[r.IntN(len(open))]
				sh.closed, sh.z = true, int64(i)
				emit("shift-"+sh.id.String(), shift.TypeShiftClosed, shift.ShiftClosed{ShiftID: sh.id, ZNumber: sh.z,
					ExpectedCash: money.New(int64(r.IntN(90000)), sh.store.currency), CountedCash: money.New(int64(r.IntN(90000)), sh.store.currency),
					OverShort: money.New(int64(r.IntN(200)-100), sh.store.currency), ClosedAt: at}, md)
				if r.IntN(2) == 0 { // a sale that reaches the shift after its close
					emit("shift-"+sh.id.String(), shift.TypeCashSaleRecorded, shift.CashSaleRecorded{ShiftID: sh.id, SaleID: id(),
						Amount: money.New(int64(r.IntN(3000)), sh.store.currency), AfterClose: true}, md)
				}
			}
		default: // events the fold does not read
			emit("other", "sales.sale_opened.v1", map[string]any{"sale_id": id()}, md)
		}
	}
	return out[:n]
}

// appendScenario appends evs to s and returns the position of the last.
func appendScenario(tb testing.TB, s eventstore.Store, evs []scenarioEvent) eventstore.Position {
	tb.Helper()
	var last eventstore.Position
	for _, e := range evs {
		res, err := s.Append(context.Background(), e.stream, eventstore.Any, []eventstore.EventData{{
			ID: uuid.New(), Type: e.typ, Data: e.data, Metadata: e.md}})
		if err != nil {
			tb.Fatal(err)
		}
		last = res.Position
	}
	return last
}

// readModelSchemas are the stable schemas dumpTables compares: the reports and every
// operational read model.
var readModelSchemas = []string{"reports", "catalog", "stock", "sales", "returns", "shifts", "users"}

// dumpTables returns every row of every relation of the stable read-model schemas, as text,
// in a fixed order.
func dumpTables(tb testing.TB, pool *pgxpool.Pool) string {
	tb.Helper()
	ctx := context.Background()
	rows, err := pool.Query(ctx, `SELECT table_schema, table_name FROM information_schema.tables
		WHERE table_schema = ANY($1) ORDER BY 1, 2`, readModelSchemas)
	if err != nil {
		tb.Fatal(err)
	}
	type relation struct{ schema, name string }
	var names []relation
	perSchema := map[string]int{}
	for rows.Next() {
		var n relation
		if err := rows.Scan(&n.schema, &n.name); err != nil {
			tb.Fatal(err)
		}
		names = append(names, n)
		perSchema[n.schema]++
	}
	if err := rows.Err(); err != nil {
		tb.Fatal(err)
	}
	if perSchema["reports"] < 12 || len(perSchema) != len(readModelSchemas) {
		tb.Fatalf("read-model relations per schema: %v", perSchema)
	}
	var b strings.Builder
	for _, n := range names {
		rows, err := pool.Query(ctx, fmt.Sprintf(`SELECT t::text FROM %s t ORDER BY 1`, pgx.Identifier{n.schema, n.name}.Sanitize()))
		if err != nil {
			tb.Fatal(err)
		}
		count := 0
		for rows.Next() {
			var line string
			if err := rows.Scan(&line); err != nil {
				tb.Fatal(err)
			}
			fmt.Fprintf(&b, "%s.%s %s\n", n.schema, n.name, line)
			count++
		}
		if err := rows.Err(); err != nil {
			tb.Fatal(err)
		}
		if count == 0 {
			tb.Errorf("%s.%s is empty: the scenario misses a case", n.schema, n.name)
		}
	}
	return b.String()
}
