package esdb

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/EventStore/EventStore-Client-Go/v4/esdb"

	"github.com/odata-pos/pos/eventstore"
	"github.com/odata-pos/pos/eventstore/chain"
)

var _ eventstore.Restorer = (*Store)(nil)

// Restore appends a backup's events with their IDs, streams, revisions, types, data, metadata
// bytes and chain hashes. See eventstore.Restorer. EventStoreDB assigns positions and created
// times itself, so each event's original position and recorded time go into the reserved
// metadata member originKey; reads return them as RecordedEvent.OriginPosition and
// RecordedAt. Each run of consecutive events of one stream is one conditional append (no
// stream, or exactly the revision before the run), after its hashes have been recomputed and
// compared with the stored ones.
func (s *Store) Restore(ctx context.Context, events []eventstore.RecordedEvent) error {
	c, err := s.conn()
	if err != nil {
		return err
	}
	for start := 0; start < len(events); {
		end := start + 1
		for end < len(events) && events[end].Stream == events[start].Stream {
			end++
		}
		if err := s.restoreRun(ctx, c, events[start:end]); err != nil {
			return err
		}
		start = end
	}
	return nil
}

// restoreRun appends events of one stream that follow each other.
func (s *Store) restoreRun(ctx context.Context, c *esdb.Client, run []eventstore.RecordedEvent) error {
	stream, first := run[0].Stream, run[0].Revision
	op := fmt.Sprintf("restore %s revision %d", stream, first)
	if stream == "" || strings.HasPrefix(stream, "$") {
		return fmt.Errorf("%s: %w: not a user stream", op, eventstore.ErrInvalidRestore)
	}
	var prev chain.Hash
	var cond esdb.ExpectedRevision = esdb.NoStream{}
	if first > 0 {
		h, err := s.streamHead(ctx, c, stream, 1)
		if err != nil {
			return err
		}
		if !h.exists || h.revision != first-1 {
			return fmt.Errorf("%s: %w: it does not follow a restored revision %d", op, eventstore.ErrInvalidRestore, first-1)
		}
		prev, cond = h.hash, esdb.Revision(h.revision)
	}
	proposed := make([]esdb.EventData, len(run))
	var hs chain.Hasher
	for i := range run {
		e := &run[i]
		if e.Revision != first+uint64(i) {
			return fmt.Errorf("%s: %w: revision %d where %d was due", op, eventstore.ErrInvalidRestore, e.Revision, first+uint64(i))
		}
		prev = hs.Sum(prev, chain.Event{Stream: stream, Revision: e.Revision, ID: e.ID, Type: e.Type, Data: e.Data, Metadata: e.RawMetadata})
		if !bytes.Equal(prev[:], e.Hash) {
			return fmt.Errorf("%s: %w: revision %d: its content and the previous event's hash do not give its stored hash", op, eventstore.ErrInvalidRestore, e.Revision)
		}
		meta, err := joinOrigin(e.RawMetadata, origin{Position: e.AuditPosition(), RecordedAt: e.RecordedAt})
		if err == nil {
			meta, err = chain.JoinMetadata(meta, prev)
		}
		if err != nil {
			return fmt.Errorf("%s: %w: %v", op, eventstore.ErrInvalidRestore, err)
		}
		proposed[i] = esdb.EventData{EventID: e.ID, EventType: e.Type, ContentType: esdb.ContentTypeJson, Data: e.Data, Metadata: meta}
	}
	_, err := c.AppendToStream(ctx, stream, esdb.AppendToStreamOptions{ExpectedRevision: cond}, proposed...)
	if err != nil {
		var e *esdb.Error
		if errors.As(err, &e) && e.Code() == esdb.ErrorCodeWrongExpectedVersion {
			return fmt.Errorf("%s: %w: the stream changed during the restore", op, eventstore.ErrInvalidRestore)
		}
		return s.translate(ctx, c, op, err)
	}
	return nil
}
