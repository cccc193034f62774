package eventstore

import (
	"context"
	"errors"

	"golang.org/x/sync/errgroup"
)

// StreamRead is one stream's part of a multi-stream read: a forwards ReadStream's arguments.
type StreamRead struct {
	Stream string
	// From is the first revision to read (inclusive).
	From uint64
	// Max bounds the events read.
	Max int
	// NoMetadata lets the store leave each event's Metadata zero (RawMetadata still holds
	// it), for readers that never look at it (the command side): decoding it is most of the
	// CPU a read costs once the row has arrived. A store may decode it all the same.
	NoMetadata bool
}

// StreamPage is what one StreamRead came to: exactly what ReadStream(Stream, Forwards, From,
// Max) returns, its events or its error (ErrStreamNotFound, ErrStreamDeleted).
type StreamPage struct {
	Events []RecordedEvent
	Err    error
}

// MultiReader is implemented by stores that read several streams in fewer round trips than
// one ReadStream each (PostgreSQL: one statement, and so one snapshot, for them all). Each
// StreamRead has its own page, in the order given. The error is for the read as a whole (the
// store is unavailable, the context ended); the pages are then undefined.
type MultiReader interface {
	ReadStreams(ctx context.Context, reads []StreamRead) ([]StreamPage, error)
}

// ReadStreams reads every StreamRead of reads from s: in one call when s is a MultiReader,
// otherwise with at most parallel ReadStreams in flight at once. A read that fails for
// another reason than the stream's being missing or deleted fails the whole call.
func ReadStreams(ctx context.Context, s Store, reads []StreamRead, parallel int) ([]StreamPage, error) {
	if m, ok := s.(MultiReader); ok {
		return m.ReadStreams(ctx, reads)
	}
	out := make([]StreamPage, len(reads))
	var g errgroup.Group
	g.SetLimit(max(1, parallel))
	for i, r := range reads {
		g.Go(func() error {
			out[i].Events, out[i].Err = s.ReadStream(ctx, r.Stream, Forwards, r.From, r.Max)
			return nil
		})
	}
	_ = g.Wait() // every read's error is in its page
	return out, pageFailure(out)
}

// pageFailure returns the first error of pages that is not a stream's own answer.
func pageFailure(pages []StreamPage) error {
	for _, p := range pages {
		if p.Err != nil && !errors.Is(p.Err, ErrStreamNotFound) && !errors.Is(p.Err, ErrStreamDeleted) {
			return p.Err
		}
	}
	return nil
}
