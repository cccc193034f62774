package audit

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"

	"github.com/gorilla/mux"

	"github.com/odata-pos/pos/api/httpx"
	"github.com/odata-pos/pos/commands"
	"github.com/odata-pos/pos/domain/user"
	"github.com/odata-pos/pos/eventstore"
)

// folder folds a stream's events into its aggregate state, rendered by the kind's view.
type folder func(codec *eventstore.Codec, evs []eventstore.RecordedEvent) (any, error)

// fold makes a folder of an aggregate of commands/aggregates.go and its view (states.go).
func fold[S, E any](agg commands.Aggregate[S, E], view func(S) any) folder {
	return func(codec *eventstore.Codec, evs []eventstore.RecordedEvent) (any, error) {
		s, err := agg.Fold(codec, evs)
		if err != nil {
			return nil, err
		}
		return view(s), nil
	}
}

// folders picks the aggregate by stream prefix.
var folders = map[string]folder{
	commands.StorePrefix:    fold(commands.StoreAggregate, storeState),
	commands.RegisterPrefix: fold(commands.RegisterAggregate, registerState),
	commands.TaxCodePrefix:  fold(commands.TaxCodeAggregate, taxCodeState),
	commands.ProductPrefix:  fold(commands.ProductAggregate, productState),
	commands.ShiftPrefix:    fold(commands.ShiftAggregate, shiftState),
	commands.SalePrefix:     fold(commands.SaleAggregate, saleState),
	commands.ReturnPrefix:   fold(commands.ReturnAggregate, returnState),
	commands.StockPrefix:    fold(commands.StockAggregate, stockState),
	commands.TransferPrefix: fold(commands.TransferAggregate, transferState),
	commands.UserPrefix: fold(commands.Aggregate[user.State, user.Event]{
		Initial: func() user.State { return user.State{} }, Evolve: user.Evolve,
	}, userState),
}

// StatePrefixes returns the stream prefixes ("sale-", …) of the aggregates whose state the
// state endpoint renders, sorted.
func StatePrefixes() []string { return slices.Sorted(maps.Keys(folders)) }

func folderOf(stream string) (folder, error) {
	cat, _, _ := strings.Cut(stream, "-")
	if f, ok := folders[cat+"-"]; ok {
		return f, nil
	}
	return nil, httpx.Unprocessable("no_aggregate", fmt.Sprintf("stream %q is not an aggregate's stream; its events are at /audit/streams/%s", stream, stream))
}

// StateView answers the state endpoint.
type StateView struct {
	Stream string `json:"stream"`
	// Revision is the revision of the last event folded (-1: none).
	Revision int64 `json:"revision"`
	// State is the aggregate's view (states.go); null before its first event.
	State  json.RawMessage `json:"state"`
	Events []EventView     `json:"events"`
}

// history reads a whole stream (auditors look at single aggregates, which stay small).
func (h *Handlers) history(r *http.Request, stream string) ([]eventstore.RecordedEvent, error) {
	var out []eventstore.RecordedEvent
	for from := uint64(0); ; {
		evs, err := h.Store.ReadStream(r.Context(), stream, eventstore.Forwards, from, 1000)
		if err != nil {
			return nil, readError(stream, err)
		}
		out = append(out, evs...)
		if len(evs) < 1000 {
			return out, nil
		}
		from = evs[len(evs)-1].Revision + 1
	}
}

// stateAt folds evs and renders it.
func (h *Handlers) stateAt(stream string, f folder, evs []eventstore.RecordedEvent) (StateView, error) {
	if len(evs) == 0 {
		return StateView{Stream: stream, Revision: -1, State: json.RawMessage("null"), Events: views(evs)}, nil
	}
	s, err := f(h.Codec, evs)
	if err != nil {
		return StateView{}, err
	}
	b, err := json.Marshal(s)
	if err != nil {
		return StateView{}, fmt.Errorf("render state of %s: %w", stream, err)
	}
	v := StateView{Stream: stream, Revision: int64(len(evs)) - 1, State: b, Events: views(evs)}
	return v, nil
}

func (h *Handlers) state(w http.ResponseWriter, r *http.Request) error {
	stream := mux.Vars(r)["stream"]
	p := params{q: r.URL.Query()}
	at, hasRev := p.time("at"), p.str("revision") != ""
	rev := p.uint("revision", 0)
	if hasRev && !at.IsZero() {
		p.fail("at", "give either at or revision")
	}
	if err := p.err(); err != nil {
		return err
	}
	f, err := folderOf(stream)
	if err != nil {
		return err
	}
	evs, err := h.history(r, stream)
	if err != nil {
		return err
	}
	n := len(evs)
	switch {
	case hasRev:
		if rev >= uint64(len(evs)) {
			return httpx.NotFound("revision_not_found", fmt.Sprintf("stream %q ends at revision %d", stream, len(evs)-1))
		}
		n = int(rev) + 1
	case !at.IsZero():
		n = 0 // as of a moment: what the store had recorded by then
		for n < len(evs) && !evs[n].RecordedAt.After(at) {
			n++
		}
	}
	v, err := h.stateAt(stream, f, evs[:n])
	if err != nil {
		return err
	}
	return httpx.JSON(w, http.StatusOK, v)
}

// DiffView answers the diff endpoint.
type DiffView struct {
	Stream string      `json:"stream"`
	From   int64       `json:"from"`
	To     int64       `json:"to"`
	Events []EventView `json:"events"`
	// Changes turn the state at From into the state at To (JSON Pointer paths).
	Changes []Change `json:"changes"`
}

func (h *Handlers) diff(w http.ResponseWriter, r *http.Request) error {
	stream := mux.Vars(r)["stream"]
	p := params{q: r.URL.Query()}
	from, to := p.uint("from", 0), p.uint("to", 0)
	if p.str("to") == "" {
		p.fail("to", "is required")
	}
	if from > to {
		p.fail("from", "must not exceed to")
	}
	if err := p.err(); err != nil {
		return err
	}
	f, err := folderOf(stream)
	if err != nil {
		return err
	}
	evs, err := h.history(r, stream)
	if err != nil {
		return err
	}
	if to >= uint64(len(evs)) {
		return httpx.NotFound("revision_not_found", fmt.Sprintf("stream %q ends at revision %d", stream, len(evs)-1))
	}
	a, err := h.stateAt(stream, f, evs[:from+1])
	if err != nil {
		return err
	}
	b, err := h.stateAt(stream, f, evs[:to+1])
	if err != nil {
		return err
	}
	changes, err := Diff(a.State, b.State)
	if err != nil {
		return err
	}
	return httpx.JSON(w, http.StatusOK, DiffView{
		Stream: stream, From: int64(from), To: int64(to), Events: views(evs[from+1 : to+1]), Changes: changes,
	})
}
