package pgstore

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/odata-pos/pos/eventstore"
)

// contiguousScan bounds the positions HeadPosition reads when it cannot prove the whole log.
const contiguousScan = 10000

// HeadPosition returns the gap-free high-water mark of $all: the highest committed position P
// such that every append that took a position at or below P has finished, so that a reader
// sees everything up to P now. It is max(position) of the committed events unless an append
// still in flight below it does not finish within Options.ReadAllHoleWait; it then returns
// the end of the contiguous run of positions before that append.
func (s *Store) HeadPosition(ctx context.Context) (eventstore.Position, error) {
	var head eventstore.Position
	err := s.retry(ctx, func() error {
		var err error
		head, err = s.headPosition(ctx)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("head position: %w", err)
	}
	return head, nil
}

func (s *Store) headPosition(ctx context.Context) (eventstore.Position, error) {
	settled := eventstore.Position(s.settled.Load())
	var top int64
	if err := s.pool.QueryRow(ctx, `SELECT coalesce(max(position), 0) FROM events`).Scan(&top); err != nil {
		return 0, unavailable(err)
	}
	if eventstore.Position(top) <= settled {
		return eventstore.Position(top), nil
	}
	err := s.awaitSettledWithin(ctx, eventstore.Position(top), s.opts.ReadAllHoleWait)
	if err == nil {
		return eventstore.Position(top), nil
	}
	if !errors.Is(err, errHoleWaitExpired) {
		return 0, err
	}
	// An append is held back: walk the contiguous positions after the settled mark.
	rows, err := s.pool.Query(ctx, `SELECT position FROM events WHERE position > $1 ORDER BY position LIMIT $2`,
		int64(settled), contiguousScan)
	if err != nil {
		return 0, unavailable(err)
	}
	positions, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return 0, unavailable(err)
	}
	head := settled
	for _, p := range positions {
		if eventstore.Position(p) != head+1 {
			break
		}
		head = eventstore.Position(p)
	}
	return head, nil
}
