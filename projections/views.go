package projections

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// pointViews makes the stable schema (named after the projection) expose the relations of the
// physical schema phys: one view per table, "SELECT * FROM phys.table". Views whose table no
// longer exists are dropped. It runs inside the swap transaction, so queries see either the old
// generation or the new one, never a mix or a missing view.
//
// A view is replaced in place (CREATE OR REPLACE keeps its grants and the views analysts built on
// it); only when its columns changed incompatibly (a Version bump) is it dropped and re-created.
func pointViews(ctx context.Context, tx pgx.Tx, stable, phys string) error {
	stableID := pgx.Identifier{stable}.Sanitize()
	if _, err := tx.Exec(ctx, `CREATE SCHEMA IF NOT EXISTS `+stableID); err != nil {
		return fmt.Errorf("create schema %s: %w", stable, err)
	}
	rows, err := tx.Query(ctx, `SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE n.nspname = $1 AND c.relkind IN ('r', 'p', 'v', 'm') ORDER BY c.relname`, phys)
	if err != nil {
		return fmt.Errorf("list tables of %s: %w", phys, err)
	}
	tables, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return fmt.Errorf("list tables of %s: %w", phys, err)
	}
	rows, err = tx.Query(ctx, `SELECT viewname FROM pg_views WHERE schemaname = $1 ORDER BY viewname`, stable)
	if err != nil {
		return fmt.Errorf("list views of %s: %w", stable, err)
	}
	views, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return fmt.Errorf("list views of %s: %w", stable, err)
	}
	want := make(map[string]bool, len(tables))
	for _, t := range tables {
		want[t] = true
	}
	for _, v := range views {
		if !want[v] {
			if _, err := tx.Exec(ctx, `DROP VIEW `+Table(stable, v)); err != nil {
				return fmt.Errorf("drop view %s.%s: %w", stable, v, err)
			}
		}
	}
	for _, t := range tables {
		if err := pointView(ctx, tx, Table(stable, t), Table(phys, t)); err != nil {
			return fmt.Errorf("point view %s.%s at %s: %w", stable, t, phys, err)
		}
	}
	return nil
}

func pointView(ctx context.Context, tx pgx.Tx, view, table string) error {
	def := ` VIEW ` + view + ` AS SELECT * FROM ` + table
	sp, err := tx.Begin(ctx) // savepoint: a failed CREATE OR REPLACE must not abort the swap
	if err != nil {
		return err
	}
	if _, err := sp.Exec(ctx, `CREATE OR REPLACE`+def); err == nil {
		return sp.Commit(ctx)
	}
	if err := sp.Rollback(ctx); err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `DROP VIEW IF EXISTS `+view); err != nil {
		return err
	}
	_, err = tx.Exec(ctx, `CREATE`+def)
	return err
}
