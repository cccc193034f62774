package audit_test

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	esdbclient "github.com/EventStore/EventStore-Client-Go/v4/esdb"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/odata-pos/pos/eventstore"
	"github.com/odata-pos/pos/eventstore/audit"
	"github.com/odata-pos/pos/eventstore/esdb"
	"github.com/odata-pos/pos/eventstore/esdb/esdbtest"
	"github.com/odata-pos/pos/internal/pgtest"
)

// TestVerifyOnEventStoreDB chains, seals and verifies a log on the EventStoreDB backend (the
// in-process emulator; checkpoints in PostgreSQL), then writes an event past the adapter, as
// someone with direct access to the server could, and expects Verify to name it.
func TestVerifyOnEventStoreDB(t *testing.T) {
	srv := esdbtest.New(t)
	ctx := ctxT(t, 2*time.Minute)
	s, err := esdb.Open(ctx, srv.URL(), esdb.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	db, err := pgxpool.New(ctx, pgtest.NewDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(db.Close)
	for i := range 40 {
		stream := fmt.Sprintf("sale-%d", i%5)
		evs := []eventstore.EventData{{ID: uuid.New(), Type: "sales.line_added.v1",
			Data:     json.RawMessage(fmt.Sprintf(`{"i":%d,"note":"Grüße \"x\""}`, i)),
			Metadata: eventstore.Metadata{UserID: "u-1", OccurredAt: time.Now()}}}
		exp := eventstore.Any
		if i%3 == 0 && i >= 5 {
			exp = eventstore.Exact(uint64(i/5 - 1))
		}
		if _, err := s.Append(ctx, stream, exp, evs); err != nil {
			t.Fatal(err)
		}
	}
	cp, err := (&audit.Checkpointer{Store: s, DB: db, Key: testKey, Every: 15}).Extend(ctx)
	if err != nil || cp.Count != 40 {
		t.Fatalf("checkpoint: %+v %v", cp, err)
	}
	rep, err := audit.Verify(ctx, s, db, testKey, audit.Options{})
	if err != nil || !rep.OK || rep.Events != 40 || rep.Streams != 5 || rep.Checkpoints != 3 {
		t.Fatalf("verify: %+v %+v %v", rep, rep.Broken, err)
	}

	// An event written straight to the server carries no valid chain hash.
	cfg, err := esdbclient.ParseConnectionString(srv.URL())
	if err != nil {
		t.Fatal(err)
	}
	raw, err := esdbclient.NewClient(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	meta := []byte(`{"user_id":"intruder","$chain":"` + fmt.Sprintf("%064x", 1) + `"}`)
	if _, err := raw.AppendToStream(ctx, "sale-2", esdbclient.AppendToStreamOptions{}, esdbclient.EventData{
		EventID: uuid.New(), EventType: "sales.refund_issued.v1", ContentType: esdbclient.ContentTypeJson,
		Data: []byte(`{"amount":100000}`), Metadata: meta,
	}); err != nil {
		t.Fatal(err)
	}
	rep, err = audit.Verify(ctx, s, db, testKey, audit.Options{})
	if err != nil || rep.OK || rep.Broken.Problem != audit.ProblemHash || rep.Broken.Stream != "sale-2" || rep.Broken.Revision != 8 {
		t.Fatalf("verify after a forged append: %+v %+v %v", rep, rep.Broken, err)
	}
}
