package esdb_test

import (
	"errors"
	"testing"

	esdbclient "github.com/EventStore/EventStore-Client-Go/v4/esdb"

	"github.com/odata-pos/pos/eventstore"
	"github.com/odata-pos/pos/eventstore/esdb"
	"github.com/odata-pos/pos/eventstore/esdb/esdbtest"
)

// A stream whose EventStoreDB metadata hides its last event (here $tb past it, as another
// tool could set) still exists on the server, but reads show no events: the server refuses
// an append at "no stream", and Append must say why at once instead of retrying as if the
// stream kept moving and then answering ErrUnavailable.
func TestAppendToStreamHiddenByMetadata(t *testing.T) {
	srv := esdbtest.New(t)
	s := open(t, srv.URL())
	ctx := ctxFor(t)
	mustAppend(t, s, "till-1", eventstore.NoStream, events("till-1", 2))

	conf, err := esdbclient.ParseConnectionString(srv.URL())
	if err != nil {
		t.Fatal(err)
	}
	conf.Logger = esdbclient.NoopLogging()
	raw, err := esdbclient.NewClient(conf)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = raw.Close() })
	var m esdbclient.StreamMetadata
	m.SetTruncateBefore(2)
	if _, err := raw.SetStreamMetadata(ctx, "till-1", esdbclient.AppendToStreamOptions{}, m); err != nil {
		t.Fatal(err)
	}

	if evs, err := s.ReadStream(ctx, "till-1", eventstore.Forwards, 0, 10); err != nil || len(evs) != 0 {
		t.Fatalf("read of the hidden stream: %d events, err %v; want none and no error", len(evs), err)
	}
	for _, exp := range []eventstore.ExpectedRevision{eventstore.Any, eventstore.NoStream} {
		_, err := s.Append(ctx, "till-1", exp, events("till-1", 1))
		if !errors.Is(err, esdb.ErrHiddenByMetadata) || errors.Is(err, eventstore.ErrUnavailable) {
			t.Fatalf("append at %s: err = %v, want ErrHiddenByMetadata (not ErrUnavailable)", exp, err)
		}
	}
}
