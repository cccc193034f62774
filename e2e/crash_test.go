package e2e

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/odata-pos/pos/internal/pgtest"
)

// TestKilledProjectorEndsWithTheSameTables records a few thousand events through posd's API
// (role api: nothing is projected yet), copies the database, then projects one copy with a
// posd that is killed with SIGKILL again and again while it catches up, and the other with a
// posd that is never interrupted. Every table of every projection (read models and report
// tables, through their stable views) must end identical.
func TestKilledProjectorEndsWithTheSameTables(t *testing.T) {
	if testing.Short() {
		t.Skip("crash test: not in -short")
	}
	ctx := context.Background()
	killedDB := pgtest.NewDatabase(t)

	start := time.Now()
	api := startPosd(t, posdEnv(t, killedDB, map[string]string{"POS_ROLE": "api"}))
	recordBusyDay(t, api)
	api.stop()
	t.Logf("busy day recorded in %v", time.Since(start).Round(time.Millisecond))

	calmDB := copyDatabase(t, killedDB)
	killedConn, calmConn := connect(t, killedDB), connect(t, calmDB)
	var recorded int64
	if err := killedConn.QueryRow(ctx, `SELECT count(*) FROM events`).Scan(&recorded); err != nil {
		t.Fatal(err)
	}
	t.Logf("%d events recorded before projecting", recorded)

	// The killed run: SIGKILL while the projections are still catching up, several times.
	env := posdEnv(t, killedDB, map[string]string{"POS_ROLE": "projector"})
	midway := 0
	for i := range 4 {
		began := time.Now()
		p := startPosd(t, env)
		ready := time.Since(began)
		// Let it apply some batches, then kill it while it is behind.
		lo, head := progress(t, killedConn)
		target := lo + max((head-lo)/3, 1)
		var behind bool
		deadline := time.Now().Add(20 * time.Second)
		for time.Now().Before(deadline) {
			lo, head := progress(t, killedConn)
			if lo >= head && head > 0 {
				break
			}
			if lo >= target {
				behind = true
				break
			}
			time.Sleep(time.Millisecond)
		}
		p.kill()
		lo, head = progress(t, killedConn)
		t.Logf("kill %d after %v (ready in %v): slowest projection at %d of %d (behind when killed: %v)", i+1,
			time.Since(began).Round(time.Millisecond), ready.Round(time.Millisecond), lo, head, behind)
		if behind && lo < head {
			midway++
		}
	}
	if midway == 0 {
		t.Fatalf("no SIGKILL landed while the projections were catching up")
	}
	began := time.Now()
	p := startPosd(t, env)
	waitCaughtUp(t, killedConn)
	p.stop()
	t.Logf("killed run caught up after its restart in %v", time.Since(began).Round(time.Millisecond))
	began = time.Now()

	// The run that was never killed, on the copy.
	q := startPosd(t, posdEnv(t, calmDB, map[string]string{"POS_ROLE": "projector"}))
	waitCaughtUp(t, calmConn)
	q.stop()
	t.Logf("uninterrupted run caught up in %v", time.Since(began).Round(time.Millisecond))

	want, got := dumpProjections(t, calmConn, nil), dumpProjections(t, killedConn, nil)
	if len(want) == 0 {
		t.Fatal("no projection tables found")
	}
	rows := 0
	var sizes []string
	for table, w := range want {
		g, ok := got[table]
		if !ok {
			t.Errorf("%s: missing after the killed run", table)
			continue
		}
		rows += len(w)
		sizes = append(sizes, fmt.Sprintf("%s %d", table, len(w)))
		if diff := firstDiff(w, g); diff != "" {
			t.Errorf("%s differs after %d SIGKILLs (%d rows, want %d): %s", table, midway, len(g), len(w), diff)
		}
	}
	for table := range got {
		if _, ok := want[table]; !ok {
			t.Errorf("%s: only in the killed run", table)
		}
	}
	var events int64
	if err := killedConn.QueryRow(ctx, `SELECT count(*) FROM events`).Scan(&events); err != nil {
		t.Fatal(err)
	}
	slices.Sort(sizes)
	t.Logf("rows per table: %s", strings.Join(sizes, ", "))
	t.Logf("%d tables, %d rows compared; %d events after the policies (%d SIGKILLs mid-projection)", len(want), rows, events, midway)
}

// recordBusyDay sells through several registers at once: a few thousand events.
func recordBusyDay(t *testing.T, p *posd) {
	admin := p.login(t, p.admin, adminPass)
	const post = http.MethodPost
	store := idOf(t, admin.do(201, post, "/api/v1/stores", map[string]any{"code": "BUSY", "name": "Busy store", "currency": "EUR",
		"timezone": "Europe/Amsterdam", "prices_include_tax": true, "rounding": "half_up"}))
	admin.do(200, post, "/api/v1/stores/"+store+"/settings", map[string]any{"allow_negative_stock": true,
		"cashier_limits": map[string]any{"max_discount_bp": 1000, "max_refund": eur(100000)}, "cash_tolerance": eur(100000)})
	admin.do(201, post, "/api/v1/tax-codes", map[string]any{"code": "STD", "name": "Standard", "rate_bp": 2100})
	admin.do(201, post, "/api/v1/tax-codes", map[string]any{"code": "RED", "name": "Reduced", "rate_bp": 900})
	var products []string
	for i := range 6 {
		body := map[string]any{"sku": fmt.Sprintf("SKU-%d", i), "name": fmt.Sprintf("Product %d", i), "category": []string{"bakery", "drinks", "fruit"}[i%3],
			"price": eur(int64(150 + 97*i)), "cost": eur(int64(60 + 40*i)), "tax_code": []string{"STD", "RED"}[i%2], "track_stock": true}
		if i == 2 {
			body["sold_by_weight"] = true
		}
		products = append(products, idOf(t, admin.do(201, post, "/api/v1/products", body)))
	}
	lines := []any{}
	for _, pr := range products {
		lines = append(lines, map[string]any{"product_id": pr, "quantity": 500, "unit_cost": eur(70)})
	}
	admin.do(201, post, "/api/v1/inventory/receipts", map[string]any{"id": uuid.New(), "location_id": store, "lines": lines})

	const cashiers, salesEach = 8, 45
	var wg sync.WaitGroup
	for c := range cashiers {
		name := fmt.Sprintf("cashier%d", c)
		admin.do(201, post, "/api/v1/users", map[string]any{"username": name, "password": userPass, "roles": []string{"cashier"}, "store_ids": []string{store}})
		reg := idOf(t, admin.do(201, post, "/api/v1/stores/"+store+"/registers", map[string]any{"code": fmt.Sprintf("R%d", c), "name": name}))
		wg.Go(func() {
			cl := p.login(t, name, userPass)
			shift := uuid.NewString()
			cl.do(201, post, "/api/v1/shifts", map[string]any{"id": shift, "register_id": reg, "opening_float": eur(10000)})
			for s := range salesEach {
				var ls []any
				var firstLine string
				for k := range 3 {
					id := uuid.NewString()
					if k == 0 {
						firstLine = id
					}
					qty := any(1 + (s+k)%3)
					pr := products[(c+s+k)%len(products)]
					if pr == products[2] {
						qty = json.Number(fmt.Sprintf("%d.%03d", 1+s%2, 125*(k+1)))
					}
					ls = append(ls, map[string]any{"id": id, "product_id": pr, "quantity": qty})
				}
				sale := uuid.NewString()
				// Pay generously in cash: change comes back. Every fifth sale by card for its total,
				// which the first answer tells (open, then pay and complete).
				if s%5 == 4 {
					open := cl.do(201, post, "/api/v1/sales", map[string]any{"id": sale, "store_id": store, "register_id": reg, "shift_id": shift, "lines": ls}).Map(t)
					due := amount(t, open, "totals.total")
					cl.do(200, post, "/api/v1/sales/"+sale+"/payments", map[string]any{"id": uuid.New(), "tender": "card", "amount": eur(due)})
					cl.do(200, post, "/api/v1/sales/"+sale+"/complete", nil)
				} else {
					cl.do(201, post, "/api/v1/sales", map[string]any{"id": sale, "store_id": store, "register_id": reg, "shift_id": shift, "complete": true,
						"lines": ls, "payments": []any{map[string]any{"id": uuid.New(), "tender": "cash", "amount": eur(20000)}}})
				}
				if s%9 == 8 { // a return of the first line's first item, restocked every other time
					cl.do(201, post, "/api/v1/returns", map[string]any{"id": uuid.New(), "sale_id": sale, "shift_id": shift,
						"lines": []any{map[string]any{"sale_line_id": firstLine, "quantity": json.Number("1"), "restock": s%2 == 0, "reason": "damaged"}}})
				}
			}
			cl.do(200, post, "/api/v1/shifts/"+shift+"/close", map[string]any{"counted_cash": eur(50000)})
		})
	}
	wg.Wait()
}

// copyDatabase makes a copy of the database at src (no one may be connected to it), dropped
// when the test ends, and returns its URL.
func copyDatabase(t *testing.T, src string) string {
	t.Helper()
	ctx := context.Background()
	su, err := url.Parse(src)
	if err != nil {
		t.Fatal(err)
	}
	var rnd [6]byte
	_, _ = rand.Read(rnd[:])
	name := "pos_test_" + hex.EncodeToString(rnd[:]) + "_copy"
	admin, err := pgx.Connect(ctx, pgtest.AdminURL())
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close(ctx)
	_, err = admin.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()+" TEMPLATE "+pgx.Identifier{strings.TrimPrefix(su.Path, "/")}.Sanitize())
	if err != nil {
		t.Fatalf("copy database: %v", err)
	}
	t.Cleanup(func() {
		c, err := pgx.Connect(ctx, pgtest.AdminURL())
		if err != nil {
			t.Errorf("drop copy: %v", err)
			return
		}
		defer c.Close(ctx)
		if _, err := c.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)"); err != nil {
			t.Errorf("drop copy: %v", err)
		}
	})
	su.Path = "/" + name
	return su.String()
}

func connect(t *testing.T, dbURL string) *pgx.Conn {
	t.Helper()
	c, err := pgx.Connect(context.Background(), dbURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close(context.Background()) })
	return c
}

// progress returns the slowest live projection's checkpoint (0 before any exists) and the head
// of $all.
func progress(t *testing.T, c *pgx.Conn) (lo, head int64) {
	t.Helper()
	ctx := context.Background()
	if err := c.QueryRow(ctx, `SELECT coalesce(max(position), 0) FROM events`).Scan(&head); err != nil {
		t.Fatal(err)
	}
	var exists bool
	if err := c.QueryRow(ctx, `SELECT to_regclass('projection_checkpoints') IS NOT NULL`).Scan(&exists); err != nil {
		t.Fatal(err)
	}
	if !exists {
		return 0, head
	}
	if err := c.QueryRow(ctx, `SELECT coalesce(min(position), 0) FROM projection_checkpoints WHERE live`).Scan(&lo); err != nil {
		t.Fatal(err)
	}
	return lo, head
}

// waitCaughtUp waits until every live projection is at the head of $all and the head has not
// moved (the stock policies append while they catch up) for a second.
func waitCaughtUp(t *testing.T, c *pgx.Conn) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	var lastHead int64 = -1
	var stableSince time.Time
	for time.Now().Before(deadline) {
		lo, head := progress(t, c)
		var failed int
		if err := c.QueryRow(context.Background(), `SELECT count(*) FROM projection_checkpoints WHERE status = 'failed'`).Scan(&failed); err != nil {
			t.Fatal(err)
		}
		if failed > 0 {
			t.Fatalf("a projection failed: %s", dumpCheckpoints(t, c))
		}
		if lo >= head && head == lastHead {
			if time.Since(stableSince) > time.Second {
				return
			}
		} else {
			stableSince = time.Now()
		}
		lastHead = head
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("projections not caught up within 60s: %s", dumpCheckpoints(t, c))
}

func dumpCheckpoints(t *testing.T, c *pgx.Conn) string {
	rows, err := c.Query(context.Background(), `SELECT name, position, status, coalesce(last_error, '') FROM projection_checkpoints ORDER BY name`)
	if err != nil {
		return err.Error()
	}
	var b strings.Builder
	for rows.Next() {
		var name, status, e string
		var pos int64
		if err := rows.Scan(&name, &pos, &status, &e); err != nil {
			return err.Error()
		}
		fmt.Fprintf(&b, "\n  %s at %d %s %s", name, pos, status, e)
	}
	return b.String()
}

// dumpProjections returns every row of every stable view of every live projection, as text,
// sorted: "schema.view" → rows; columns in exclude ("schema.view" → names) are left out.
func dumpProjections(t *testing.T, c *pgx.Conn, exclude map[string][]string) map[string][]string {
	t.Helper()
	ctx := context.Background()
	rows, err := c.Query(ctx, `SELECT v.schemaname, v.viewname FROM pg_views v
		JOIN projection_checkpoints p ON p.name = v.schemaname AND p.live ORDER BY 1, 2`)
	if err != nil {
		t.Fatal(err)
	}
	var views [][2]string
	for rows.Next() {
		var s, v string
		if err := rows.Scan(&s, &v); err != nil {
			t.Fatal(err)
		}
		views = append(views, [2]string{s, v})
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	out := map[string][]string{}
	for _, sv := range views {
		name := pgx.Identifier{sv[0], sv[1]}.Sanitize()
		row := "t::text"
		if skip := exclude[sv[0]+"."+sv[1]]; len(skip) > 0 {
			r, err := c.Query(ctx, `SELECT column_name FROM information_schema.columns
				WHERE table_schema = $1 AND table_name = $2 AND NOT column_name = ANY($3) ORDER BY ordinal_position`, sv[0], sv[1], skip)
			if err != nil {
				t.Fatal(err)
			}
			cols, err := pgx.CollectRows(r, pgx.RowTo[string])
			if err != nil {
				t.Fatal(err)
			}
			for i, col := range cols {
				cols[i] = "t." + pgx.Identifier{col}.Sanitize()
			}
			row = "ROW(" + strings.Join(cols, ", ") + ")::text"
		}
		r, err := c.Query(ctx, `SELECT `+row+` FROM `+name+` t ORDER BY 1`)
		if err != nil {
			t.Fatalf("dump %s: %v", name, err)
		}
		lines, err := pgx.CollectRows(r, pgx.RowTo[string])
		if err != nil {
			t.Fatalf("dump %s: %v", name, err)
		}
		out[sv[0]+"."+sv[1]] = lines
	}
	return out
}

func firstDiff(want, got []string) string {
	for i := range max(len(want), len(got)) {
		var w, g string
		if i < len(want) {
			w = want[i]
		}
		if i < len(got) {
			g = got[i]
		}
		if w != g {
			return fmt.Sprintf("row %d: got %q, want %q", i, g, w)
		}
	}
	return ""
}
