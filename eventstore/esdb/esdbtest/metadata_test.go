package esdbtest_test

import (
	"context"
	"errors"
	"testing"

	"github.com/EventStore/EventStore-Client-Go/v4/esdb"
)

// Stream metadata hides events from stream reads as the server does ($maxCount, $tb; $maxAge
// is checked by EventStore-Client-Go's own readStreamWithMaxAge, see
// scripts/esdb-client-suite.sh): the stream still exists, and $all still has the events.
func TestStreamMetadataHidesEventsFromStreamReads(t *testing.T) {
	c, _ := client(t)
	ctx := context.Background()
	appendN(t, c, "meta", 5)
	revisions := func() []uint64 {
		t.Helper()
		var out []uint64
		for _, e := range drain(t)(c.ReadStream(ctx, "meta", esdb.ReadStreamOptions{}, 100)) {
			out = append(out, e.EventNumber)
		}
		return out
	}

	var m esdb.StreamMetadata
	m.SetMaxCount(2)
	if _, err := c.SetStreamMetadata(ctx, "meta", esdb.AppendToStreamOptions{}, m); err != nil {
		t.Fatal(err)
	}
	if got := revisions(); len(got) != 2 || got[0] != 3 || got[1] != 4 {
		t.Fatalf("with $maxCount 2 the stream reads %v, want [3 4]", got)
	}
	back := drain(t)(c.ReadStream(ctx, "meta", esdb.ReadStreamOptions{Direction: esdb.Backwards, From: esdb.End{}}, 100))
	if len(back) != 2 || back[0].EventNumber != 4 {
		t.Fatalf("with $maxCount 2 the stream reads backwards %d events, want 2 from revision 4", len(back))
	}

	m = esdb.StreamMetadata{}
	m.SetTruncateBefore(5)
	if _, err := c.SetStreamMetadata(ctx, "meta", esdb.AppendToStreamOptions{}, m); err != nil {
		t.Fatal(err)
	}
	if got := revisions(); len(got) != 0 {
		t.Fatalf("with $tb 5 the stream reads %v, want no events (and no StreamNotFound)", got)
	}
	all := drain(t)(c.ReadAll(ctx, esdb.ReadAllOptions{}, 1000))
	n := 0
	for _, e := range all {
		if e.StreamID == "meta" {
			n++
		}
	}
	if n != 5 {
		t.Fatalf("$all has %d events of the stream, want all 5 (metadata hides them from stream reads only)", n)
	}

	// Appending continues the stream's revisions; the new event is visible.
	appendN(t, c, "meta", 1)
	if got := revisions(); len(got) != 1 || got[0] != 5 {
		t.Fatalf("after an append the stream reads %v, want [5]", got)
	}
	got, err := c.GetStreamMetadata(ctx, "meta", esdb.ReadStreamOptions{Direction: esdb.Backwards, From: esdb.End{}})
	if err != nil {
		t.Fatal(err)
	}
	if tb := got.TruncateBefore(); tb == nil || *tb != 5 {
		t.Fatalf("GetStreamMetadata: $tb %v, want 5", tb)
	}
	var esdbErr *esdb.Error
	if _, err := c.ReadStream(ctx, "meta", esdb.ReadStreamOptions{}, 1); errors.As(err, &esdbErr) {
		t.Fatalf("reading the stream: %v", err)
	}
}
