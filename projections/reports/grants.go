package reports

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// grantAnalyst lets AnalystRole read the stable schema and nothing else: it creates the role
// (NOLOGIN: give analysts their own login roles and GRANT pos_analyst to them) when missing,
// grants USAGE on the schema and SELECT on its views, and sets default privileges so the
// views that a rebuild with a changed layout re-creates are readable too (views that are only
// re-pointed keep their grants). It runs in every Setup, so a new generation re-checks it.
//
// When the database role of posd may not create roles, the grants are skipped: a DBA creates
// pos_analyst once and the next rebuild (or restart of a new generation) grants it.
func grantAnalyst(ctx context.Context, tx pgx.Tx) error {
	err := pgx.BeginFunc(ctx, tx, func(sp pgx.Tx) error { // savepoint: a refused CREATE ROLE must not abort Setup
		var exists bool
		if err := sp.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1)`, AnalystRole).Scan(&exists); err != nil {
			return err
		}
		if exists {
			return nil
		}
		_, err := sp.Exec(ctx, `CREATE ROLE `+pgx.Identifier{AnalystRole}.Sanitize()+` NOLOGIN`)
		return err
	})
	var pgErr *pgconn.PgError
	switch {
	case errors.As(err, &pgErr) && (pgErr.Code == "42710" || pgErr.Code == "23505"):
		// created concurrently by another database's projection (roles are cluster-wide)
	case errors.As(err, &pgErr) && pgErr.Code == "42501":
		var exists bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1)`, AnalystRole).Scan(&exists); err != nil || !exists {
			return err // no privilege to create it and nobody did: nothing to grant to
		}
	case err != nil:
		return fmt.Errorf("create role %s: %w", AnalystRole, err)
	}
	role, schema := pgx.Identifier{AnalystRole}.Sanitize(), pgx.Identifier{Name}.Sanitize()
	for _, sql := range []string{
		`CREATE SCHEMA IF NOT EXISTS ` + schema,
		`GRANT USAGE ON SCHEMA ` + schema + ` TO ` + role,
		`GRANT SELECT ON ALL TABLES IN SCHEMA ` + schema + ` TO ` + role,
		`ALTER DEFAULT PRIVILEGES IN SCHEMA ` + schema + ` GRANT SELECT ON TABLES TO ` + role,
	} {
		if _, err := tx.Exec(ctx, sql); err != nil {
			return fmt.Errorf("grant %s: %s: %w", AnalystRole, sql, err)
		}
	}
	return nil
}
