package pgstore

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/odata-pos/pos/eventstore"
	"github.com/odata-pos/pos/internal/backoff"
)

// The hole proof (see doc.go for the argument). captureSQL reads, under one snapshot S, the
// highest committed position and then, later in the same statement and so after S was taken,
// the transactions that hold RowExclusiveLock on events: every append that may still commit at
// or below that position is among them. pendingSQL tells which of them are still running.
const (
	captureSQL = `
SELECT coalesce((SELECT max(e.position) FROM events e), 0),
       coalesce(array_agg(l.virtualtransaction), '{}'),
       coalesce(array_agg(coalesce(l.pid, 0)), '{}')
  FROM pg_locks l
 WHERE l.locktype = 'relation'
   AND l.database = (SELECT d.oid FROM pg_database d WHERE d.datname = current_database())
   AND l.relation = 'events'::regclass
   AND l.mode = 'RowExclusiveLock'
   AND l.pid IS DISTINCT FROM pg_backend_pid()`

	pendingSQL = `
SELECT coalesce(array_agg(l.virtualtransaction), '{}'), coalesce(array_agg(coalesce(l.pid, 0)), '{}')
  FROM pg_locks l
 WHERE l.locktype = 'relation'
   AND l.database = (SELECT d.oid FROM pg_database d WHERE d.datname = current_database())
   AND l.relation = 'events'::regclass
   AND l.mode = 'RowExclusiveLock'
   AND l.virtualtransaction = ANY($1)`
)

// Polling bounds of a proof waiting for appends in flight. Appends are single short function
// calls, so the first checks come quickly; the cap keeps pg_locks reads (which briefly take the
// lock manager's partition locks) rare while one append is held back for long.
const (
	proofFirstPoll = time.Millisecond
	proofMaxPoll   = 20 * time.Millisecond
)

// prover runs at most one hole proof at a time for the whole store, so that any number of
// readers waiting at the head of $all cost one poller, and every reader profits from its
// result (Store.settled).
type prover struct {
	mu      sync.Mutex
	current *proof
}

// proof is one run of the hole proof. done is closed when it ends; err is then set if it failed.
type proof struct {
	done chan struct{}
	err  error
}

// awaitSettled waits until every append that took a position at or below target has finished,
// so that a snapshot taken afterwards sees all events up to target that will ever exist. It
// returns ctx's error if ctx ends first; the proof then goes on in the background.
func (s *Store) awaitSettled(ctx context.Context, target eventstore.Position) error {
	for uint64(target) > s.settled.Load() {
		pr := s.startProof()
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-pr.done:
			if pr.err != nil {
				return pr.err
			}
		}
	}
	return nil
}

// startProof returns the proof in progress, starting one if there is none. A proof captures
// its own snapshot, so one started after a reader saw position target proves at least target.
func (s *Store) startProof() *proof {
	s.prover.mu.Lock()
	defer s.prover.mu.Unlock()
	if pr := s.prover.current; pr != nil {
		select {
		case <-pr.done:
		default:
			return pr
		}
	}
	pr := &proof{done: make(chan struct{})}
	s.prover.current = pr
	if s.ctx.Err() != nil {
		pr.err = errors.New("event store closed")
		close(pr.done)
		return pr
	}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		defer close(pr.done)
		pr.err = s.prove(s.ctx)
	}()
	return pr
}

// prove runs the hole proof once and raises s.settled.
func (s *Store) prove(ctx context.Context) error {
	start := time.Now()
	var through int64
	var vxids []string
	var pids []int32
	if err := s.pool.QueryRow(ctx, captureSQL).Scan(&through, &vxids, &pids); err != nil {
		return fmt.Errorf("hole proof: %w", unavailable(err))
	}
	blockers := len(vxids)
	delay := proofFirstPoll
	warned := false
	for len(vxids) > 0 {
		if !backoff.Sleep(ctx, delay) {
			err := ctx.Err()
			s.reportHoleWait(through, start, blockers, err)
			return err
		}
		delay = min(2*delay, proofMaxPoll)
		if err := s.pool.QueryRow(ctx, pendingSQL, vxids).Scan(&vxids, &pids); err != nil {
			err = fmt.Errorf("hole proof: %w", unavailable(err))
			s.reportHoleWait(through, start, blockers, err)
			return err
		}
		if waited := time.Since(start); len(vxids) > 0 && !warned && waited >= s.opts.HoleWarnAfter {
			warned = true
			s.log.WarnContext(ctx, "readers of $all are waiting for appends still in flight",
				slog.Int64("through_position", through),
				slog.Duration("waited", waited),
				slog.Any("blocking_pids", pids),
				slog.Any("blocking_virtual_transactions", vxids))
		}
	}
	for {
		cur := s.settled.Load()
		if uint64(through) <= cur || s.settled.CompareAndSwap(cur, uint64(through)) {
			break
		}
	}
	if blockers > 0 {
		s.reportHoleWait(through, start, blockers, nil)
	}
	if warned {
		s.log.InfoContext(ctx, "readers of $all resumed", slog.Int64("through_position", through),
			slog.Duration("waited", time.Since(start)))
	}
	return nil
}

func (s *Store) reportHoleWait(through int64, start time.Time, blockers int, err error) {
	if s.opts.OnHoleWait == nil {
		return
	}
	s.opts.OnHoleWait(HoleWait{
		Through:  eventstore.Position(through),
		Waited:   time.Since(start),
		Blockers: blockers,
		Err:      err,
	})
}
