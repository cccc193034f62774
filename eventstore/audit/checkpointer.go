package audit

import (
	"context"
	"encoding/hex"
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

// ErrCheckpointForged is returned when a stored checkpoint the checkpointer would extend does
// not verify under the key: the checkpointer refuses to extend it.
var ErrCheckpointForged = errors.New("audit checkpoint does not verify under the key")

// Checkpointer extends the audit checkpoints over new events of $all. cmd/posd runs one in
// the projector role; several may run at once (each checks the others' checkpoints before
// going on from them). A Checkpointer itself is used by one goroutine at a time.
//
// A Checkpointer trusts the database's checkpoints only once, when it starts (the newest one
// whose MAC verifies). From then on it keeps in memory the newest seal it made or verified
// and extends only that: it folds the events after it, checks every checkpoint stored since
// against its own fold, and refuses to seal (a *SealError) when its seal is gone from the
// table (a checkpoint rollback) or a stored checkpoint does not extend it. Someone who edits
// sealed events, recomputes their hashes and deletes the newer checkpoints thus gets no new
// seal over the edited history from a running posd, and every seal is logged at info level
// (Checkpoint.Seal) so that an auditor can hold the log to it (Options.Expect).
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
	// it when the events live in DB (the PostgreSQL event store).
	Index bool
	// OnSeal, when set, is told every seal the checkpointer made or verified, newest last:
	// the seal it now extends (for a metric).
	OnSeal func(Checkpoint)
	// OnProblem, when set, is told the problem (a Seal* code) each time Extend refuses to
	// seal because the stored checkpoints do not extend its seal (for a metric an alert uses).
	OnProblem func(problem string)
	// Due, when set, is asked every second (or five times per Interval, when shorter) whether
	// Run should extend now rather than wait out the Interval, given the newest seal's position. cmd/posd sets it to
	// the shared $all reader's fanout.Store.Slipping: at a high event rate a run then starts
	// while its events are still in the reader's window, instead of reading them back from
	// PostgreSQL.
	Due func(sealed eventstore.Position) bool

	schemaReady bool
	trusted     *Checkpoint // the newest seal made or verified; nil before the first Extend
	anchor      *Checkpoint // the seal trusted when the last run began
}

// dueCheck is how often Run asks Due: every second, or five times per Interval when that is
// shorter.
func dueCheck(interval time.Duration) time.Duration {
	return max(min(interval/5, time.Second), time.Millisecond)
}

// Run extends the checkpoints every Interval, or sooner when Due says so, until ctx ends. A
// refusal to seal is logged at error level each time.
func (c *Checkpointer) Run(ctx context.Context) error {
	interval := c.Interval
	if interval <= 0 {
		interval = DefaultCheckpointInterval
	}
	tick := interval
	if c.Due != nil {
		tick = dueCheck(interval)
	}
	t := time.NewTicker(tick)
	defer t.Stop()
	for {
		ran := time.Now()
		if _, err := c.Extend(ctx); err != nil && ctx.Err() == nil {
			attrs := []any{slog.String("error", err.Error())}
			var se *SealError
			if errors.As(err, &se) {
				attrs = append(attrs, slog.String("problem", se.Problem))
				if se.Trusted.Position > 0 {
					attrs = append(attrs, slog.String("trusted_seal", se.Trusted.Seal()))
				}
			}
			c.logger().ErrorContext(ctx, "audit checkpoint", attrs...)
		}
		for waiting := true; waiting; {
			select {
			case <-ctx.Done():
				return nil
			case <-t.C:
			}
			waiting = time.Since(ran) < interval-tick/2 && !c.due()
		}
	}
}

// due reports whether Due asks for a run now, given the newest seal.
func (c *Checkpointer) due() bool {
	if c.Due == nil || c.trusted == nil {
		return false
	}
	return c.Due(c.trusted.Position)
}

func (c *Checkpointer) logger() *slog.Logger {
	if c.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return c.Log
}

// Extend folds the events after the checkpointer's seal up to the head of $all and stores a
// checkpoint every Every events and at the end. It returns the newest seal it trusts (the
// previous one when there was nothing new). It refuses to extend a checkpoint whose MAC is
// wrong (ErrCheckpointForged) and to seal when the stored checkpoints no longer extend its
// seal (a *SealError).
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
	if err := c.start(ctx, cps); err != nil {
		return Checkpoint{}, err
	}
	last := *c.trusted
	pending, err := c.storedSince(ctx, cps)
	if err != nil {
		return last, err
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
		// Trusted (and so exported through OnSeal) before it is logged: whoever reads the log
		// line finds the seal in the metric too.
		c.trust(cp)
		c.logger().InfoContext(ctx, "audit seal", slog.String("seal", cp.Seal()), slog.Uint64("position", uint64(cp.Position)),
			slog.Uint64("events", cp.Count), slog.String("chain_hash", cp.Hash.String()), slog.String("mac", hex.EncodeToString(cp.MAC)))
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
			if pending, err = c.checkStored(pending, &fold); err != nil {
				return last, err
			}
			if c.trusted.Position == fold.Position {
				last = *c.trusted // a seal stored by another checkpointer, verified
			} else if fold.Count%every == 0 {
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
