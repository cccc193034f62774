package commands_test

import (
	"context"
	"testing"

	"github.com/odata-pos/pos/commands"
	"github.com/odata-pos/pos/eventstore"
	"github.com/odata-pos/pos/eventstore/memstore"
)

type step = commands.Step[counter, event]

// TestExecuteStepsAppendsOnceFromAKnownStateAndRedecidesWhenItIsStale: the steps of a batch
// go in one append, each deciding on what the ones before it left; a next batch from the
// returned state appends without reading; when another writer appended in between, the
// stream is read again and every step decided again; a step whose events were read already
// decides nothing.
func TestExecuteStepsAppendsOnceFromAKnownStateAndRedecidesWhenItIsStale(t *testing.T) {
	store := memstore.New()
	h := newHandler(t, store)
	ctx := context.Background()
	// The third step only fits after the first two: it sees their state.
	l, err := commands.ExecuteSteps(ctx, h, "counter-1", counterAggregate, nil, nil, []step{
		{Cmd: commands.Context{ID: "a"}, Decide: increment(2, 10)},
		{Cmd: commands.Context{ID: "b"}, Decide: increment(3, 10)},
		{Cmd: commands.Context{ID: "c"}, Decide: increment(5, 10)},
	})
	if err != nil || l.State.n != 10 || l.Revision != 2 {
		t.Fatalf("first batch: %+v %v", l, err)
	}
	evs, _ := store.ReadStream(ctx, "counter-1", eventstore.Forwards, 0, 10)
	if len(evs) != 3 || evs[0].Position != evs[2].Position-2 || evs[1].Metadata.CommandID != "b" {
		t.Fatalf("events %+v", evs)
	}
	// Another writer appends: the known state is stale, the steps are decided again.
	if _, err := commands.Execute(ctx, h, "counter-1", counterAggregate, commands.Context{ID: "other"}, increment(-4, 100)); err != nil {
		t.Fatal(err)
	}
	l, err = commands.ExecuteSteps(ctx, h, "counter-1", counterAggregate, &l, nil, []step{
		{Cmd: commands.Context{ID: "d"}, Decide: increment(1, 100)},
	})
	if err != nil || l.State.n != 7 || l.Revision != 4 {
		t.Fatalf("stale batch: %+v %v", l, err)
	}
	// Steps whose events are in the stream (read again here) decide nothing.
	l, err = commands.ExecuteSteps(ctx, h, "counter-1", counterAggregate, nil, nil, []step{
		{Cmd: commands.Context{ID: "c"}, Decide: increment(5, 10)},
		{Cmd: commands.Context{ID: "d"}, Decide: increment(1, 100)},
	})
	if err != nil || l.State.n != 7 || l.Revision != 4 {
		t.Fatalf("repeated steps: %+v %v", l, err)
	}
}
