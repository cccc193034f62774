package users

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/odata-pos/pos/domain/user"
	"github.com/odata-pos/pos/eventstore"
	"github.com/odata-pos/pos/projections"
	"github.com/odata-pos/pos/projections/readkit"
)

// Name is the projection's name and the schema of its stable view.
const Name = "users"

// Projection folds user events into the users table.
type Projection struct {
	codec readkit.Decoder
}

// New returns the projection; codec must know the user events (an *eventstore.Codec, or a
// readkit.Shared over one).
func New(codec readkit.Decoder) *Projection { return &Projection{codec: codec} }

// Name returns Name.
func (*Projection) Name() string { return Name }

// Version is bumped whenever the table or the fold change.
func (*Projection) Version() int { return 1 }

// Filter selects the user events the table needs (not password changes).
func (*Projection) Filter() eventstore.Filter {
	return readkit.Filter(user.TypeRegistered, user.TypeRolesChanged, user.TypeStoreScopeChanged, user.TypeDisabled, user.TypeEnabled)
}

// Setup creates the table and its indexes.
func (*Projection) Setup(ctx context.Context, tx pgx.Tx, schema string) error {
	_, err := tx.Exec(ctx, fmt.Sprintf(`
CREATE TABLE %[1]s (
	id text PRIMARY KEY, username text NOT NULL, roles text[] NOT NULL, store_ids text[] NOT NULL,
	disabled boolean NOT NULL DEFAULT false, created_at timestamptz NOT NULL, updated_at timestamptz NOT NULL);
CREATE INDEX ON %[1]s (username, id);
CREATE INDEX ON %[1]s (created_at, id);`, projections.Table(schema, "users")))
	return err
}

// Apply folds a batch: one pipelined statement per event.
func (p *Projection) Apply(ctx context.Context, tx pgx.Tx, schema string, batch []eventstore.RecordedEvent) error {
	users := projections.Table(schema, "users")
	b := &pgx.Batch{}
	err := readkit.Decode(p.codec, batch, func(e eventstore.RecordedEvent, v any) error {
		at := readkit.OccurredAt(e)
		switch ev := v.(type) {
		case user.Registered:
			b.Queue(`INSERT INTO `+users+` (id, username, roles, store_ids, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $5)
				ON CONFLICT (id) DO NOTHING`, ev.UserID, ev.Username, nonNil(ev.Roles), nonNil(ev.StoreIDs), at)
		case user.RolesChanged:
			b.Queue(`UPDATE `+users+` SET roles = $2, updated_at = $3 WHERE id = $1`, ev.UserID, nonNil(ev.Roles), at)
		case user.StoreScopeChanged:
			b.Queue(`UPDATE `+users+` SET store_ids = $2, updated_at = $3 WHERE id = $1`, ev.UserID, nonNil(ev.StoreIDs), at)
		case user.Disabled:
			b.Queue(`UPDATE `+users+` SET disabled = true, updated_at = $2 WHERE id = $1`, ev.UserID, at)
		case user.Enabled:
			b.Queue(`UPDATE `+users+` SET disabled = false, updated_at = $2 WHERE id = $1`, ev.UserID, at)
		}
		return nil
	})
	if err != nil {
		return err
	}
	return projections.SendBatch(ctx, tx, b)
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
