package main

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/odata-pos/pos/internal/pguuid"
)

// maxShown is how many differing rows compare prints per relation.
const maxShown = 10

func auditCompare(ctx context.Context, e env) error {
	if len(e.args) != 2 {
		return fmt.Errorf("%w: posctl audit compare <database URL A> <database URL B>", errUsage)
	}
	var pools [2]*pgxpool.Pool
	for i, u := range e.args {
		p, err := pguuid.NewPool(ctx, u)
		if err != nil {
			return fmt.Errorf("database %c: %w", 'A'+i, err)
		}
		defer p.Close()
		pools[i] = p
	}
	diffs, err := compareDatabases(ctx, pools[0], pools[1], e.stdout)
	if err != nil {
		return err
	}
	if diffs > 0 {
		fmt.Fprintf(e.stdout, "DIFFERENT: %d differences\n", diffs)
		return errFound
	}
	fmt.Fprintln(e.stdout, "identical")
	return nil
}

// compareDatabases compares the read models of two databases: every table and view of the
// stable schema of every projection either database knows (projection_checkpoints), row by
// row, streaming both sides in the same order (constant memory). Runner bookkeeping (positions,
// times) and the physical generation schemas, whose names differ between databases, are not
// compared. It writes every difference to w and returns how many there were.
func compareDatabases(ctx context.Context, a, b *pgxpool.Pool, w io.Writer) (int, error) {
	ra, err := readModelRelations(ctx, a)
	if err != nil {
		return 0, fmt.Errorf("database A: %w", err)
	}
	rb, err := readModelRelations(ctx, b)
	if err != nil {
		return 0, fmt.Errorf("database B: %w", err)
	}
	all := slices.Compact(slices.Sorted(slices.Values(append(slices.Clone(ra), rb...))))
	diffs := 0
	for _, rel := range all {
		inA, inB := slices.Contains(ra, rel), slices.Contains(rb, rel)
		if !inA || !inB {
			side := "A"
			if inA {
				side = "B"
			}
			fmt.Fprintf(w, "%s: missing in database %s\n", rel, side)
			diffs++
			continue
		}
		n, err := compareRelation(ctx, a, b, rel, w)
		if err != nil {
			return diffs, err
		}
		diffs += n
	}
	return diffs, nil
}

// readModelRelations lists "schema.relation" of the projections' stable schemas.
func readModelRelations(ctx context.Context, db *pgxpool.Pool) ([]string, error) {
	rows, err := db.Query(ctx, `
		SELECT s.nspname || '.' || c.relname
		  FROM pg_class c JOIN pg_namespace s ON s.oid = c.relnamespace
		 WHERE c.relkind IN ('r', 'v', 'm', 'p')
		   AND s.nspname IN (SELECT name FROM projection_checkpoints)
		 ORDER BY 1`)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowTo[string])
}

// compareRelation merges the rows of rel (as text, sorted bytewise) from both databases.
func compareRelation(ctx context.Context, a, b *pgxpool.Pool, rel string, w io.Writer) (int, error) {
	schema, name, _ := strings.Cut(rel, ".")
	sql := `SELECT t::text FROM ` + pgx.Identifier{schema, name}.Sanitize() + ` t ORDER BY t::text COLLATE "C"`
	ca, err := newRowCursor(ctx, a, sql)
	if err != nil {
		return 0, fmt.Errorf("%s in A: %w", rel, err)
	}
	defer ca.rows.Close()
	cb, err := newRowCursor(ctx, b, sql)
	if err != nil {
		return 0, fmt.Errorf("%s in B: %w", rel, err)
	}
	defer cb.rows.Close()
	diffs, shown := 0, 0
	report := func(side, row string) {
		diffs++
		if shown < maxShown {
			fmt.Fprintf(w, "%s: only in %s: %s\n", rel, side, row)
			shown++
		}
	}
	for ca.ok || cb.ok {
		switch {
		case !cb.ok || ca.ok && ca.row < cb.row:
			report("A", ca.row)
			ca.next()
		case !ca.ok || cb.row < ca.row:
			report("B", cb.row)
			cb.next()
		default:
			ca.next()
			cb.next()
		}
	}
	if err := ca.err(); err != nil {
		return diffs, fmt.Errorf("%s in A: %w", rel, err)
	}
	if err := cb.err(); err != nil {
		return diffs, fmt.Errorf("%s in B: %w", rel, err)
	}
	if diffs > shown {
		fmt.Fprintf(w, "%s: … %d differing rows in all\n", rel, diffs)
	}
	return diffs, nil
}

type rowCursor struct {
	rows pgx.Rows
	row  string
	ok   bool
}

func newRowCursor(ctx context.Context, db *pgxpool.Pool, sql string) (*rowCursor, error) {
	rows, err := db.Query(ctx, sql)
	if err != nil {
		return nil, err
	}
	c := &rowCursor{rows: rows}
	c.next()
	return c, nil
}

func (c *rowCursor) next() {
	c.ok = c.rows.Next()
	if c.ok {
		c.ok = c.rows.Scan(&c.row) == nil
	}
}

func (c *rowCursor) err() error { return c.rows.Err() }
