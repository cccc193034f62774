package readkit

import (
	"fmt"
	"time"

	"github.com/odata-pos/pos/eventstore"
)

// Decode decodes every event of batch with dec and calls fold for each, in order. An event
// that does not decode stops the batch with an error naming its position (the runner then
// treats it as a poison event).
func Decode(dec Decoder, batch []eventstore.RecordedEvent, fold func(e eventstore.RecordedEvent, v any) error) error {
	for _, e := range batch {
		v, err := dec.DecodeEvent(e)
		if err != nil {
			return fmt.Errorf("event %s at %d: %w", e.Type, e.Position, err)
		}
		if err := fold(e, v); err != nil {
			return fmt.Errorf("event %s at %d: %w", e.Type, e.Position, err)
		}
	}
	return nil
}

// OccurredAt returns the client time of e, or its recorded time when the client sent none.
func OccurredAt(e eventstore.RecordedEvent) time.Time {
	if !e.Metadata.OccurredAt.IsZero() {
		return e.Metadata.OccurredAt.UTC()
	}
	return e.RecordedAt.UTC()
}

// Filter returns an eventstore.Filter selecting exactly the given event types (full versioned
// names). Type names carry their category, so no stream filter is needed and read models need
// not know the write side's stream names.
func Filter(types ...string) eventstore.Filter {
	return eventstore.Filter{Types: types}
}
