package esdb

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/EventStore/EventStore-Client-Go/v4/esdb"
	"github.com/google/uuid"

	"github.com/odata-pos/pos/eventstore"
)

// Append appends events to stream if expected holds. See eventstore.Store.
//
// Every event is hash-chained (eventstore/chain) in Go, so an append reads the stream's last
// event first (its revision and hash) and then appends conditionally on exactly that revision:
// a concurrent append in between makes the server refuse, and the append starts over when the
// caller's expectation still allows it. The hash goes into the event's user metadata under
// chain.MetadataKey.
func (s *Store) Append(ctx context.Context, stream string, expected eventstore.ExpectedRevision, events []eventstore.EventData) (eventstore.AppendResult, error) {
	op := "append " + stream
	proposed, err := toProposed(stream, events)
	if err != nil {
		return eventstore.AppendResult{}, fmt.Errorf("%s: %w", op, err)
	}
	c, err := s.conn()
	if err != nil {
		return eventstore.AppendResult{}, fmt.Errorf("%s: %w", op, err)
	}
	const attempts = 8
	var refused *head // the head read before the server last refused the append
	for range attempts {
		window := 1
		if _, exact := expected.Revision(); !exact && !expected.IsNoStream() {
			window = idempotencyWindow
		}
		head, err := s.streamHead(ctx, c, stream, window)
		if err != nil {
			return eventstore.AppendResult{}, err
		}
		if refused != nil && refused.exists == head.exists && refused.revision == head.revision {
			// The server refused an append at the stream's last revision as reads show it, and
			// reads still show the same: the server knows a later revision that reads hide.
			return eventstore.AppendResult{}, fmt.Errorf("%s: %w (reads show %s)", op, ErrHiddenByMetadata,
				eventstore.ActualRevision{Exists: head.exists, Revision: head.revision})
		}
		if res, ok, err := s.replayed(ctx, c, stream, expected, head, events); err != nil || ok {
			return res, err
		}
		if !expected.Matches(head.exists, head.revision) {
			return eventstore.AppendResult{}, &eventstore.WrongExpectedRevisionError{
				Stream: stream, Expected: expected, Actual: eventstore.ActualRevision{Exists: head.exists, Revision: head.revision},
			}
		}
		chained, err := chainProposed(stream, head, events, proposed)
		if err != nil {
			return eventstore.AppendResult{}, fmt.Errorf("%s: %w", op, err)
		}
		var cond esdb.ExpectedRevision = esdb.NoStream{}
		if head.exists {
			cond = esdb.Revision(head.revision)
		}
		res, err := c.AppendToStream(ctx, stream, esdb.AppendToStreamOptions{ExpectedRevision: cond}, chained...)
		if err != nil {
			var e *esdb.Error
			if errors.As(err, &e) && e.Code() == esdb.ErrorCodeWrongExpectedVersion {
				refused = &head
				continue // the stream moved since it was read: read it again
			}
			return eventstore.AppendResult{}, s.translate(ctx, c, op, err)
		}
		out := eventstore.AppendResult{Revision: res.NextExpectedVersion, Position: eventstore.Position(res.CommitPosition)}
		if res.CommitPosition == 0 {
			// Some server versions answer an idempotent retry without a position: look it up.
			if out.Position, err = s.positionOf(ctx, c, stream, out.Revision); err != nil {
				return eventstore.AppendResult{}, err
			}
		}
		return out, nil
	}
	return eventstore.AppendResult{}, fmt.Errorf("%s: %w: the stream kept moving during %d attempts", op, eventstore.ErrUnavailable, attempts)
}

// Tombstone deletes stream for good if expected holds. See eventstore.Store.
func (s *Store) Tombstone(ctx context.Context, stream string, expected eventstore.ExpectedRevision) error {
	op := "tombstone " + stream
	if stream == "" {
		return fmt.Errorf("%s: %w: empty stream name", op, eventstore.ErrInvalidAppend)
	}
	c, err := s.conn()
	if err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	_, err = c.TombstoneStream(ctx, stream, esdb.TombstoneStreamOptions{ExpectedRevision: toExpected(expected)})
	if err == nil {
		return nil
	}
	if ctx.Err() == nil {
		if actual, known, wrong := actualFromDeleteError(err); wrong {
			return s.wrongRevision(ctx, c, stream, expected, actual, known)
		}
	}
	return s.translate(ctx, c, op, err)
}

// wrongRevision builds the typed error of a failed conditional write. When the server's
// answer did not carry the actual revision (known is false), it reads the stream's last
// event instead.
func (s *Store) wrongRevision(ctx context.Context, c *esdb.Client, stream string, expected eventstore.ExpectedRevision, actual eventstore.ActualRevision, known bool) error {
	if !known {
		evs, err := s.readStream(ctx, c, stream, eventstore.Backwards, eventstore.End, 1)
		switch {
		case errors.Is(err, eventstore.ErrStreamNotFound):
		case err != nil:
			return err
		case len(evs) == 1:
			actual = eventstore.ActualRevision{Exists: true, Revision: evs[0].Revision}
		}
	}
	return &eventstore.WrongExpectedRevisionError{Stream: stream, Expected: expected, Actual: actual}
}

// positionOf returns the $all position of the event at revision of stream.
func (s *Store) positionOf(ctx context.Context, c *esdb.Client, stream string, revision uint64) (eventstore.Position, error) {
	evs, err := s.readStream(ctx, c, stream, eventstore.Forwards, revision, 1)
	if err != nil {
		return 0, err
	}
	if len(evs) == 0 {
		return 0, fmt.Errorf("append %s: revision %d not found after a successful append", stream, revision)
	}
	return evs[0].Position, nil
}

// toExpected maps an expected revision onto the client's.
func toExpected(e eventstore.ExpectedRevision) esdb.ExpectedRevision {
	switch {
	case e.IsNoStream():
		return esdb.NoStream{}
	case e.IsStreamExists():
		return esdb.StreamExists{}
	}
	if r, ok := e.Revision(); ok {
		return esdb.Revision(r)
	}
	return esdb.Any{}
}

// toProposed checks events and encodes them for the client: JSON data, the metadata as JSON
// user metadata, the event ID as EventStoreDB's event ID.
func toProposed(stream string, events []eventstore.EventData) ([]esdb.EventData, error) {
	switch {
	case stream == "":
		return nil, fmt.Errorf("%w: empty stream name", eventstore.ErrInvalidAppend)
	case strings.HasPrefix(stream, "$"):
		return nil, fmt.Errorf("%w: stream names starting with $ are reserved for the server", eventstore.ErrInvalidAppend)
	case len(events) == 0:
		return nil, fmt.Errorf("%w: no events", eventstore.ErrInvalidAppend)
	}
	out := make([]esdb.EventData, len(events))
	for i, e := range events {
		switch {
		case e.ID == uuid.Nil:
			return nil, fmt.Errorf("%w: event %d has no id", eventstore.ErrInvalidAppend, i)
		case e.Type == "":
			return nil, fmt.Errorf("%w: event %d has no type", eventstore.ErrInvalidAppend, i)
		case strings.HasPrefix(e.Type, "$"):
			return nil, fmt.Errorf("%w: event %d: types starting with $ are reserved for the server", eventstore.ErrInvalidAppend, i)
		case !json.Valid(e.Data):
			return nil, fmt.Errorf("%w: event %d data is not JSON", eventstore.ErrInvalidAppend, i)
		}
		meta, err := json.Marshal(e.Metadata)
		if err != nil {
			return nil, fmt.Errorf("%w: event %d metadata: %v", eventstore.ErrInvalidAppend, i, err)
		}
		out[i] = esdb.EventData{
			EventID: e.ID, EventType: e.Type, ContentType: esdb.ContentTypeJson, Data: e.Data, Metadata: meta,
		}
	}
	return out, nil
}

// readAllEvents drains a read stream of the client.
func readAllEvents(rs *esdb.ReadStream, each func(*esdb.RecordedEvent) bool) error {
	defer rs.Close()
	for {
		ev, err := rs.Recv()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		if ev.Event == nil {
			continue // an unresolved link; this package never writes links
		}
		if !each(ev.Event) {
			return nil
		}
	}
}
