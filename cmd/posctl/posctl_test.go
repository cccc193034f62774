package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/odata-pos/pos/api/apitest"
	"github.com/odata-pos/pos/api/authz"
	"github.com/odata-pos/pos/api/sales/salestest"
	"github.com/odata-pos/pos/internal/pgtest"
)

// shop is a running API with master data and a few completed sales.
func shop(t *testing.T) *apitest.Env {
	t.Helper()
	e := apitest.New(t, apitest.Options{})
	h := e.API.Commands
	storeID := salestest.NewStore(t, h, "A", salestest.Settings(true))
	regID := salestest.NewRegister(t, h, storeID, "R1")
	salestest.NewTaxCode(t, h, "STD", 2100)
	bread := salestest.NewProduct(t, h, salestest.Product{SKU: "BREAD", Price: 299, TaxCode: "STD", TrackStock: true})
	wine := salestest.NewProduct(t, h, salestest.Product{SKU: "WINE", Price: 1000, TaxCode: "STD"})
	cashier := salestest.Token(t, e.API, "cashier-1", authz.RoleCashier, storeID.String())
	shiftID := uuid.New()
	e.Must(http.StatusCreated, "POST", "/api/v1/shifts", cashier, map[string]any{"id": shiftID, "register_id": regID, "opening_float": salestest.EUR(10000)})
	for i := range 4 {
		e.Must(http.StatusCreated, "POST", "/api/v1/sales", cashier, map[string]any{
			"id": uuid.New(), "store_id": storeID, "register_id": regID, "shift_id": shiftID, "complete": true,
			"lines": []any{
				map[string]any{"id": uuid.New(), "product_id": bread, "quantity": json.Number("2")},
				map[string]any{"id": uuid.New(), "product_id": wine, "quantity": json.Number("1")},
			},
			"payments": []any{map[string]any{"id": uuid.New(), "tender": []string{"cash", "card"}[i%2], "amount": salestest.EUR(1598)}},
		})
	}
	return e
}

func newPool(t *testing.T) (*pgxpool.Pool, string) {
	t.Helper()
	url := pgtest.NewDatabase(t)
	p, err := pgxpool.New(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Close)
	return p, url
}

// TestReplayTwiceGivesIdenticalTables rebuilds every read model twice into empty databases
// and compares them table by table; then a changed row must show as a difference.
func TestReplayTwiceGivesIdenticalTables(t *testing.T) {
	e := shop(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	a, urlA := newPool(t)
	b, urlB := newPool(t)
	for _, db := range []*pgxpool.Pool{a, b} {
		if _, err := replay(ctx, e.Store, db, allProjections()); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := replay(ctx, e.Store, a, allProjections()); err == nil {
		t.Fatal("replay into a database that is not empty was not refused")
	}
	var out bytes.Buffer
	if n, err := compareDatabases(ctx, a, b, &out); err != nil || n != 0 {
		t.Fatalf("replays differ (%d, %v):\n%s", n, err, out.String())
	}
	rels, err := readModelRelations(ctx, a)
	if err != nil || len(rels) < 5 {
		t.Fatalf("read-model relations: %v %v", rels, err)
	}
	var rows int
	for _, rel := range rels {
		var n int
		schema, name, _ := strings.Cut(rel, ".")
		if err := a.QueryRow(ctx, `SELECT count(*) FROM "`+schema+`"."`+name+`"`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		rows += n
	}
	if rows < 10 {
		t.Fatalf("the replayed read models hold %d rows in all", rows)
	}
	t.Logf("%d relations, %d rows, identical", len(rels), rows)

	// Tamper with one row of B: compare must say where (through the CLI, exit "found").
	var tbl string
	if err := b.QueryRow(ctx, `SELECT schemaname || '.' || tablename FROM pg_tables WHERE schemaname LIKE 'sales\_\_%' ORDER BY 1 LIMIT 1`).Scan(&tbl); err != nil {
		t.Fatal(err)
	}
	schema, name, _ := strings.Cut(tbl, ".")
	if _, err := b.Exec(ctx, `DELETE FROM "`+schema+`"."`+name+`" WHERE ctid = (SELECT min(ctid) FROM "`+schema+`"."`+name+`")`); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	err = run(ctx, []string{"audit", "compare", urlA, urlB}, lookup(nil), &out, &out)
	if !errors.Is(err, errFound) || !strings.Contains(out.String(), "only in A") {
		t.Fatalf("compare after a deleted row: %v\n%s", err, out.String())
	}
}

func lookup(vars map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := vars[k]; return v, ok }
}

// TestVerifyAndExportThroughTheCLI seals and verifies the log of a shop, then exports it in
// both formats.
func TestVerifyAndExportThroughTheCLI(t *testing.T) {
	e := shop(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	vars := lookup(map[string]string{
		"POS_DATABASE_URL": e.DB.Config().ConnString(), "POS_JWT_SECRET": "apitest-signing-key-0123456789abcdef",
		"POS_REDIS_URL": "", "POS_DATA_DIR": t.TempDir(),
	})
	var out bytes.Buffer
	for _, args := range [][]string{{"audit", "checkpoint"}, {"audit", "verify"}} {
		out.Reset()
		if err := run(ctx, args, vars, &out, &out); err != nil {
			t.Fatalf("%v: %v\n%s", args, err, out.String())
		}
	}
	if !strings.HasPrefix(out.String(), "ok: ") {
		t.Fatalf("verify: %s", out.String())
	}
	if _, err := e.DB.Exec(ctx, `UPDATE events SET data = '{"total":1}' WHERE position = 5`); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	if err := run(ctx, []string{"audit", "verify"}, vars, &out, &out); !errors.Is(err, errFound) || !strings.Contains(out.String(), "BROKEN: hash_mismatch") {
		t.Fatalf("verify after tampering: %v\n%s", err, out.String())
	}
	dir := t.TempDir()
	var total int
	if err := e.DB.QueryRow(ctx, `SELECT count(*) FROM events`).Scan(&total); err != nil {
		t.Fatal(err)
	}
	for _, format := range []string{"jsonl", "csv"} {
		file := filepath.Join(dir, "out."+format)
		out.Reset()
		if err := run(ctx, []string{"audit", "export", "--format", format, "--out", file, "--from", "2000-01-01"}, vars, &out, &out); err != nil {
			t.Fatalf("export %s: %v\n%s", format, err, out.String())
		}
		b, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		lines := bytes.Count(b, []byte("\n"))
		want := total
		if format == "csv" {
			want++ // header (data fields with newlines would be quoted; these have none)
		}
		if lines != want {
			t.Fatalf("%s export has %d lines, want %d", format, lines, want)
		}
	}
}
