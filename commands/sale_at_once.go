package commands

import (
	"context"
	"errors"
	"fmt"
	"maps"

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
// appends are then written together: one transaction and one WAL flush instead of four (on
// PostgreSQL one statement, see pgstore's atomic_one.go), in the order the steps write them one
// after the other, with the same events, IDs and metadata.
// So every stream and every retry see what the steps would have left, and the guarantees of
// Complete hold as they do there: a receipt number is taken only with the
// completion it serves (gap-free), the cash is counted once, on a shift still open at the
// shift's revision the sale read. If anything stands in the way — a store without such
// transactions, a step after the first that refuses or finds its events written, a stream
// that moved since the read — nothing is written and the steps run one after the other, as
// before, which answer each of those cases as they always have.
//
// One difference, in the sale stream only: a one-shot sale whose lines and payments carry
// nothing but what its completion repeats (no approval, no flag, no discount rule applied on
// its own) is written as its opening and its completion alone (leaveRestatedOut). The lines,
// payments and checkout between them would restate the completion, which records the whole
// sale (lines as priced, discounts, totals, tenders, receipt number) and from which the sale's
// state, its read model, its reports, its stock movements and its public message are already
// built; no reader can see the sale between them, since all of it is written in one
// transaction. That is 2 events instead of 7 for a three-line sale paid once: each event
// costs a row, an index entry, an audit index row, a hash and a projector's decode.

// pendingAppend is a step decided but not written: its stream, the revision it was decided
// at, and its events, described (IDs, types, metadata) with the step's command and, once
// encodeData ran, encoded.
type pendingAppend[S, E any] struct {
	stream   string
	agg      Aggregate[S, E]
	expected eventstore.ExpectedRevision
	events   []E
	data     []eventstore.EventData
}

// decideAhead decides cmd on l (loaded from stream) without writing, and encodes its events.
// ok is false when cmd's events are already in the stream or it decides none: the
// step-by-step path answers those.
func decideAhead[S, E any](h *Handler, stream string, agg Aggregate[S, E], cmd Context, l Loaded[S],
	decide func(S) ([]E, error)) (p pendingAppend[S, E], ok bool, err error) {
	p, ok, err = decideDescribed(h, stream, agg, cmd, l, decide)
	if ok {
		if err = p.encodeData(h.codec); err != nil {
			return p, false, err
		}
	}
	return p, ok, err
}

// decideDescribed is decideAhead without encoding the events' data: what the steps after it
// are decided on needs only their IDs (see ahead), and a one-shot sale's opening may leave
// most of its events out (leaveRestatedOut), which then need no encoding at all.
func decideDescribed[S, E any](h *Handler, stream string, agg Aggregate[S, E], cmd Context, l Loaded[S],
	decide func(S) ([]E, error)) (p pendingAppend[S, E], ok bool, err error) {
	if _, replayed := l.replayOf(cmd, stream); replayed {
		return p, false, nil
	}
	events, err := decide(l.State)
	if err != nil || len(events) == 0 {
		return p, false, err
	}
	data, err := describe(h.codec, stream, cmd, events)
	if err != nil {
		return p, false, err
	}
	return pendingAppend[S, E]{stream: stream, agg: agg, expected: l.expected(), events: events, data: data}, true, nil
}

// encodeData encodes the data of p's events (see describe).
func (p pendingAppend[S, E]) encodeData(codec *eventstore.Codec) error {
	return encodeData(codec, p.data, p.events)
}

// decideLater is decideAhead for a step after the first: ok is false when it refuses too,
// since the step-by-step path answers that refusal (it writes the checkout first, as before).
func decideLater[S, E any](h *Handler, stream string, agg Aggregate[S, E], cmd Context, l Loaded[S],
	decide func(S) ([]E, error)) (pendingAppend[S, E], bool) {
	p, ok, err := decideAhead(h, stream, agg, cmd, l, decide)
	return p, ok && err == nil
}

// streamAppend is p as one append of an atomic call.
func (p pendingAppend[S, E]) streamAppend() eventstore.StreamAppend {
	return eventstore.StreamAppend{Stream: p.stream, Expected: p.expected, Events: p.data}
}

// recorded is the step's result once written as res reports, after loaded (see recorded).
func (p pendingAppend[S, E]) recorded(ctx context.Context, h *Handler, loaded Loaded[S], res eventstore.AppendResult) (Result, Loaded[S]) {
	return recorded(ctx, h, p.stream, p.agg, loaded, p.data, p.events, res)
}

// saleAtOnce is a one-shot sale decided whole and not written: its four appends and the
// states of the sale, shift and register they were decided on.
type saleAtOnce struct {
	opened, completed pendingAppend[sale.State, sale.Event]
	cash              pendingAppend[shift.State, shift.Event]
	receipt           pendingAppend[register.State, register.Event]
	sale              Loaded[sale.State]
	shift             Loaded[shift.State]
	register          Loaded[register.State]
	// locked is the sale as step 1 leaves it (not yet written), step 4 was decided on it.
	locked Loaded[sale.State]
}

// createAtOnce writes the four steps of p, a new one-shot sale, in one atomic append (see
// above). answered is false when it wrote nothing and the steps must run one after the other.
func (s *Sales) createAtOnce(ctx context.Context, p salePlan) (res SaleResult, answered bool, err error) {
	at, ok := s.h.store.(eventstore.AtomicAppender)
	if !ok {
		return res, false, nil
	}
	a, ok, err := s.decideAtOnce(p)
	if !ok {
		return res, err != nil, err
	}
	out, err := at.AppendAtomic(ctx, a.appends())
	switch {
	case movedUnder(err):
		return res, false, nil // a stream moved since the read, or the sale was written meanwhile
	case err != nil:
		return res, true, fmt.Errorf("append sale %s: %w", a.locked.State.ID, err)
	}
	return a.recorded(ctx, s.h, out), true, nil
}

// movedUnder reports an atomic append refused because a stream is not as the appends were
// decided on: moved since the read, written meanwhile, deleted.
func movedUnder(err error) bool {
	return errors.Is(err, eventstore.ErrWrongExpectedRevision) || errors.Is(err, eventstore.ErrDuplicateEventID) ||
		errors.Is(err, eventstore.ErrStreamDeleted)
}

// decideAtOnce decides the four steps of p, a new one-shot sale, on the states p holds,
// without writing (see above). ok is false when the steps must run one after the other; with
// an error, step 1 refused the sale, which is the answer: the step-by-step path would decide it
// on the same state.
func (s *Sales) decideAtOnce(p salePlan) (a saleAtOnce, ok bool, err error) {
	cmd, c, sc, info, now := p.cmd, p.c, p.sc, p.info, p.now
	if !c.Complete || sc.sale.Exists || cmd.IfMatch != nil {
		return a, false, nil
	}
	a.sale, a.shift, a.register = sc.sale, sc.shift, sc.register
	saleStream := SaleStream(c.SaleID)
	a.opened, ok, err = decideDescribed(s.h, saleStream, SaleAggregate, cmd, sc.sale, p.open)
	if !ok {
		return a, false, err
	}
	if _, checkout := a.opened.events[len(a.opened.events)-1].(sale.CheckoutStarted); !checkout {
		return a, false, nil
	}
	// The sale as step 1 leaves it, at the revision its append will give (its position is
	// known once written): on a copy, since appendedTo adds to the events it locates and the
	// step-by-step path may still start from sc.sale.
	a.locked = a.opened.ahead(sc.sale)
	sl := a.locked.State
	a.cash, ok = decideLater(s.h, ShiftStream(sl.ShiftID), ShiftAggregate, stepCommand(cmd, "sale.cash", sl.ID), sc.shift,
		func(sh shift.State) ([]shift.Event, error) {
			cashIn, err := cashInOf(sl)
			if err != nil {
				return nil, err
			}
			return recordCash(sh, sl, cashIn, now)
		})
	if !ok {
		return a, false, nil
	}
	a.receipt, ok = decideLater(s.h, RegisterStream(sl.RegisterID), RegisterAggregate, stepCommand(cmd, "sale.receipt", sl.ID), sc.register,
		func(r register.State) ([]register.Event, error) {
			return register.Decide(r, register.ReserveReceiptNumber{SaleID: sl.ID}, now)
		})
	if !ok {
		return a, false, nil
	}
	number := receiptNumber(anys(a.receipt.events))
	if number == 0 {
		return a, false, nil
	}
	a.completed, ok = decideLater(s.h, saleStream, SaleAggregate, stepCommand(cmd, "sale.complete", sl.ID), a.locked,
		func(st sale.State) ([]sale.Event, error) { return completeSale(st, number, info, now) })
	if !ok {
		return a, false, nil
	}
	if restatedByCompletion(a.opened.events) {
		a.leaveRestatedOut()
	}
	// Only now, and only the opening's events that are written (an error here is the one
	// encoding step 1 would have given; the step-by-step path gives it too).
	if err := a.opened.encodeData(s.h.codec); err != nil {
		return a, false, err
	}
	return a, true, nil
}

// restatedByCompletion reports whether the events that open a one-shot sale (its opening,
// then its lines, payments and checkout) say nothing that its completion does not: lines
// without approvals or flags, payments, no discount rule applied apart from the lines' own, no
// line removed. Those events can then be left out of the sale stream (leaveRestatedOut).
func restatedByCompletion(opened []sale.Event) bool {
	if len(opened) < 2 {
		return false
	}
	if _, ok := opened[0].(sale.SaleOpened); !ok {
		return false
	}
	for _, e := range opened[1 : len(opened)-1] {
		switch e := e.(type) {
		case sale.LineAdded:
			if e.PriceOverrideBy != "" || e.DiscountApprovedBy != "" || len(e.Flags) > 0 {
				return false
			}
		case sale.PaymentAdded:
		default:
			return false
		}
	}
	_, checkout := opened[len(opened)-1].(sale.CheckoutStarted)
	return checkout
}

// leaveRestatedOut writes the sale as its opening and its completion alone: the opening's
// append keeps its first event (each event keeps the ID and metadata its step gave it), and
// the completion follows it at revision 0, where the steps wrote it after the checkout.
func (a *saleAtOnce) leaveRestatedOut() {
	a.opened.events, a.opened.data = a.opened.events[:1], a.opened.data[:1]
	a.locked = a.opened.ahead(a.sale)
	a.completed.expected = a.locked.expected()
}

// appends are a's four appends, in the order the steps write them.
func (a *saleAtOnce) appends() []eventstore.StreamAppend {
	return []eventstore.StreamAppend{a.opened.streamAppend(), a.cash.streamAppend(), a.receipt.streamAppend(), a.completed.streamAppend()}
}

// recorded is the answer of a once its appends were written as out reports (one result
// each, in the order of appends): each step recorded as the step-by-step path records it
// (snapshots, observer), in that order; the result is step 4's.
func (a *saleAtOnce) recorded(ctx context.Context, h *Handler, out []eventstore.AppendResult) SaleResult {
	_, afterOpen := a.opened.recorded(ctx, h, a.sale, out[0])
	a.cash.recorded(ctx, h, a.shift, out[1])
	a.receipt.recorded(ctx, h, a.register, out[2])
	r, done := a.completed.recorded(ctx, h, afterOpen, out[3])
	return SaleResult{r, done}
}

// ahead is l, the state p was decided on, as p's append will leave it, before it is written:
// at the revision the append will give, its position unknown. l's events are copied (see
// decideAhead's callers): l itself is left as it was.
func (p pendingAppend[S, E]) ahead(l Loaded[S]) Loaded[S] {
	l.byID = maps.Clone(l.byID)
	revision := uint64(len(p.events)) - 1
	if l.Exists {
		revision += l.Revision + 1
	}
	return appendedTo(l, p.agg, p.data, p.events, eventstore.AppendResult{Revision: revision})
}
