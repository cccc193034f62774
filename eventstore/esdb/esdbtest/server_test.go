package esdbtest_test

import (
	"context"
	"errors"
	"io"
	"testing"
	"time"

	"github.com/EventStore/EventStore-Client-Go/v4/esdb"
	"github.com/google/uuid"
	"go.uber.org/goleak"

	"github.com/odata-pos/pos/eventstore/esdb/esdbtest"
)

// These tests talk to the emulator with the raw client, for the parts of the API that the
// eventstore adapter does not use (its own tests cover the rest).

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func client(t *testing.T) (*esdb.Client, *esdbtest.Server) {
	t.Helper()
	srv := esdbtest.New(t)
	conf, err := esdb.ParseConnectionString(srv.URL())
	if err != nil {
		t.Fatal(err)
	}
	conf.Logger = esdb.NoopLogging()
	c, err := esdb.NewClient(conf)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c, srv
}

func appendN(t *testing.T, c *esdb.Client, stream string, n int) {
	t.Helper()
	evs := make([]esdb.EventData, n)
	for i := range evs {
		evs[i] = esdb.EventData{EventID: uuid.New(), EventType: "t", ContentType: esdb.ContentTypeJson, Data: []byte("{}")}
	}
	if _, err := c.AppendToStream(context.Background(), stream, esdb.AppendToStreamOptions{}, evs...); err != nil {
		t.Fatal(err)
	}
}

// drain returns a function that reads a whole read stream, so that it can take a read's two
// results directly: drain(t)(c.ReadAll(...)).
func drain(t *testing.T) func(*esdb.ReadStream, error) []*esdb.RecordedEvent {
	return func(rs *esdb.ReadStream, err error) []*esdb.RecordedEvent {
		t.Helper()
		return readAll(t, rs, err)
	}
}

func readAll(t *testing.T, rs *esdb.ReadStream, err error) []*esdb.RecordedEvent {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
	defer rs.Close()
	var out []*esdb.RecordedEvent
	for {
		ev, err := rs.Recv()
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, ev.Event)
	}
}

func TestSoftDeleteHidesTheStreamAndContinuesRevisions(t *testing.T) {
	c, _ := client(t)
	ctx := context.Background()
	appendN(t, c, "a-1", 2)
	if _, err := c.DeleteStream(ctx, "a-1", esdb.DeleteStreamOptions{ExpectedRevision: esdb.Revision(1)}); err != nil {
		t.Fatal(err)
	}
	rs, err := c.ReadStream(ctx, "a-1", esdb.ReadStreamOptions{}, 10)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := rs.Recv(); err == nil {
		t.Fatal("read of a soft-deleted stream returned an event")
	} else if e, _ := esdb.FromError(err); e.Code() != esdb.ErrorCodeResourceNotFound {
		t.Fatalf("read of a soft-deleted stream: %v, want resource not found", err)
	}
	rs.Close()
	res, err := c.AppendToStream(ctx, "a-1", esdb.AppendToStreamOptions{ExpectedRevision: esdb.Revision(1)},
		esdb.EventData{EventID: uuid.New(), EventType: "t", ContentType: esdb.ContentTypeJson, Data: []byte("{}")})
	if err != nil || res.NextExpectedVersion != 2 {
		t.Fatalf("append after soft delete: %+v, %v; want revision 2", res, err)
	}
	evs := drain(t)(c.ReadStream(ctx, "a-1", esdb.ReadStreamOptions{}, 10))
	if len(evs) != 1 || evs[0].EventNumber != 2 {
		t.Fatalf("after soft delete and append: %d events", len(evs))
	}
	meta := drain(t)(c.ReadStream(ctx, "$$a-1", esdb.ReadStreamOptions{}, 10))
	if len(meta) != 1 || meta[0].EventType != "$metadata" {
		t.Fatalf("metadata stream: %+v", meta)
	}
}

func TestReadAllBackwardsAndStreamSubscription(t *testing.T) {
	c, srv := client(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	appendN(t, c, "a-1", 3)
	appendN(t, c, "b-1", 2)
	back := drain(t)(c.ReadAll(ctx, esdb.ReadAllOptions{Direction: esdb.Backwards, From: esdb.End{}}, 3))
	if len(back) != 3 || back[0].StreamID != "b-1" || back[0].Position.Commit <= back[1].Position.Commit {
		t.Fatalf("backwards $all: %d events", len(back))
	}
	from := back[0].Position
	before := drain(t)(c.ReadAll(ctx, esdb.ReadAllOptions{Direction: esdb.Backwards, From: from}, 1))
	if len(before) != 1 || before[0].Position != back[1].Position {
		t.Fatal("backwards read from a position must start strictly before it")
	}
	at := drain(t)(c.ReadAll(ctx, esdb.ReadAllOptions{From: from}, 1))
	if len(at) != 1 || at[0].Position != from {
		t.Fatal("forwards read from a position must include it")
	}

	sub, err := c.SubscribeToStream(ctx, "a-1", esdb.SubscribeToStreamOptions{From: esdb.Revision(0)})
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()
	appendN(t, c, "a-1", 1)
	var revs []uint64
	for len(revs) < 3 {
		ev := sub.Recv()
		switch {
		case ev.SubscriptionDropped != nil:
			t.Fatalf("dropped: %v", ev.SubscriptionDropped.Error)
		case ev.EventAppeared != nil:
			revs = append(revs, ev.EventAppeared.Event.EventNumber)
		}
	}
	if revs[0] != 1 || revs[2] != 3 {
		t.Fatalf("stream subscription after revision 0 delivered %v, want [1 2 3]", revs)
	}
	srv.DropConnections()
	for {
		ev := sub.Recv()
		if ev.SubscriptionDropped != nil {
			break
		}
		if ev.EventAppeared != nil {
			t.Fatal("event after the drop")
		}
	}
}
