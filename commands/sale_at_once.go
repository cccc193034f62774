package commands

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"time"

	"github.com/odata-pos/pos/domain/register"
	"github.com/odata-pos/pos/domain/sale"
	"github.com/odata-pos/pos/domain/shift"
	"github.com/odata-pos/pos/eventstore"
)

// A new sale created complete (a one-shot sale) is decided in full before anything is
// written: its opening with lines, payments and checkout (step 1 of Complete), its cash on the
// shift (2), its receipt number on the register (3) and its completion (4), each on the state
// the sale's one read loaded and with the command ID of its step. Where the store appends to
// several streams in one transaction (eventstore.AtomicAppender: PostgreSQL), the four
// appends are then written together: one transaction and one WAL flush instead of four, in
// the order the steps write them one after the other, with the same events, IDs and metadata.
// So $all, every stream and every retry see exactly what the steps would have left, and the
// guarantees of Complete hold as they do there: a receipt number is taken only with the
// completion it serves (gap-free), the cash is counted once, on a shift still open at the
// shift's revision the sale read. If anything stands in the way — a store without such
// transactions, a step after the first that refuses or finds its events written, a stream
// that moved since the read — nothing is written and the steps run one after the other, as
// before, which answer each of those cases as they always have.

// pendingAppend is a step decided but not written: its stream, the revision it was decided
// at, and its events, encoded with the step's command.
type pendingAppend[S, E any] struct {
	stream   string
	agg      Aggregate[S, E]
	expected eventstore.ExpectedRevision
	events   []E
	data     []eventstore.EventData
}

// decideAhead decides cmd on l (loaded from stream) without writing. ok is false when cmd's
// events are already in the stream or it decides none: the step-by-step path answers those.
func decideAhead[S, E any](h *Handler, stream string, agg Aggregate[S, E], cmd Context, l Loaded[S],
	decide func(S) ([]E, error)) (p pendingAppend[S, E], ok bool, err error) {
	if _, replayed := l.replayOf(cmd, stream); replayed {
		return p, false, nil
	}
	events, err := decide(l.State)
	if err != nil || len(events) == 0 {
		return p, false, err
	}
	data, err := encode(h.codec, stream, cmd, events)
	if err != nil {
		return p, false, err
	}
	return pendingAppend[S, E]{stream: stream, agg: agg, expected: l.expected(), events: events, data: data}, true, nil
}

// streamAppend is p as one append of an atomic call.
func (p pendingAppend[S, E]) streamAppend() eventstore.StreamAppend {
	return eventstore.StreamAppend{Stream: p.stream, Expected: p.expected, Events: p.data}
}

// recorded is the step's result once written as res reports, after loaded (see recorded).
func (p pendingAppend[S, E]) recorded(ctx context.Context, h *Handler, loaded Loaded[S], res eventstore.AppendResult) (Result, Loaded[S]) {
	return recorded(ctx, h, p.stream, p.agg, loaded, p.data, p.events, res)
}

// createAtOnce writes the four steps of c, a new one-shot sale, in one atomic append (see
// above); open decides step 1 on the sale's (empty) state, info is the shift as the sale read it. answered
// is false when it wrote nothing and the steps must run one after the other. A refusal of
// step 1 is answered: the step-by-step path would decide it on the same state.
func (s *Sales) createAtOnce(ctx context.Context, cmd Context, c CreateSale, sc saleContext, info sale.ShiftInfo, now time.Time,
	open func(sale.State) ([]sale.Event, error)) (res SaleResult, answered bool, err error) {
	at, ok := s.h.store.(eventstore.AtomicAppender)
	if !ok || !c.Complete || sc.sale.Exists || cmd.IfMatch != nil {
		return res, false, nil
	}
	saleStream := SaleStream(c.SaleID)
	opened, ok, err := decideAhead(s.h, saleStream, SaleAggregate, cmd, sc.sale, open)
	if !ok {
		return res, err != nil, err
	}
	if _, checkout := opened.events[len(opened.events)-1].(sale.CheckoutStarted); !checkout {
		return res, false, nil
	}
	// The sale as step 1 leaves it, at the revision its append will give (its position is
	// known once written). appendedTo adds to the events it locates: on a copy, since the
	// step-by-step path may still start from sc.sale.
	unwritten := sc.sale
	unwritten.byID = maps.Clone(unwritten.byID)
	locked := appendedTo(unwritten, SaleAggregate, opened.data, opened.events, eventstore.AppendResult{Revision: uint64(len(opened.events) - 1)})
	sl := locked.State
	cashIn, err := cashInOf(sl)
	if err != nil {
		return res, false, nil
	}
	cash, ok, err := decideAhead(s.h, ShiftStream(sl.ShiftID), ShiftAggregate, stepCommand(cmd, "sale.cash", sl.ID), sc.shift,
		func(sh shift.State) ([]shift.Event, error) { return recordCash(sh, sl, cashIn, now) })
	if !ok || err != nil {
		return res, false, nil
	}
	receipt, ok, err := decideAhead(s.h, RegisterStream(sl.RegisterID), RegisterAggregate, stepCommand(cmd, "sale.receipt", sl.ID), sc.register,
		func(r register.State) ([]register.Event, error) {
			return register.Decide(r, register.ReserveReceiptNumber{SaleID: sl.ID}, now)
		})
	if !ok || err != nil {
		return res, false, nil
	}
	number := receiptNumber(anys(receipt.events))
	if number == 0 {
		return res, false, nil
	}
	completed, ok, err := decideAhead(s.h, saleStream, SaleAggregate, stepCommand(cmd, "sale.complete", sl.ID), locked,
		func(st sale.State) ([]sale.Event, error) { return completeSale(st, number, info, now) })
	if !ok || err != nil {
		return res, false, nil
	}
	out, err := at.AppendAtomic(ctx, []eventstore.StreamAppend{
		opened.streamAppend(), cash.streamAppend(), receipt.streamAppend(), completed.streamAppend()})
	switch {
	case errors.Is(err, eventstore.ErrWrongExpectedRevision), errors.Is(err, eventstore.ErrDuplicateEventID),
		errors.Is(err, eventstore.ErrStreamDeleted):
		return res, false, nil // a stream moved since the read, or the sale was written meanwhile
	case err != nil:
		return res, true, fmt.Errorf("append sale %s: %w", sl.ID, err)
	}
	_, afterOpen := opened.recorded(ctx, s.h, sc.sale, out[0])
	cash.recorded(ctx, s.h, sc.shift, out[1])
	receipt.recorded(ctx, s.h, sc.register, out[2])
	r, done := completed.recorded(ctx, s.h, afterOpen, out[3])
	return SaleResult{r, done}, true, nil
}
