// Package v1gen writes dirty O'Data POS v1 SQLite files for tests and benchmarks of the v1
// import: sales over several months across daylight-saving changes, float drift, dangling
// references, invoice gaps and a case-differing duplicate, mixed tenders that do not add up,
// inactive users and products, unknown roles and settings, and a stock that its movements do
// not explain. The same Options and Seed always give the same file content.
package v1gen

import (
	"context"
	"database/sql"
	_ "embed"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"time"

	"golang.org/x/crypto/bcrypt"
	_ "modernc.org/sqlite" // the pure-Go SQLite driver
)

// schema is the v1 schema (legacy/v1-schema.sql).
//
//go:embed schema.sql
var schema string

// Options size a generated file.
type Options struct {
	Sales    int
	Products int
	// Start is the first local day; the sales spread over Days days from it.
	Start time.Time
	Days  int
	Seed  uint64
	// Password is every user's password (hashed with bcrypt, as passlib wrote it).
	Password string
}

// Summary is what the generator wrote, for tests to compare with.
type Summary struct {
	// SoldCents is the sum of the totals of the sales not cancelled, in cents, rounded per
	// sale as the import rounds.
	SoldCents     int64
	RefundedCents int64
	Sales         int
	Cancelled     int
	Refunded      int
	// Stock is products.stock by product ID.
	Stock map[int64]int64
	// Usernames of active and inactive users.
	Active, Inactive []string
}

// Generate writes a v1 file at path (which must not exist).
func Generate(ctx context.Context, path string, o Options) (Summary, error) {
	if o.Sales <= 0 {
		o.Sales = 1000
	}
	if o.Products <= 0 {
		o.Products = 60
	}
	if o.Days <= 0 {
		o.Days = 240
	}
	if o.Start.IsZero() {
		o.Start = time.Date(2024, 2, 1, 0, 0, 0, 0, time.UTC)
	}
	if o.Password == "" {
		o.Password = "v1-password-123"
	}
	if _, err := os.Stat(path); err == nil {
		return Summary{}, fmt.Errorf("%s exists", path)
	}
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		return Summary{}, err
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, schema); err != nil {
		return Summary{}, fmt.Errorf("schema: %w", err)
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return Summary{}, err
	}
	defer func() { _ = tx.Rollback() }() // after Commit, a no-op
	g := &gen{ctx: ctx, tx: tx, o: o, rnd: rand.New(rand.NewPCG(o.Seed, 42)), sum: Summary{Stock: map[int64]int64{}}}
	g.run()
	if g.err != nil {
		return Summary{}, g.err
	}
	return g.sum, tx.Commit()
}

type gen struct {
	ctx context.Context
	tx  *sql.Tx
	o   Options
	rnd *rand.Rand
	sum Summary
	err error

	prices  []float64
	rates   []float64
	kg      []bool
	movID   int64
	stmts   map[string]*sql.Stmt
	invoice int
}

func (g *gen) exec(query string, args ...any) {
	if g.err != nil {
		return
	}
	if g.stmts == nil {
		g.stmts = map[string]*sql.Stmt{}
	}
	st, ok := g.stmts[query]
	if !ok {
		if st, g.err = g.tx.PrepareContext(g.ctx, query); g.err != nil {
			return
		}
		g.stmts[query] = st
	}
	_, g.err = st.ExecContext(g.ctx, args...)
}

// v1 time formats, alternated as different v1 versions wrote them.
func (g *gen) stamp(t time.Time, i int) string {
	if i%3 == 0 {
		return t.Format("2006-01-02T15:04:05.000000")
	}
	return t.Format("2006-01-02 15:04:05")
}

func (g *gen) run() {
	g.exec(`INSERT INTO settings (key, value) VALUES ('store_name', 'Tienda Centro'), ('currency', 'EUR'), ('timezone', 'Europe/Madrid'), ('printer_port', '/dev/usb/lp0')`)
	hash, err := bcrypt.GenerateFromPassword([]byte(g.o.Password), bcrypt.MinCost)
	if err != nil {
		g.err = err
		return
	}
	h := "$2b$" + string(hash[4:]) // passlib writes the 2b prefix
	users := []struct {
		name, role string
		active     bool
	}{{"admin", "admin", true}, {"maria", "manager", true}, {"juan", "cashier", true}, {"ana", "cashier", true},
		{"pedro", "cashier", false}, {"viewer1", "viewer", true}, {"boss", "supervisor", true}}
	for i, u := range users {
		g.exec(`INSERT INTO users (id, username, email, full_name, hashed_password, role, is_active, created_at, last_login) VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL)`,
			i+1, u.name, u.name+"@example.com", u.name, h, u.role, u.active, "2023-12-01 09:00:00")
		if u.active {
			g.sum.Active = append(g.sum.Active, u.name)
		} else {
			g.sum.Inactive = append(g.sum.Inactive, u.name)
		}
	}
	for i, c := range []string{"Bebidas", "Panadería", "Fruta", "Limpieza", "Varios"} {
		g.exec(`INSERT INTO categories (id, name) VALUES (?, ?)`, i+1, c)
	}
	rates := []float64{21, 10, 4, 0}
	for i := 1; i <= g.o.Products; i++ {
		sku := fmt.Sprintf("SKU-%04d", i)
		if i == 7 {
			sku = "sku-0006" // differs from SKU-0006 only in case
		}
		barcode := any(fmt.Sprintf("84%011d", i))
		switch {
		case i%13 == 0:
			barcode = fmt.Sprintf("84%011d", i-1) // not unique in v1
		case i%17 == 0:
			barcode = nil
		}
		kg := i%10 == 0
		unit := "unit"
		if kg {
			unit = "kg"
		}
		price := float64(50+g.rnd.IntN(3000)) / 100
		rate := rates[i%len(rates)]
		cat := any(1 + i%5)
		if i == 11 {
			cat = 99 // dangling
		}
		stock := int64(g.rnd.IntN(200) - 20)
		g.sum.Stock[int64(i)] = stock
		g.exec(`INSERT INTO products (id, sku, barcode, name, description, category_id, price, cost, tax_rate, stock, min_stock, unit, is_active, created_at, updated_at) VALUES (?, ?, ?, ?, NULL, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL)`,
			i, sku, barcode, fmt.Sprintf("Item %d", i), cat, price, price*0.6, rate, stock, 5, unit, i%19 != 0, "2023-12-01 08:00:00")
		g.prices, g.rates, g.kg = append(g.prices, price), append(g.rates, rate), append(g.kg, kg)
		g.movement(int64(i), "in", float64(50+g.rnd.IntN(100)), "supplier delivery", "", time.Date(2024, 1, 15, 10, 0, 0, 0, time.UTC), 1)
		if i%4 == 0 {
			g.movement(int64(i), "adjustment", float64(g.rnd.IntN(11)-5), "count", "", time.Date(2024, 1, 20, 18, 0, 0, 0, time.UTC), 1)
		}
	}
	g.movement(9998, "in", 10, "delivery of a product deleted later", "", time.Date(2024, 1, 16, 10, 0, 0, 0, time.UTC), 1)
	perDay := float64(g.o.Sales) / float64(g.o.Days)
	for n := 1; n <= g.o.Sales && g.err == nil; n++ {
		day := int(float64(n-1) / perDay)
		t := g.o.Start.AddDate(0, 0, day).Add(time.Duration(9*3600+g.rnd.IntN(12*3600)) * time.Second)
		switch n {
		case 5:
			t = time.Date(2024, 3, 31, 2, 30, 0, 0, time.UTC) // does not exist in Madrid
		case 6:
			t = time.Date(2024, 10, 27, 2, 30, 0, 0, time.UTC) // happens twice in Madrid
		}
		g.sale(n, t)
	}
}

func (g *gen) movement(product int64, typ string, qty float64, reason, ref string, at time.Time, user int) {
	g.movID++
	g.exec(`INSERT INTO inventory_movements (id, product_id, movement_type, quantity, reference, reason, user_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		g.movID, product, typ, qty, ref, reason, user, g.stamp(at, int(g.movID)))
}

// sale writes sale n at local wall time t (t's fields are read as naive local time).
func (g *gen) sale(n int, t time.Time) {
	g.invoice++
	if n%97 == 0 {
		g.invoice++ // a crash left a gap
	}
	invoice := fmt.Sprintf("F-%06d", g.invoice)
	if n == 40 {
		invoice = fmt.Sprintf("f-%06d ", g.invoice-1) // a duplicate differing in case and spacing
	}
	status := "completed"
	switch r := g.rnd.IntN(100); {
	case r < 3:
		status = "cancelled"
	case r < 5:
		status = "refunded"
	}
	user := any(3 + n%2)
	switch {
	case n%50 == 0:
		user = 5 // the inactive cashier, before leaving
	case n%333 == 0:
		user = 42 // deleted
	}
	var total, sub, tax float64
	lines := 1 + g.rnd.IntN(4)
	type item struct {
		product       int64
		qty, price, d float64
		rate          float64
	}
	var items []item
	for range lines {
		p := 1 + g.rnd.IntN(len(g.prices))
		it := item{product: int64(p), qty: float64(1 + g.rnd.IntN(3)), price: g.prices[p-1], rate: g.rates[p-1]}
		if g.kg[p-1] {
			it.qty = float64(100+g.rnd.IntN(1900)) / 1000
		}
		if g.rnd.IntN(500) == 0 {
			it.product = 9999 // deleted by hand later
		}
		if g.rnd.IntN(20) == 0 {
			it.d = math.Round(it.qty*it.price*10) / 100 // a 10 % line discount
		}
		if g.rnd.IntN(30) == 0 {
			it.price += 0.5 // a price changed since
		}
		items = append(items, it)
		lineTotal := it.qty*it.price - it.d // float, as v1 did
		total += lineTotal
		sub += lineTotal / (1 + it.rate/100)
		tax += lineTotal - lineTotal/(1+it.rate/100)
	}
	discount := 0.0
	if g.rnd.IntN(25) == 0 && total > 1.0 { // v1 gave no discount beyond the goods' value
		discount = 1.0
		total -= discount
	}
	if g.rnd.IntN(40) == 0 {
		total += 0.01 // v1 lost a cent somewhere
	}
	total = math.Round(total*100)/100 + 0.1 + 0.2 - 0.3 // float drift
	method := []string{"cash", "card", "card", "transfer", "mixed"}[g.rnd.IntN(5)]
	var paid, change any
	if method == "cash" {
		p := math.Ceil(total/5) * 5
		paid, change = p, p-total
	}
	id := int64(n)
	g.exec(`INSERT INTO sales (id, invoice_number, user_id, customer_id, subtotal, tax_amount, discount_amount, total, payment_method, amount_paid, change_given, status, notes, created_at) VALUES (?, ?, ?, NULL, ?, ?, ?, ?, ?, ?, ?, ?, NULL, ?)`,
		id, invoice, user, sub, tax, discount, total, method, paid, change, status, g.stamp(t, n))
	for i, it := range items {
		g.exec(`INSERT INTO sale_items (sale_id, product_id, quantity, unit_price, discount, tax_rate, subtotal) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			id, it.product, it.qty, it.price, it.d, it.rate, it.qty*it.price-it.d)
		if status != "cancelled" && i%2 == 0 {
			g.movement(it.product, "sale", it.qty, "", invoice, t, 3)
		}
	}
	if method == "mixed" {
		card := math.Round(total*50) / 100
		rest := total - card
		if n%7 == 0 {
			rest -= 0.02 // payments short of the total
		}
		g.exec(`INSERT INTO payments (sale_id, method, amount) VALUES (?, 'card', ?), (?, 'cash', ?)`, id, card, id, rest)
	}
	cents := int64(math.Round(total * 100))
	g.sum.Sales++
	switch status {
	case "cancelled":
		g.sum.Cancelled++
		return
	case "refunded":
		g.sum.Refunded++
		g.sum.RefundedCents += cents
		if n%3 != 0 {
			for _, it := range items {
				g.movement(it.product, "return", it.qty, "refund", invoice, t.Add(26*time.Hour), 2)
			}
		}
	}
	g.sum.SoldCents += cents
}
