package projections

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/odata-pos/pos/eventstore"
)

// Checkpoint row states.
const (
	statusRunning    = "running"
	statusRebuilding = "rebuilding"
	statusFailed     = "failed"
	statusStopped    = "stopped"
)

// migrationLockKey serialises Migrate across processes (an arbitrary constant).
const migrationLockKey = 0x706f735f70726f6a // "pos_proj"

// ddl creates the runner's control table. One row per generation of a projection: the live
// one (live = true) and at most one generation being rebuilt beside it.
const ddl = `
CREATE TABLE IF NOT EXISTS projection_checkpoints (
	schema_name    text PRIMARY KEY,
	name           text NOT NULL,
	version        integer NOT NULL,
	generation     integer NOT NULL,
	live           boolean NOT NULL,
	position       bigint NOT NULL DEFAULT 0 CHECK (position >= 0),
	status         text NOT NULL CHECK (status IN ('running', 'rebuilding', 'failed')),
	last_error     text,
	error_position bigint,
	skipped        bigint[] NOT NULL DEFAULT '{}',
	updated_at     timestamptz NOT NULL DEFAULT now(),
	UNIQUE (name, generation)
);
CREATE UNIQUE INDEX IF NOT EXISTS projection_checkpoints_one_live ON projection_checkpoints (name) WHERE live;
CREATE UNIQUE INDEX IF NOT EXISTS projection_checkpoints_one_next ON projection_checkpoints (name) WHERE NOT live;
COMMENT ON TABLE projection_checkpoints IS 'Projection runner: one row per generation of a read model (live, or being rebuilt), its $all checkpoint and failure state';
`

// Migrate creates the runner's control table if it does not exist. Run calls it; posctl may
// call it on its own. Concurrent calls from several processes are safe.
func (r *Runner) Migrate(ctx context.Context) error {
	return pgx.BeginFunc(ctx, r.cfg.Pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, int64(migrationLockKey)); err != nil {
			return fmt.Errorf("lock projection migration: %w", err)
		}
		if _, err := tx.Exec(ctx, ddl); err != nil {
			return fmt.Errorf("create projection_checkpoints: %w", err)
		}
		if _, err := tx.Exec(ctx, parkDDL); err != nil {
			return fmt.Errorf("create projection_parked: %w", err)
		}
		return nil
	})
}

// checkpoint is one row of projection_checkpoints.
type checkpoint struct {
	Schema        string
	Name          string
	Version       int
	Generation    int
	Live          bool
	Position      eventstore.Position
	Status        string
	LastError     string
	ErrorPosition *eventstore.Position
	Skipped       []eventstore.Position
	Parked        int
	UpdatedAt     time.Time
}

const checkpointColumns = `schema_name, name, version, generation, live, position, status,
	coalesce(last_error, ''), error_position, skipped, parked, updated_at`

// querier is what both a pool and a transaction offer.
type querier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
}

// loadCheckpoints returns the rows of one projection (all when name is empty), live first.
// With forUpdate it locks them (q must then be a transaction).
func loadCheckpoints(ctx context.Context, q querier, name string, forUpdate bool) ([]checkpoint, error) {
	sql := `SELECT ` + checkpointColumns + ` FROM projection_checkpoints
		WHERE ($1 = '' OR name = $1) ORDER BY name, live DESC, generation`
	if forUpdate {
		sql += ` FOR UPDATE`
	}
	rows, err := q.Query(ctx, sql, name)
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "42P01" && !forUpdate {
		return nil, nil // not migrated yet: no projection has started
	}
	if err != nil {
		return nil, fmt.Errorf("load checkpoints of %q: %w", name, err)
	}
	cps, err := pgx.CollectRows(rows, scanCheckpoint)
	if err != nil {
		return nil, fmt.Errorf("load checkpoints of %q: %w", name, err)
	}
	return cps, nil
}

func scanCheckpoint(row pgx.CollectableRow) (checkpoint, error) {
	var (
		c       checkpoint
		pos     int64
		errPos  *int64
		skipped []int64
	)
	err := row.Scan(&c.Schema, &c.Name, &c.Version, &c.Generation, &c.Live, &pos, &c.Status,
		&c.LastError, &errPos, &skipped, &c.Parked, &c.UpdatedAt)
	c.Position = eventstore.Position(pos)
	if errPos != nil {
		p := eventstore.Position(*errPos)
		c.ErrorPosition = &p
	}
	for _, s := range skipped {
		c.Skipped = append(c.Skipped, eventstore.Position(s))
	}
	return c, err
}

// split returns the live row and the row being rebuilt (either may be nil).
func split(cps []checkpoint) (live, next *checkpoint) {
	for i := range cps {
		if cps[i].Live {
			live = &cps[i]
		} else {
			next = &cps[i]
		}
	}
	return live, next
}

// createGeneration creates the next generation of p: a fresh schema set up by p and its
// checkpoint row at position 0. The first generation is live at once (and its views are
// created); later ones are built beside the live one until the swap.
func createGeneration(ctx context.Context, tx pgx.Tx, p Projection, live bool, skipped []eventstore.Position) (checkpoint, error) {
	var gen int
	if err := tx.QueryRow(ctx, `SELECT coalesce(max(generation), 0) + 1 FROM projection_checkpoints WHERE name = $1`,
		p.Name()).Scan(&gen); err != nil {
		return checkpoint{}, fmt.Errorf("next generation of %s: %w", p.Name(), err)
	}
	c := checkpoint{
		Schema: physicalSchema(p.Name(), p.Version(), gen), Name: p.Name(), Version: p.Version(),
		Generation: gen, Live: live, Status: statusRebuilding, Skipped: skipped,
	}
	if live {
		c.Status = statusRunning
	}
	if _, err := tx.Exec(ctx, `CREATE SCHEMA `+pgx.Identifier{c.Schema}.Sanitize()); err != nil {
		return checkpoint{}, fmt.Errorf("create schema %s: %w", c.Schema, err)
	}
	if err := p.Setup(ctx, tx, c.Schema); err != nil {
		return checkpoint{}, fmt.Errorf("set up %s: %w", c.Schema, err)
	}
	if _, err := tx.Exec(ctx, `INSERT INTO projection_checkpoints
		(schema_name, name, version, generation, live, status, skipped) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		c.Schema, c.Name, c.Version, c.Generation, c.Live, c.Status, positionsToInt64(skipped)); err != nil {
		return checkpoint{}, fmt.Errorf("insert checkpoint %s: %w", c.Schema, err)
	}
	if live {
		if err := pointViews(ctx, tx, p.Name(), c.Schema); err != nil {
			return checkpoint{}, err
		}
	}
	return c, nil
}

// dropGeneration removes a generation that is not live: its schema and its row.
func dropGeneration(ctx context.Context, tx pgx.Tx, schema string) error {
	tag, err := tx.Exec(ctx, `DELETE FROM projection_checkpoints WHERE schema_name = $1 AND NOT live`, schema)
	if err != nil {
		return fmt.Errorf("delete checkpoint %s: %w", schema, err)
	}
	if tag.RowsAffected() != 1 {
		return fmt.Errorf("drop generation %s: %w", schema, errFenced)
	}
	if _, err := tx.Exec(ctx, `DROP SCHEMA IF EXISTS `+pgx.Identifier{schema}.Sanitize()+` CASCADE`); err != nil {
		return fmt.Errorf("drop schema %s: %w", schema, err)
	}
	return nil
}

// recordFailure marks a generation failed at pos with err, outside the failed batch's
// transaction (which rolled back).
func (r *Runner) recordFailure(ctx context.Context, schema string, pos eventstore.Position, cause error) error {
	_, err := r.cfg.Pool.Exec(ctx, `UPDATE projection_checkpoints
		SET status = 'failed', last_error = $2, error_position = $3, updated_at = now()
		WHERE schema_name = $1`, schema, cause.Error(), int64(pos))
	if err != nil {
		return fmt.Errorf("record failure of %s at %d: %w", schema, pos, err)
	}
	return nil
}

func positionsToInt64(ps []eventstore.Position) []int64 {
	out := make([]int64, 0, len(ps))
	for _, p := range ps {
		out = append(out, int64(p))
	}
	return out
}

// errFenced reports that a checkpoint row no longer is where this worker thinks it is: another
// replica took the projection over, an operator changed it, or a swap retired it.
var errFenced = errors.New("checkpoint moved by someone else")
