package publish

import (
	"context"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/odata-pos/pos/internal/pgcheckpoint"
)

// CheckpointTable holds the publisher's checkpoints, one row per target (name = the target's
// name): the $all position up to which the broker confirmed every message.
const CheckpointTable = "publish_checkpoints"

// Migrate creates the checkpoint table if needed. Concurrent calls are safe.
func Migrate(ctx context.Context, pool *pgxpool.Pool) error {
	_, err := openCheckpoints(ctx, pool)
	return err
}

func openCheckpoints(ctx context.Context, pool *pgxpool.Pool) (*pgcheckpoint.Store, error) {
	return pgcheckpoint.Open(ctx, pool, CheckpointTable)
}
