package pgstore_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/odata-pos/pos/eventstore"
	"github.com/odata-pos/pos/eventstore/pgstore"
)

func TestAppendKeepsExactBytesAndOrder(t *testing.T) {
	s, _ := newStore(t, pgstore.Options{})
	evs := events(3)
	evs[0].Data = json.RawMessage("{\"z\": 1,   \"a\" : [1, 2.50, \"\\u00e9\"]}")
	res := mustAppend(t, s, "sale-1", eventstore.NoStream, evs)
	if res.Revision != 2 || res.Position != 3 {
		t.Fatalf("result %+v, want revision 2 at position 3 (positions start at 1)", res)
	}
	got, err := s.ReadStream(ctxT(t, time.Minute), "sale-1", eventstore.Forwards, 0, 10)
	if err != nil || len(got) != 3 {
		t.Fatalf("read: %d events, err %v", len(got), err)
	}
	if !bytes.Equal(got[0].Data, evs[0].Data) {
		t.Fatalf("data %s, want the exact bytes %s", got[0].Data, evs[0].Data)
	}
	for i, e := range got {
		if e.Position != eventstore.Position(i+1) || e.Revision != uint64(i) || e.Metadata.CorrelationID != "c-1" {
			t.Fatalf("event %d: position %d revision %d metadata %+v", i, e.Position, e.Revision, e.Metadata)
		}
	}
	back, err := s.ReadStream(ctxT(t, time.Minute), "sale-1", eventstore.Backwards, eventstore.End, 2)
	if err != nil || len(back) != 2 || back[0].Revision != 2 || back[1].Revision != 1 {
		t.Fatalf("backwards from End: %v, err %v", positions(back), err)
	}
}

func TestAppendErrors(t *testing.T) {
	s, _ := newStore(t, pgstore.Options{})
	ctx := ctxT(t, time.Minute)
	mustAppend(t, s, "sale-1", eventstore.NoStream, events(2))

	var wer *eventstore.WrongExpectedRevisionError
	_, err := s.Append(ctx, "sale-1", eventstore.Exact(0), events(1))
	if !errors.As(err, &wer) || wer.Actual != (eventstore.ActualRevision{Exists: true, Revision: 1}) {
		t.Fatalf("stale exact: err %v, want wrong expected revision with actual 1", err)
	}
	_, err = s.Append(ctx, "sale-2", eventstore.StreamExists, events(1))
	if !errors.As(err, &wer) || wer.Actual.Exists {
		t.Fatalf("stream-exists on a new stream: err %v, want wrong expected revision, no stream", err)
	}

	taken := events(1)
	mustAppend(t, s, "sale-3", eventstore.Any, taken)
	if _, err := s.Append(ctx, "sale-4", eventstore.Any, taken); !errors.Is(err, eventstore.ErrDuplicateEventID) {
		t.Fatalf("id of another stream: err %v, want ErrDuplicateEventID", err)
	}
	// NoStream to a new stream takes the shortcut that creates the stream first (0003).
	if _, err := s.Append(ctx, "sale-7", eventstore.NoStream, taken); !errors.Is(err, eventstore.ErrDuplicateEventID) {
		t.Fatalf("id of another stream, new stream at no-stream: err %v, want ErrDuplicateEventID", err)
	}
	if _, err := s.Append(ctx, "sale-7", eventstore.NoStream, append(events(1), taken...)); !errors.Is(err, eventstore.ErrDuplicateEventID) {
		t.Fatalf("partly stored ids, new stream at no-stream: err %v, want ErrDuplicateEventID", err)
	}
	partial := append(events(1), taken...)
	if _, err := s.Append(ctx, "sale-3", eventstore.Any, partial); !errors.Is(err, eventstore.ErrDuplicateEventID) {
		t.Fatalf("partly stored ids: err %v, want ErrDuplicateEventID", err)
	}
	twice := events(1)
	twice = append(twice, twice[0])
	if _, err := s.Append(ctx, "sale-5", eventstore.Any, twice); !errors.Is(err, eventstore.ErrDuplicateEventID) {
		t.Fatalf("one id twice in a batch: err %v, want ErrDuplicateEventID", err)
	}
	badUTF8 := events(1)
	badUTF8[0].Data = json.RawMessage("\"\xff\"")
	if _, err := s.Append(ctx, "sale-6", eventstore.Any, badUTF8); !errors.Is(err, eventstore.ErrInvalidAppend) {
		t.Fatalf("invalid UTF-8: err %v, want ErrInvalidAppend", err)
	}
	for _, stream := range []string{"sale-2", "sale-4", "sale-5", "sale-6", "sale-7"} {
		if _, err := s.ReadStream(ctx, stream, eventstore.Forwards, 0, 1); !errors.Is(err, eventstore.ErrStreamNotFound) {
			t.Fatalf("%s after failed appends: err %v, want ErrStreamNotFound", stream, err)
		}
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		t.Fatalf("a driver error leaked: %v", err)
	}
}

func TestAppendIdempotentRetries(t *testing.T) {
	s, _ := newStore(t, pgstore.Options{})
	ctx := ctxT(t, time.Minute)
	first := events(2)
	r1 := mustAppend(t, s, "sale-1", eventstore.NoStream, first)
	r2 := mustAppend(t, s, "sale-1", eventstore.Exact(1), events(3))
	cases := []struct {
		exp  eventstore.ExpectedRevision
		evs  []eventstore.EventData
		want eventstore.AppendResult
	}{
		{eventstore.NoStream, first, r1},
		{eventstore.Any, first, r1},
		{eventstore.Exact(0), first[1:], r1},
		{eventstore.StreamExists, first[1:], r1},
	}
	for _, c := range cases {
		got, err := s.Append(ctx, "sale-1", c.exp, c.evs)
		if err != nil || got != c.want {
			t.Fatalf("retry at %s: %+v, %v; want the original %+v", c.exp, got, err, c.want)
		}
	}
	var wer *eventstore.WrongExpectedRevisionError
	if _, err := s.Append(ctx, "sale-1", eventstore.Exact(7), first); !errors.As(err, &wer) || wer.Actual.Revision != r2.Revision {
		t.Fatalf("retry at another expected revision: err %v, want wrong expected with actual %d", err, r2.Revision)
	}
	if head, _ := s.HeadPosition(ctx); head != r2.Position {
		t.Fatalf("head %d after retries, want %d: a retry wrote", head, r2.Position)
	}
}

// TestConcurrentIdenticalAppends: 16 goroutines send the same append at once (a retried
// command); all succeed with one result and the events are stored once.
func TestConcurrentIdenticalAppends(t *testing.T) {
	s, _ := newStore(t, pgstore.Options{})
	for _, exp := range []eventstore.ExpectedRevision{eventstore.NoStream, eventstore.Exact(1), eventstore.Any} {
		evs := events(2)
		if !exp.IsNoStream() {
			evs = events(2)
		}
		results := make([]eventstore.AppendResult, 16)
		errs := make([]error, 16)
		var wg sync.WaitGroup
		for i := range 16 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				results[i], errs[i] = s.Append(ctxT(t, time.Minute), "sale-x", exp, evs)
			}()
		}
		wg.Wait()
		for i := range 16 {
			if errs[i] != nil || results[i] != results[0] {
				t.Fatalf("expected %s: writer %d got %+v, %v; writer 0 got %+v", exp, i, results[i], errs[i], results[0])
			}
		}
	}
	got, err := s.ReadStream(ctxT(t, time.Minute), "sale-x", eventstore.Forwards, 0, 100)
	if err != nil || len(got) != 6 {
		t.Fatalf("stream holds %d events (err %v), want 6", len(got), err)
	}
}

// TestRacingWritersOneWins: 16 goroutines append at the same expected revision; one wins and
// the others learn the winner's revision.
func TestRacingWritersOneWins(t *testing.T) {
	s, _ := newStore(t, pgstore.Options{})
	mustAppend(t, s, "shift-1", eventstore.NoStream, events(1))
	var wg sync.WaitGroup
	errs := make([]error, 16)
	for i := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = s.Append(ctxT(t, time.Minute), "shift-1", eventstore.Exact(0), events(2))
		}()
	}
	wg.Wait()
	wins := 0
	for _, err := range errs {
		var wer *eventstore.WrongExpectedRevisionError
		switch {
		case err == nil:
			wins++
		case !errors.As(err, &wer) || wer.Actual != (eventstore.ActualRevision{Exists: true, Revision: 2}):
			t.Fatalf("loser got %v, want wrong expected revision with actual 2", err)
		}
	}
	if wins != 1 {
		t.Fatalf("%d winners, want 1", wins)
	}
}

// TestDuplicateIDRaceAcrossStreams: 8 goroutines append one event ID to 8 new streams at
// once, at any and at no-stream (where each creates its stream first); one wins, the others
// get ErrDuplicateEventID and leave no stream behind.
func TestDuplicateIDRaceAcrossStreams(t *testing.T) {
	s, _ := newStore(t, pgstore.Options{})
	for _, exp := range []eventstore.ExpectedRevision{eventstore.Any, eventstore.NoStream} {
		evs := events(1)
		stream := func(i int) string { return fmt.Sprintf("sale-%s-%d", exp, i) }
		var wg sync.WaitGroup
		errs := make([]error, 8)
		for i := range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, errs[i] = s.Append(ctxT(t, time.Minute), stream(i), exp, evs)
			}()
		}
		wg.Wait()
		wins := 0
		for i, err := range errs {
			switch {
			case err == nil:
				wins++
			case !errors.Is(err, eventstore.ErrDuplicateEventID):
				t.Fatalf("at %s: err %v, want ErrDuplicateEventID", exp, err)
			default:
				if _, err := s.ReadStream(ctxT(t, time.Minute), stream(i), eventstore.Forwards, 0, 1); !errors.Is(err, eventstore.ErrStreamNotFound) {
					t.Fatalf("at %s: a losing append left %s behind: %v", exp, stream(i), err)
				}
			}
		}
		if wins != 1 {
			t.Fatalf("at %s: %d appends of one id succeeded, want 1", exp, wins)
		}
	}
}

func TestTombstone(t *testing.T) {
	s, _ := newStore(t, pgstore.Options{})
	ctx := ctxT(t, time.Minute)
	res := mustAppend(t, s, "product-1", eventstore.NoStream, events(2))
	if err := s.Tombstone(ctx, "product-1", eventstore.NoStream); !errors.Is(err, eventstore.ErrWrongExpectedRevision) {
		t.Fatalf("tombstone at no-stream: %v", err)
	}
	if err := s.Tombstone(ctx, "product-1", eventstore.Exact(1)); err != nil {
		t.Fatal(err)
	}
	if err := s.Tombstone(ctx, "product-1", eventstore.Any); !errors.Is(err, eventstore.ErrStreamDeleted) {
		t.Fatalf("second tombstone: %v", err)
	}
	for _, exp := range []eventstore.ExpectedRevision{eventstore.Any, eventstore.NoStream} {
		if _, err := s.Append(ctx, "product-1", exp, events(1)); !errors.Is(err, eventstore.ErrStreamDeleted) {
			t.Fatalf("append at %s after tombstone: %v", exp, err)
		}
	}
	if err := s.Tombstone(ctx, "product-2", eventstore.Exact(0)); !errors.Is(err, eventstore.ErrWrongExpectedRevision) {
		t.Fatalf("tombstone of a missing stream at 0: %v", err)
	}
	if _, err := s.ReadStream(ctx, "product-2", eventstore.Forwards, 0, 1); !errors.Is(err, eventstore.ErrStreamNotFound) {
		t.Fatalf("failed tombstone left a stream behind: %v", err)
	}
	all, err := s.ReadAll(ctx, eventstore.Start, 10, eventstore.Filter{})
	if err != nil || len(all) != 2 || all[1].Position != res.Position {
		t.Fatalf("$all after tombstone: %v, err %v; the events stay", positions(all), err)
	}
}

func TestMigrateConcurrentlyAndAgain(t *testing.T) {
	_, url := newStore(t, pgstore.Options{})
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = pgstore.Migrate(ctxT(t, time.Minute), url)
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatalf("migrate: %v", err)
		}
	}
	files, _ := filepath.Glob("migrations/*.sql")
	var n int
	if err := rawConn(t, url).QueryRow(ctxT(t, time.Minute),
		`SELECT count(*) FROM `+pgstore.MigrationsTable+` WHERE version_id > 0`).Scan(&n); err != nil || n != len(files) || n == 0 {
		t.Fatalf("%d applied migrations recorded (err %v), want %d", n, err, len(files))
	}
}

func TestUnreachableServerIsUnavailable(t *testing.T) {
	_, err := pgstore.Open(ctxT(t, 10*time.Second), "postgres://postgres@127.0.0.1:1/x?sslmode=disable&connect_timeout=2", pgstore.Options{Logger: quietLogger})
	if !errors.Is(err, eventstore.ErrUnavailable) {
		t.Fatalf("open of a closed port: %v, want ErrUnavailable", err)
	}
}
