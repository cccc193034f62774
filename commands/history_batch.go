package commands

import (
	"context"
	"errors"

	"github.com/odata-pos/pos/domain/sale"
	"github.com/odata-pos/pos/eventstore"
)

// HistoricImport is one sale of a batch given to History.ImportSales: the command context
// it is imported under and the sale.
type HistoricImport struct {
	Cmd  Context
	Sale HistoricSale
}

// HistoricOutcome is what ImportSale would have returned for one sale of a batch.
type HistoricOutcome struct {
	Result Result
	State  sale.State
	Err    error
}

// ImportSales imports a batch of sales: each decided as ImportSale decides it, and all of
// them appended at no-stream together (eventstore.AppendBatch: one statement on PostgreSQL,
// parallel appends of at most parallel at once elsewhere). A sale whose stream exists (it
// was imported before, or its ID is reused) is then handled alone by ImportSale, which
// answers a replay or refuses another sale's stream. The outcomes are in the order of
// sales; the error is for the batch as a whole (the context ended).
func (hi *History) ImportSales(ctx context.Context, sales []HistoricImport, parallel int) ([]HistoricOutcome, error) {
	out := make([]HistoricOutcome, len(sales))
	decided := make([][]sale.Event, len(sales))
	var appends []eventstore.StreamAppend
	var index []int // appends[k] is sales[index[k]]
	for i, s := range sales {
		if s.Cmd.ID == "" {
			out[i].Err = ErrMissingCommandID
			continue
		}
		evs, st, err := DecideHistoricSale(s.Sale)
		out[i].State = st
		if err != nil {
			out[i].Err = err
			continue
		}
		stream := SaleStream(s.Sale.SaleID)
		data, err := encode(hi.h.codec, stream, s.Cmd, evs)
		if err != nil {
			out[i].Err = err
			continue
		}
		decided[i] = evs
		appends = append(appends, eventstore.StreamAppend{Stream: stream, Expected: eventstore.NoStream, Events: data})
		index = append(index, i)
	}
	if len(appends) == 0 {
		return out, nil
	}
	results, err := eventstore.AppendBatch(ctx, hi.h.store, appends, parallel)
	if err != nil {
		return out, err
	}
	for k, r := range results {
		i := index[k]
		if r.Err == nil {
			appended := anys(decided[i])
			out[i].Result = Result{Stream: appends[k].Stream, Exists: true, Revision: r.Result.Revision, Position: r.Result.Position, Events: appended}
			if hi.h.observe != nil {
				hi.h.observe(appended, out[i].State)
			}
			continue
		}
		if errors.Is(r.Err, eventstore.ErrWrongExpectedRevision) {
			out[i].Result, out[i].State, out[i].Err = hi.ImportSale(ctx, sales[i].Cmd, sales[i].Sale)
			continue
		}
		out[i].Err = r.Err
	}
	return out, nil
}
