package integration

import (
	"encoding/json"
	"fmt"
	"slices"

	"github.com/google/uuid"

	"github.com/odata-pos/pos/domain/catalog"
	"github.com/odata-pos/pos/domain/returns"
	"github.com/odata-pos/pos/domain/sale"
	"github.com/odata-pos/pos/domain/stock"
	"github.com/odata-pos/pos/eventstore"
)

// Public event types. The name says the entity, the fact and the version of the data shape.
const (
	TypeSaleCompleted       = "sale.completed.v1"
	TypeSaleVoided          = "sale.voided.v1"
	TypeReturnRecorded      = "return.recorded.v1"
	TypeStockMoved          = "stock.moved.v1"
	TypeStockCounted        = "stock.counted.v1"
	TypeProductCreated      = "product.created.v1"
	TypeProductPriceChanged = "product.price_changed.v1"
	TypeProductDeactivated  = "product.deactivated.v1"
	TypeProductReactivated  = "product.reactivated.v1"
)

// rule maps one internal event type to its public type and renders its data. store is the
// store the event belongs to ("" for chain-wide events or when the data does not say).
type rule struct {
	public string
	// chainWide marks events that belong to no store (the catalog), whoever caused them.
	chainWide bool
	render    func(data json.RawMessage) (public any, store string, err error)
}

// ruleFor builds the rule of an internal event whose data decodes into T.
func ruleFor[T any](public string, render func(T) (any, uuid.UUID)) rule {
	return rule{public: public, render: func(data json.RawMessage) (any, string, error) {
		var v T
		if err := json.Unmarshal(data, &v); err != nil {
			return nil, "", err
		}
		out, store := render(v)
		if store == uuid.Nil {
			return out, "", nil
		}
		return out, store.String(), nil
	}}
}

func chainWide(r rule) rule {
	r.chainWide = true
	return r
}

// rules is THE mapping from internal to public events: an internal type missing here is never
// published. Keep it in step with docs/integration-events.md.
var rules = map[string]rule{
	sale.TypeSaleCompleted:          ruleFor(TypeSaleCompleted, saleCompleted),
	sale.TypeSaleVoided:             ruleFor(TypeSaleVoided, saleVoided),
	returns.TypeReturnRecorded:      ruleFor(TypeReturnRecorded, returnRecorded),
	stock.TypeStockMoved:            ruleFor(TypeStockMoved, stockMoved),
	stock.TypeStockCounted:          ruleFor(TypeStockCounted, stockCounted),
	catalog.TypeProductCreated:      chainWide(ruleFor(TypeProductCreated, productCreated)),
	catalog.TypeProductPriceChanged: chainWide(ruleFor(TypeProductPriceChanged, productPriceChanged)),
	catalog.TypeProductDeactivated:  chainWide(ruleFor(TypeProductDeactivated, productDeactivated)),
	catalog.TypeProductReactivated:  chainWide(ruleFor(TypeProductReactivated, productReactivated)),
}

// PublicTypes lists the public event types, sorted.
func PublicTypes() []string {
	out := make([]string, 0, len(rules))
	for _, r := range rules {
		out = append(out, r.public)
	}
	slices.Sort(out)
	return out
}

// IsPublicType reports whether t is a public event type.
func IsPublicType(t string) bool { return slices.Contains(PublicTypes(), t) }

// Filter selects the internal events of the given public types (all when types is empty) in
// an $all read or subscription.
func Filter(types []string) eventstore.Filter {
	var internal []string
	for name, r := range rules {
		if len(types) == 0 || slices.Contains(types, r.public) {
			internal = append(internal, name)
		}
	}
	slices.Sort(internal)
	if len(internal) == 0 {
		// Nothing selected: a prefix no event type has (an empty filter would select all).
		internal = []string{"$none"}
	}
	return eventstore.Filter{TypePrefixes: internal}
}

// Map renders a recorded event as a message. ok is false for an event that is not published.
// An error means the stored data does not decode as its type says: a defect to fix in the
// mapping (or the event), never to skip silently.
func Map(e *eventstore.RecordedEvent) (m Message, ok bool, err error) {
	r, ok := rules[e.Type]
	if !ok {
		return Message{}, false, nil
	}
	data, store, err := r.render(e.Data)
	if err != nil {
		return Message{}, true, fmt.Errorf("map %s at %d: %w", e.Type, e.Position, err)
	}
	if store == "" && !r.chainWide {
		store = e.Metadata.StoreID
	}
	body, err := json.Marshal(data)
	if err != nil {
		return Message{}, true, fmt.Errorf("map %s at %d: %w", e.Type, e.Position, err)
	}
	occurred := e.Metadata.OccurredAt
	if occurred.IsZero() {
		occurred = e.RecordedAt
	}
	env, err := json.Marshal(Envelope{
		Version: ContractVersion, ID: e.ID.String(), Type: r.public, Stream: e.Stream,
		Revision: e.Revision, Position: uint64(e.Position), StoreID: store,
		OccurredAt: occurred.UTC(), RecordedAt: e.RecordedAt.UTC(),
		CorrelationID: e.Metadata.CorrelationID, CausationID: e.Metadata.CausationID, Data: body,
	})
	if err != nil {
		return Message{}, true, fmt.Errorf("map %s at %d: %w", e.Type, e.Position, err)
	}
	return Message{ID: e.ID.String(), Type: r.public, Stream: e.Stream, Position: uint64(e.Position),
		StoreID: store, Body: env}, true, nil
}
