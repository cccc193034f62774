package audit

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/odata-pos/pos/eventstore"
)

// Defaults of Checkpointer.
const (
	DefaultCheckpointEvery    = 10000
	DefaultCheckpointInterval = 5 * time.Second
	readPage                  = 2000
)

// ErrCheckpointForged is returned when the latest stored checkpoint does not verify under the
// key: the checkpointer refuses to extend it.
var ErrCheckpointForged = errors.New("audit checkpoint does not verify under the key")

// Checkpointer extends the audit checkpoints over new events of $all. cmd/posd runs one in
// the projector role; several may run at once (they write the same checkpoints). A
// Checkpointer itself is used by one goroutine at a time.
type Checkpointer struct {
	Store eventstore.Store
	DB    *pgxpool.Pool
	Key   []byte
	// Every is the most events between two checkpoints (default DefaultCheckpointEvery).
	Every int
	// Interval is the pause between two runs of Extend in Run (default
	// DefaultCheckpointInterval): the longest time a new event stays unsealed, plus one run.
	Interval time.Duration
	Log      *slog.Logger
	// Index also writes every event's filter columns to audit_event_index, for PGReader. Set
	// it when the events live in DB (InPostgres).
	Index bool

	schemaReady bool
}

// Run extends the checkpoints every Interval until ctx ends.
func (c *Checkpointer) Run(ctx context.Context) error {
	interval := c.Interval
	if interval <= 0 {
		interval = DefaultCheckpointInterval
	}
	log := c.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if _, err := c.Extend(ctx); err != nil && ctx.Err() == nil {
			log.ErrorContext(ctx, "audit checkpoint", slog.String("error", err.Error()))
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// Extend folds the events after the latest checkpoint up to the head of $all and stores a
// checkpoint every Every events and at the end. It returns the last checkpoint stored (the
// previous one when there was nothing new). It refuses to extend a checkpoint whose MAC is
// wrong (ErrCheckpointForged).
func (c *Checkpointer) Extend(ctx context.Context) (Checkpoint, error) {
	if len(c.Key) == 0 {
		return Checkpoint{}, errors.New("audit checkpointer: no key")
	}
	every := uint64(c.Every)
	if every == 0 {
		every = DefaultCheckpointEvery
	}
	if !c.schemaReady {
		if err := EnsureSchema(ctx, c.DB); err != nil {
			return Checkpoint{}, err
		}
		c.schemaReady = true
	}
	cps := NewCheckpoints(c.DB)
	last, found, err := cps.Latest(ctx)
	if err != nil {
		return Checkpoint{}, err
	}
	if found && !last.Valid(c.Key) {
		return last, fmt.Errorf("%w: position %d", ErrCheckpointForged, last.Position)
	}
	if c.Index {
		if err := catchUpIndex(ctx, c.Store, c.DB, last.Position); err != nil {
			return last, err
		}
	}
	fold := Fold{Position: last.Position, Count: last.Count, Hash: last.Hash}
	seal := func() error {
		cp := Checkpoint{Position: fold.Position, Count: fold.Count, Hash: fold.Hash}
		cp.MAC = MAC(c.Key, cp.Position, cp.Count, cp.Hash)
		if err := cps.Insert(ctx, cp); err != nil {
			return err
		}
		last = cp
		return nil
	}
	for {
		evs, err := c.Store.ReadAll(ctx, fold.Position, readPage, eventstore.Filter{})
		if err != nil {
			return last, fmt.Errorf("audit checkpoint: %w", err)
		}
		if c.Index && len(evs) > 0 {
			if err := writeIndex(ctx, c.DB, evs); err != nil {
				return last, err
			}
		}
		for i := range evs {
			fold.Add(&evs[i])
			if fold.Count%every == 0 {
				if err := seal(); err != nil {
					return last, err
				}
			}
		}
		if len(evs) < readPage {
			if fold.Position != last.Position {
				if err := seal(); err != nil {
					return last, err
				}
			}
			return last, nil
		}
	}
}
