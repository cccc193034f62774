package reports_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/odata-pos/pos/domain/store"
	"github.com/odata-pos/pos/eventstore"
	"github.com/odata-pos/pos/eventstore/pgstore"
	"github.com/odata-pos/pos/internal/pgtest"
	"github.com/odata-pos/pos/internal/poll"
	"github.com/odata-pos/pos/projections"
	"github.com/odata-pos/pos/projections/reports"
)

// asAnalyst runs sql as pos_analyst (SET ROLE in a transaction rolled back afterwards).
func asAnalyst(t *testing.T, pool *pgxpool.Pool, sql string) error {
	t.Helper()
	ctx := context.Background()
	tx, err := pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = tx.Rollback(ctx) }()
	if _, err := tx.Exec(ctx, `SET LOCAL ROLE `+reports.AnalystRole); err != nil {
		t.Fatal(err)
	}
	rows, err := tx.Query(ctx, sql)
	if err != nil {
		return err
	}
	rows.Close()
	return rows.Err()
}

func denied(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && pgErr.Code == "42501"
}

// TestAnalystRoleReadsReportsOnlyAndKeepsItAcrossRebuilds: pos_analyst can SELECT every report
// view, cannot write them, cannot read the events or the physical schemas, and still reads
// after a rebuild swapped the generation.
func TestAnalystRoleReadsReportsOnlyAndKeepsItAcrossRebuilds(t *testing.T) {
	ctx := context.Background()
	url := pgtest.NewDatabase(t)
	pool, err := pgxpool.New(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	es, err := pgstore.Open(ctx, url, pgstore.Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = es.Close() })
	id := uuid.New()
	data, _ := json.Marshal(store.StoreCreated{StoreID: id, Code: "S", Name: "S", Currency: "EUR", Timezone: "Europe/Paris"})
	res, err := es.Append(ctx, "store-"+id.String(), eventstore.NoStream, []eventstore.EventData{{ID: uuid.New(), Type: store.TypeStoreCreated, Data: data}})
	if err != nil {
		t.Fatal(err)
	}
	r, err := projections.New(projections.Config{Pool: pool, Store: es, Projections: reports.All(), Registerer: prometheus.NewRegistry(),
		PollInterval: 50 * time.Millisecond, IdleInterval: 20 * time.Millisecond, BatchWait: 5 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- r.Run(runCtx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("runner: %v", err)
		}
	})
	wctx, wcancel := context.WithTimeout(ctx, 30*time.Second)
	defer wcancel()
	if err := r.WaitFor(wctx, reports.Name, res.Position); err != nil {
		t.Fatal(err)
	}

	check := func(stage string) {
		t.Helper()
		views := []string{"stores", "products", "sales_daily", "sales_by_product", "sales_by_category", "sales_by_cashier",
			"sales_by_hour", "sales_by_tender", "returns_by_reason", "inventory_valuation", "shifts", "top_products"}
		for _, v := range views {
			if err := asAnalyst(t, pool, `SELECT * FROM reports.`+v); err != nil {
				t.Fatalf("%s: analyst SELECT reports.%s: %v", stage, v, err)
			}
		}
		var n int
		if err := pool.QueryRow(ctx, `SELECT count(*) FROM reports.stores`).Scan(&n); err != nil || n != 1 {
			t.Fatalf("%s: stores %d %v", stage, n, err)
		}
		schema, err := r.ActiveSchema(ctx, reports.Name)
		if err != nil {
			t.Fatal(err)
		}
		for _, sql := range []string{
			`INSERT INTO reports.stores VALUES (gen_random_uuid(), 'X', 'X', 'EUR', 'UTC')`,
			`UPDATE reports.sales_daily SET gross = 0`,
			`DELETE FROM reports.shifts`,
			`SELECT * FROM events`,
			`SELECT * FROM projection_checkpoints`,
			`SELECT * FROM ` + pgx.Identifier{schema, "stores"}.Sanitize(),
		} {
			if err := asAnalyst(t, pool, sql); !denied(err) {
				t.Fatalf("%s: analyst ran %q: %v, want permission denied", stage, sql, err)
			}
		}
	}
	check("first generation")

	before, _ := r.ActiveSchema(ctx, reports.Name)
	if err := r.Rebuild(ctx, reports.Name); err != nil {
		t.Fatal(err)
	}
	var active string
	poll.Eventually(t, 30*time.Second, func() bool {
		active, err = r.ActiveSchema(ctx, reports.Name)
		return err == nil && active != before
	}, func() string { return fmt.Sprintf("rebuild did not swap: still %s (%v)", active, err) })
	check("after a rebuild")
}
