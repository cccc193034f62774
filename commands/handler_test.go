package commands_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/odata-pos/pos/commands"
	"github.com/odata-pos/pos/eventstore"
	"github.com/odata-pos/pos/eventstore/memstore"
)

// A tiny aggregate for exercising the handler shape: a counter with a ceiling.
type counter struct{ n int }

type event interface{ isCounterEvent() }

type incremented struct {
	By int `json:"by"`
}

func (incremented) isCounterEvent() {}

var errCeiling = errors.New("counter would pass its ceiling")

var counterAggregate = commands.Aggregate[counter, event]{
	Initial: func() counter { return counter{} },
	Evolve: func(c counter, e event) counter {
		if inc, ok := e.(incremented); ok {
			c.n += inc.By
		}
		return c
	},
}

func increment(by, ceiling int) func(counter) ([]event, error) {
	return func(c counter) ([]event, error) {
		if c.n+by > ceiling {
			return nil, errCeiling
		}
		if by == 0 {
			return nil, nil
		}
		return []event{incremented{By: by}}, nil
	}
}

func newHandler(t *testing.T, store eventstore.Store) *commands.Handler {
	t.Helper()
	codec := eventstore.NewCodec()
	codec.Register("test.incremented.v1", incremented{})
	return commands.NewHandler(store, codec, commands.Options{MaxRetries: 64})
}

func TestExecuteAppendsWithMetadataAndDeterministicIDs(t *testing.T) {
	store := memstore.New()
	h := newHandler(t, store)
	cmd := commands.Context{ID: "cmd-1", CorrelationID: "corr", CausationID: "req", UserID: "u1", ApproverID: "m1", StoreID: "s1", RegisterID: "r1"}
	res, err := commands.Execute(context.Background(), h, "counter-1", counterAggregate, cmd, increment(2, 10))
	if err != nil {
		t.Fatal(err)
	}
	if res.Revision != 0 || res.Replayed || len(res.Events) != 1 {
		t.Fatalf("result = %+v, want revision 0, one new event", res)
	}
	evs, err := store.ReadStream(context.Background(), "counter-1", eventstore.Forwards, 0, 10)
	if err != nil || len(evs) != 1 {
		t.Fatalf("stream holds %d events (err %v), want 1", len(evs), err)
	}
	m := evs[0].Metadata
	if m.CommandID != "cmd-1" || m.UserID != "u1" || m.ApproverID != "m1" || m.CorrelationID != "corr" || m.StoreID != "s1" || m.RegisterID != "r1" {
		t.Fatalf("metadata = %+v, want the command's context", m)
	}
	if evs[0].Type != "test.incremented.v1" || string(evs[0].Data) != `{"by":2}` {
		t.Fatalf("event = %s %s", evs[0].Type, evs[0].Data)
	}
	if evs[0].ID != eventstore.DeterministicID("command", "cmd-1", "counter-1", "0") {
		t.Fatalf("event ID %s is not derived from the command ID", evs[0].ID)
	}
}

func TestExecuteReplaysARetriedCommand(t *testing.T) {
	store := memstore.New()
	h := newHandler(t, store)
	ctx := context.Background()
	cmd := commands.Context{ID: "pay-7"}
	first, err := commands.Execute(ctx, h, "counter-r", counterAggregate, cmd, increment(3, 100))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := commands.Execute(ctx, h, "counter-r", counterAggregate, commands.Context{ID: "other"}, increment(1, 100)); err != nil {
		t.Fatal(err)
	}
	again, err := commands.Execute(ctx, h, "counter-r", counterAggregate, cmd, increment(3, 100))
	if err != nil {
		t.Fatal(err)
	}
	if !again.Replayed || again.Revision != first.Revision || again.Position != first.Position {
		t.Fatalf("retry = %+v, want a replay of %+v", again, first)
	}
	loaded, err := commands.Load(ctx, h, "counter-r", counterAggregate)
	if err != nil {
		t.Fatal(err)
	}
	if loaded.State.n != 4 || loaded.Revision != 1 {
		t.Fatalf("counter = %d at revision %d, want 4 at 1: the retry applied twice", loaded.State.n, loaded.Revision)
	}
}

func TestExecuteRetriesLostRacesUntilEveryCommandLands(t *testing.T) {
	store := memstore.New()
	h := newHandler(t, store)
	const writers = 20
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for i := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := commands.Execute(context.Background(), h, "counter-race", counterAggregate, commands.Context{ID: fmt.Sprint("inc-", i)}, increment(1, 1000))
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatalf("a racing command failed: %v", err)
		}
	}
	loaded, err := commands.Load(context.Background(), h, "counter-race", counterAggregate)
	if err != nil {
		t.Fatal(err)
	}
	if loaded.State.n != writers || loaded.Revision != writers-1 {
		t.Fatalf("counter = %d at revision %d, want %d at %d", loaded.State.n, loaded.Revision, writers, writers-1)
	}
}

func TestExecuteRulesAndPreconditions(t *testing.T) {
	store := memstore.New()
	h := newHandler(t, store)
	ctx := context.Background()
	if _, err := commands.Execute(ctx, h, "counter-p", counterAggregate, commands.Context{ID: "a"}, increment(5, 5)); err != nil {
		t.Fatal(err)
	}
	if _, err := commands.Execute(ctx, h, "counter-p", counterAggregate, commands.Context{ID: "b"}, increment(1, 5)); !errors.Is(err, errCeiling) {
		t.Fatalf("err = %v, want the decider's rule error", err)
	}
	stale := uint64(7)
	if _, err := commands.Execute(ctx, h, "counter-p", counterAggregate, commands.Context{ID: "c", IfMatch: &stale}, increment(0, 5)); !errors.Is(err, commands.ErrPreconditionFailed) {
		t.Fatalf("err = %v, want ErrPreconditionFailed", err)
	}
	current := uint64(0)
	res, err := commands.Execute(ctx, h, "counter-p", counterAggregate, commands.Context{ID: "d", IfMatch: &current}, increment(0, 5))
	if err != nil || len(res.Events) != 0 || res.Revision != 0 {
		t.Fatalf("no-op at the current revision = %+v, %v", res, err)
	}
	if _, err := commands.Execute(ctx, h, "counter-p", counterAggregate, commands.Context{}, increment(0, 5)); !errors.Is(err, commands.ErrMissingCommandID) {
		t.Fatalf("err = %v, want ErrMissingCommandID", err)
	}
	if loaded, _ := commands.Load(ctx, h, "counter-p", counterAggregate); loaded.State.n != 5 || loaded.Revision != 0 {
		t.Fatalf("failed commands wrote: counter %d at revision %d", loaded.State.n, loaded.Revision)
	}
}

// alwaysRacing is a store on which every append loses the race.
type alwaysRacing struct{ eventstore.Store }

func (a alwaysRacing) Append(ctx context.Context, stream string, exp eventstore.ExpectedRevision, evs []eventstore.EventData) (eventstore.AppendResult, error) {
	return eventstore.AppendResult{}, &eventstore.WrongExpectedRevisionError{Stream: stream, Expected: exp}
}

func TestExecuteGivesUpAfterBoundedRetries(t *testing.T) {
	h := commands.NewHandler(alwaysRacing{memstore.New()}, newHandler(t, nil).Codec(), commands.Options{MaxRetries: 3})
	_, err := commands.Execute(context.Background(), h, "counter-x", counterAggregate, commands.Context{ID: "x"}, increment(1, 9))
	if !errors.Is(err, commands.ErrConflict) {
		t.Fatalf("err = %v, want ErrConflict", err)
	}
}
