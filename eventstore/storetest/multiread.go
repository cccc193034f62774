package storetest

import (
	"bytes"
	"errors"
	"math"
	"testing"
	"time"

	"github.com/odata-pos/pos/eventstore"
)

// testMultiRead reads many streams through eventstore.ReadStreams (the store's MultiReader,
// or parallel ReadStreams where it has none) and checks that each page is exactly what
// ReadStream answers for its read: whole streams, a middle page, a revision past the end, a
// page of none, a stream read twice, a stream that does not exist and a tombstoned one; with
// and without metadata.
func testMultiRead(t *testing.T, b Backend) {
	s, sc := b.NewStore(t), newScope(t)
	ctx := ctxT(t, time.Minute)
	long, short, gone := sc.stream("long"), sc.stream("short"), sc.stream("gone")
	mustAppend(t, s, long, eventstore.NoStream, newEvents(long, 5))
	mustAppend(t, s, short, eventstore.NoStream, newEvents(short, 1))
	mustAppend(t, s, gone, eventstore.NoStream, newEvents(gone, 2))
	if err := s.Tombstone(ctx, gone, eventstore.Exact(1)); err != nil {
		t.Fatal(err)
	}
	reads := []eventstore.StreamRead{
		{Stream: long, From: 0, Max: 1000},
		{Stream: sc.stream("missing"), From: 0, Max: 1000},
		{Stream: short, From: 0, Max: 1000, NoMetadata: true},
		{Stream: long, From: 2, Max: 2},
		{Stream: gone, From: 0, Max: 1000},
		{Stream: long, From: 5, Max: 1000},
		{Stream: short, From: math.MaxUint64, Max: 10},
		{Stream: long, From: 0, Max: 0},
		{Stream: long, From: 4, Max: 1000, NoMetadata: true},
	}
	for _, n := range []int{0, 1, len(reads)} {
		pages, err := eventstore.ReadStreams(ctx, s, reads[:n], 3)
		if err != nil {
			t.Fatalf("read %d streams: %v", n, err)
		}
		if len(pages) != n {
			t.Fatalf("%d pages for %d reads", len(pages), n)
		}
		for i, r := range reads[:n] {
			want, wantErr := s.ReadStream(ctx, r.Stream, eventstore.Forwards, r.From, r.Max)
			checkPage(t, r, pages[i], want, wantErr)
		}
	}
}

// checkPage fails t unless got is the page ReadStream answered (want, wantErr) for r.
func checkPage(t *testing.T, r eventstore.StreamRead, got eventstore.StreamPage, want []eventstore.RecordedEvent, wantErr error) {
	t.Helper()
	for _, sentinel := range []error{eventstore.ErrStreamNotFound, eventstore.ErrStreamDeleted} {
		if errors.Is(got.Err, sentinel) != errors.Is(wantErr, sentinel) {
			t.Fatalf("%+v: error %v, ReadStream's %v", r, got.Err, wantErr)
		}
	}
	if (got.Err == nil) != (wantErr == nil) {
		t.Fatalf("%+v: error %v, ReadStream's %v", r, got.Err, wantErr)
	}
	if wantErr != nil {
		return
	}
	if len(got.Events) != len(want) {
		t.Fatalf("%+v: %d events, ReadStream read %d", r, len(got.Events), len(want))
	}
	for k, g := range got.Events {
		w := want[k]
		if g.ID != w.ID || g.Type != w.Type || g.Stream != w.Stream || g.Revision != w.Revision || g.Position != w.Position ||
			!g.RecordedAt.Equal(w.RecordedAt) || !bytes.Equal(g.Data, w.Data) || !bytes.Equal(g.RawMetadata, w.RawMetadata) ||
			!bytes.Equal(g.Hash, w.Hash) || g.OriginPosition != w.OriginPosition {
			t.Fatalf("%+v: event %d = %+v, ReadStream's %+v", r, k, g, w)
		}
		left := r.NoMetadata && metadataEqual(g.Metadata, eventstore.Metadata{})
		if !metadataEqual(g.Metadata, w.Metadata) && !left {
			t.Fatalf("%+v: event %d metadata = %+v, ReadStream's %+v", r, k, g.Metadata, w.Metadata)
		}
	}
}
