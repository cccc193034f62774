package esdb

import (
	"context"
	"encoding/json"

	"github.com/EventStore/EventStore-Client-Go/v4/esdb"

	"github.com/odata-pos/pos/eventstore"
	"github.com/odata-pos/pos/eventstore/chain"
)

// ReadStream reads at most limit events of stream from revision from. See eventstore.Store.
func (s *Store) ReadStream(ctx context.Context, stream string, dir eventstore.Direction, from uint64, limit int) ([]eventstore.RecordedEvent, error) {
	c, err := s.conn()
	if err != nil {
		return nil, err
	}
	return s.readStream(ctx, c, stream, dir, from, limit)
}

func (s *Store) readStream(ctx context.Context, c *esdb.Client, stream string, dir eventstore.Direction, from uint64, limit int) ([]eventstore.RecordedEvent, error) {
	op := "read " + stream
	if limit <= 0 {
		return []eventstore.RecordedEvent{}, nil
	}
	opts := esdb.ReadStreamOptions{Direction: esdb.Forwards, From: esdb.Revision(from)}
	if dir == eventstore.Backwards {
		opts.Direction = esdb.Backwards
	}
	if from == eventstore.End {
		opts.From = esdb.End{}
	}
	rs, err := c.ReadStream(ctx, stream, opts, uint64(limit))
	if err != nil {
		return nil, s.translate(ctx, c, op, err)
	}
	out := make([]eventstore.RecordedEvent, 0, min(limit, 1024))
	err = readAllEvents(rs, func(e *esdb.RecordedEvent) bool {
		out = append(out, toRecorded(e))
		return true
	})
	if err != nil {
		return nil, s.translate(ctx, c, op, err)
	}
	return out, nil
}

// ReadAll reads at most limit events of $all after from that match filter. See
// eventstore.Store. The client library reads $all without a server-side filter, so events are
// read in batches of Options.ReadBatch and filtered here.
func (s *Store) ReadAll(ctx context.Context, from eventstore.Position, limit int, filter eventstore.Filter) ([]eventstore.RecordedEvent, error) {
	const op = "read $all"
	if limit <= 0 {
		return []eventstore.RecordedEvent{}, nil
	}
	c, err := s.conn()
	if err != nil {
		return nil, err
	}
	batch := max(limit, s.opts.ReadBatch)
	out := make([]eventstore.RecordedEvent, 0, min(limit, 1024))
	cursor := from
	for len(out) < limit {
		// Reading $all forwards from a position includes the event at that position; the
		// cursor check below skips it.
		rs, err := c.ReadAll(ctx, esdb.ReadAllOptions{Direction: esdb.Forwards, From: allPosition(cursor)}, uint64(batch))
		if err != nil {
			return nil, s.translate(ctx, c, op, err)
		}
		n := 0
		err = readAllEvents(rs, func(e *esdb.RecordedEvent) bool {
			n++
			p := eventstore.Position(e.Position.Commit)
			if p <= cursor {
				return true
			}
			cursor = p
			if filter.Match(e.StreamID, e.EventType) {
				out = append(out, toRecorded(e))
			}
			return len(out) < limit
		})
		if err != nil {
			return nil, s.translate(ctx, c, op, err)
		}
		if n < batch {
			break // the end of $all
		}
	}
	return out, nil
}

// HeadPosition returns the position of the last non-system event of $all. See
// eventstore.Store.
func (s *Store) HeadPosition(ctx context.Context) (eventstore.Position, error) {
	const op = "head of $all"
	c, err := s.conn()
	if err != nil {
		return 0, err
	}
	const batch = 32
	var from esdb.AllPosition = esdb.End{}
	for {
		// Reading backwards from a position starts strictly before it.
		rs, err := c.ReadAll(ctx, esdb.ReadAllOptions{Direction: esdb.Backwards, From: from}, batch)
		if err != nil {
			return 0, s.translate(ctx, c, op, err)
		}
		n, head := 0, eventstore.Start
		err = readAllEvents(rs, func(e *esdb.RecordedEvent) bool {
			n++
			from = e.Position
			if (eventstore.Filter{}).Match(e.StreamID, e.EventType) {
				head = eventstore.Position(e.Position.Commit)
				return false
			}
			return true
		})
		if err != nil {
			return 0, s.translate(ctx, c, op, err)
		}
		if head != eventstore.Start || n < batch {
			return head, nil
		}
	}
}

// allPosition is where to read or subscribe to $all after p; see the package documentation
// on positions.
func allPosition(p eventstore.Position) esdb.AllPosition {
	if p == eventstore.Start {
		return esdb.Start{}
	}
	return esdb.Position{Commit: uint64(p), Prepare: uint64(p)}
}

// toRecorded converts a stored event. User metadata that is not this package's JSON (an event
// written by another tool) leaves Metadata empty rather than failing the read.
func toRecorded(e *esdb.RecordedEvent) eventstore.RecordedEvent {
	var md eventstore.Metadata
	raw, h, chainErr := chain.SplitMetadata(e.UserMetadata)
	var hash []byte
	if chainErr == nil {
		hash = h[:]
	}
	if len(e.UserMetadata) > 0 {
		if err := eventstore.DecodeMetadata(e.UserMetadata, &md, false); err != nil {
			md = eventstore.Metadata{}
		}
	}
	recorded, originPosition := e.CreatedDate, eventstore.Position(0)
	if stripped, o, ok := splitOrigin(raw); ok {
		raw, recorded, originPosition = stripped, o.RecordedAt, o.Position
	}
	return eventstore.RecordedEvent{
		ID:          e.EventID,
		Type:        e.EventType,
		Stream:      e.StreamID,
		Revision:    e.EventNumber,
		Position:    eventstore.Position(e.Position.Commit),
		Data:        json.RawMessage(e.Data),
		Metadata:    md,
		RecordedAt:  recorded,
		RawMetadata: json.RawMessage(raw),
		Hash:        hash,
		// A restored event keeps its original position and recorded time (origin.go).
		OriginPosition: originPosition,
	}
}
