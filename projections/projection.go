package projections

import (
	"context"
	"fmt"
	"regexp"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/odata-pos/pos/eventstore"
)

// Projection is a read model: a deterministic fold of $all events into PostgreSQL tables.
type Projection interface {
	// Name identifies the projection. It is also the name of the stable schema whose views
	// expose the live tables, so it must match [a-z][a-z0-9_]* (at most 40 characters, no "__").
	Name() string
	// Version is bumped whenever the projection's code or schema changes; a Runner that finds
	// a live generation of another version rebuilds it from the start.
	Version() int
	// Filter selects the events Apply needs; the runner subscribes with it.
	Filter() eventstore.Filter
	// Setup creates the projection's tables (and indexes) in schema, which exists and is empty.
	Setup(ctx context.Context, tx pgx.Tx, schema string) error
	// Apply folds a batch of events (in $all order, never empty) into the tables of schema,
	// inside tx, which also moves the checkpoint. It must be deterministic: use event fields and
	// metadata only, never the wall clock or randomness. An error rolls the batch back.
	Apply(ctx context.Context, tx pgx.Tx, schema string, batch []eventstore.RecordedEvent) error
}

var validName = regexp.MustCompile(`^[a-z][a-z0-9_]{0,39}$`)

// ValidateName reports whether name can name a projection (and its stable schema).
func ValidateName(name string) error {
	if !validName.MatchString(name) || strings.Contains(name, "__") {
		return fmt.Errorf("projection name %q: want [a-z][a-z0-9_]*, at most 40 characters, no \"__\"", name)
	}
	return nil
}

// Table returns the quoted, schema-qualified name of a table, ready to splice into SQL:
// Table("reports__v3_g7", "sales_by_day") is "reports__v3_g7"."sales_by_day".
func Table(schema, table string) string {
	return pgx.Identifier{schema, table}.Sanitize()
}

// SendBatch sends the queued statements of b in one round trip on tx and returns the first
// error. Projections use it to write a whole event batch at once (one upsert per event costs
// one pipelined statement, not one round trip); b may be empty.
func SendBatch(ctx context.Context, tx pgx.Tx, b *pgx.Batch) error {
	if b.Len() == 0 {
		return nil
	}
	if err := tx.SendBatch(ctx, b).Close(); err != nil {
		return fmt.Errorf("send batch of %d statements: %w", b.Len(), err)
	}
	return nil
}

// physicalSchema names the schema of one generation of a projection's tables.
func physicalSchema(name string, version, generation int) string {
	return fmt.Sprintf("%s__v%d_g%d", name, version, generation)
}
