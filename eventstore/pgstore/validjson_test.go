package pgstore_test

import (
	"errors"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/odata-pos/pos/eventstore"
	"github.com/odata-pos/pos/eventstore/pgstore"
)

// TestReadsVouchForTheirJSON: every read path marks its events ValidJSON, which lets decoders
// skip their own check, because the json columns hold nothing but valid JSON: the server
// refuses, even from a raw INSERT, the inputs go-json would accept and encoding/json rejects.
func TestReadsVouchForTheirJSON(t *testing.T) {
	s, url := newStore(t, pgstore.Options{})
	ctx := ctxT(t, time.Minute)
	mustAppend(t, s, "a-1", eventstore.NoStream, events(2))
	fromStream, err := s.ReadStream(ctx, "a-1", eventstore.Forwards, 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	fromAll, err := s.ReadAll(ctx, 0, 10, eventstore.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	pages, err := s.ReadStreams(ctx, []eventstore.StreamRead{{Stream: "a-1", Max: 10}})
	if err != nil {
		t.Fatal(err)
	}
	for _, evs := range [][]eventstore.RecordedEvent{fromStream, fromAll, pages[0].Events} {
		if len(evs) != 2 || !evs[0].ValidJSON || !evs[1].ValidJSON {
			t.Fatalf("read %d events, ValidJSON not set on all", len(evs))
		}
	}
	conn := rawConn(t, url)
	for _, bad := range []string{`01`, `1.`, `[1 2]`, `{"a":1,}`, "\"a\nb\"", `{"a":1}x`} {
		for _, column := range []string{"data", "metadata"} {
			data, meta := `{}`, `{}`
			if column == "data" {
				data = bad
			} else {
				meta = bad
			}
			_, err := conn.Exec(ctx, `INSERT INTO events (event_id, stream_id, revision, type, data, metadata, hash)
				VALUES (gen_random_uuid(), 'raw', 0, 't', $1::text::json, $2::text::json, '\x00')`, data, meta)
			var pgErr *pgconn.PgError
			if !errors.As(err, &pgErr) || pgErr.Code != "22P02" {
				t.Fatalf("%s %q stored, or refused otherwise: %v", column, bad, err)
			}
		}
	}
}
