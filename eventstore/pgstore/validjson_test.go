package pgstore_test

import (
	"errors"
	"strings"
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

// TestAppendSkipsItsCheckOnlyForVouchedData: data an encoder vouches for (EventData.ValidJSON)
// is not checked again before the append, and if it lied the server's json input still refuses
// it (22P02, answered as ErrInvalidAppend) and nothing is written; unvouched data is refused by
// the store's own check before it is sent, as before.
func TestAppendSkipsItsCheckOnlyForVouchedData(t *testing.T) {
	s, _ := newStore(t, pgstore.Options{})
	ctx := ctxT(t, time.Minute)
	for _, vouched := range []bool{false, true} {
		evs := events(2)
		evs[1].Data, evs[0].ValidJSON, evs[1].ValidJSON = []byte(`{"a":1,}`), vouched, vouched
		_, err := s.Append(ctx, "vouched-x", eventstore.Any, evs)
		// The store's own check names the event; the server's refusal is its SQLSTATE.
		byServer := err != nil && strings.Contains(err.Error(), "SQLSTATE 22P02")
		switch {
		case err == nil:
			t.Fatalf("vouched=%v: invalid JSON appended", vouched)
		case !errors.Is(err, eventstore.ErrInvalidAppend):
			t.Fatalf("vouched=%v: err = %v, want ErrInvalidAppend", vouched, err)
		case vouched != byServer:
			t.Fatalf("vouched=%v: err = %v, want the refusal of the %s", vouched, err,
				map[bool]string{false: "store's own check", true: "server (22P02)"}[vouched])
		}
	}
	if _, err := s.ReadStream(ctx, "vouched-x", eventstore.Forwards, 0, 10); !errors.Is(err, eventstore.ErrStreamNotFound) {
		t.Fatalf("a refused append wrote something: read err = %v", err)
	}
	vouched := events(1)
	vouched[0].ValidJSON = true
	mustAppend(t, s, "vouched-y", eventstore.NoStream, vouched)
}
