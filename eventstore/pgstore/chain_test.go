package pgstore_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/odata-pos/pos/eventstore"
	"github.com/odata-pos/pos/eventstore/chain"
	"github.com/odata-pos/pos/eventstore/pgstore"
	"github.com/odata-pos/pos/internal/pgtest"
)

// hostileData is event data whose exact bytes the SQL and Go hashes must agree on.
var hostileData = []string{
	`{"name":"Crème brûlée 🍮","note":"ÄÖÜ ß 漢字 \u00e9 \ud83d\ude00"}`,
	`{"s":"quote \" backslash \\ slash \/ tab \t nl \n nul \u0000 ctl \u001f"}`,
	`{"big":123456789012345678901234567890,"neg":-0.000000000000000000001,"exp":1e308,"i":9223372036854775807}`,
	"{ \"spaced\" :\t[ 1 , 2 ,\n 3 ] }",
	`[]`,
	`"just a string"`,
	`{"k":"` + string(bytes.Repeat([]byte("x"), 70000)) + `"}`,
}

// TestChainHashSQLAgreesWithGo appends hostile data one event at a time and in batches, to new
// and existing streams, and checks every stored hash against eventstore/chain in Go, computed
// both from the bytes sent and from the bytes read back.
func TestChainHashSQLAgreesWithGo(t *testing.T) {
	s, url := newStore(t, pgstore.Options{})
	ctx := ctxT(t, time.Minute)
	var sent []eventstore.EventData
	mk := func(i int, d string) eventstore.EventData {
		return eventstore.EventData{
			ID: uuid.New(), Type: fmt.Sprintf("test.hostile_é.v%d", i), Data: json.RawMessage(d),
			Metadata: eventstore.Metadata{
				UserID: "u-ü", CorrelationID: "c\"1", OccurredAt: time.Date(2024, 1, 2, 3, 4, 5, 6789, time.FixedZone("x", 3600)),
				Extra: map[string]string{"z": "\u2028", "a": "<>&"},
			},
		}
	}
	for i, d := range hostileData { // one at a time: the UPDATE path and the creation path
		e := mk(i, d)
		mustAppend(t, s, "hostile-ünï-1", eventstore.Any, []eventstore.EventData{e})
		sent = append(sent, e)
	}
	var batch []eventstore.EventData // batches: the loop path, new and existing stream
	for i, d := range hostileData {
		batch = append(batch, mk(i, d))
	}
	mustAppend(t, s, "hostile-ünï-2", eventstore.NoStream, batch[:3])
	mustAppend(t, s, "hostile-ünï-2", eventstore.Exact(2), batch[3:])
	sent = append(sent, batch...)
	alone := mk(0, hostileData[len(hostileData)-1]) // one event at no-stream: created first (0003)
	mustAppend(t, s, "hostile-ünï-3", eventstore.NoStream, []eventstore.EventData{alone})
	sent = append(sent, alone)

	streams := []string{"hostile-ünï-1", "hostile-ünï-2", "hostile-ünï-3"}
	var n int
	for _, stream := range streams {
		evs, err := s.ReadStream(ctx, stream, eventstore.Forwards, 0, 100)
		if err != nil {
			t.Fatal(err)
		}
		prev := chain.Zero
		for _, ev := range evs {
			want := sent[n]
			meta, _ := json.Marshal(want.Metadata)
			if !bytes.Equal(ev.Data, want.Data) || !bytes.Equal(ev.RawMetadata, meta) {
				t.Fatalf("%s@%d: stored bytes differ from the bytes appended", stream, ev.Revision)
			}
			fromSent := chain.Sum(prev, chain.Event{Stream: stream, Revision: ev.Revision, ID: want.ID, Type: want.Type, Data: want.Data, Metadata: meta})
			fromRead := chain.Sum(prev, chain.Event{Stream: ev.Stream, Revision: ev.Revision, ID: ev.ID, Type: ev.Type, Data: ev.Data, Metadata: ev.RawMetadata})
			if !bytes.Equal(ev.Hash, fromSent[:]) || fromRead != fromSent {
				t.Fatalf("%s@%d: SQL hash %x, Go hash %s", stream, ev.Revision, ev.Hash, fromSent)
			}
			prev = fromSent
			n++
		}
		var last []byte
		if err := rawConn(t, url).QueryRow(ctx, `SELECT last_hash FROM streams WHERE stream_id = $1`, stream).Scan(&last); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(last, prev[:]) {
			t.Fatalf("%s: streams.last_hash %x, want %s", stream, last, prev)
		}
	}
	if n != len(sent) {
		t.Fatalf("checked %d events, appended %d", n, len(sent))
	}
	all, err := s.ReadAll(ctx, eventstore.Start, 100, eventstore.Filter{})
	if err != nil || len(all) != n {
		t.Fatalf("ReadAll: %d events, %v", len(all), err)
	}
	for _, ev := range all {
		if len(ev.Hash) != chain.Size || len(ev.RawMetadata) == 0 {
			t.Fatalf("ReadAll of %s@%d lacks hash or raw metadata", ev.Stream, ev.Revision)
		}
	}
}

// TestMigrationHashesExistingEvents stores events with the schema of migration 1, migrates,
// and checks that the old events were hashed in revision order and that appends continue
// the chains.
func TestMigrationHashesExistingEvents(t *testing.T) {
	url := pgtest.NewDatabase(t)
	ctx := ctxT(t, time.Minute)
	if err := pgstore.MigrateTo(ctx, url, 1); err != nil {
		t.Fatal(err)
	}
	conn := rawConn(t, url)
	for i := range 3 {
		evs := events(2)
		evs[0].Data = json.RawMessage(hostileData[i])
		for _, stream := range []string{"old-a", "old-b"} {
			if _, err := conn.Exec(ctx, `SELECT append_events($1, $2, $3, $4, $5, $6)`, appendArgs(stream, evs)...); err != nil {
				t.Fatal(err)
			}
			evs = events(2)
		}
	}
	s, err := pgstore.Open(ctx, url, pgstore.Options{Logger: quietLogger})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for _, stream := range []string{"old-a", "old-b"} {
		mustAppend(t, s, stream, eventstore.Exact(5), events(1))
		mustAppend(t, s, stream, eventstore.Exact(6), events(3))
		evs, err := s.ReadStream(ctx, stream, eventstore.Forwards, 0, 100)
		if err != nil {
			t.Fatal(err)
		}
		if len(evs) != 10 {
			t.Fatalf("%s: %d events", stream, len(evs))
		}
		prev := chain.Zero
		for _, ev := range evs {
			h := chain.Sum(prev, chain.Event{Stream: ev.Stream, Revision: ev.Revision, ID: ev.ID, Type: ev.Type, Data: ev.Data, Metadata: ev.RawMetadata})
			if !bytes.Equal(ev.Hash, h[:]) {
				t.Fatalf("%s@%d: hash %x, want %s", stream, ev.Revision, ev.Hash, h)
			}
			prev = h
		}
	}
}
