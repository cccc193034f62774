package eventstore_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/odata-pos/pos/eventstore"
	"github.com/odata-pos/pos/eventstore/memstore"
)

// headCounter counts the HeadPosition calls that reach the store.
type headCounter struct {
	eventstore.Store
	calls int
}

func (h *headCounter) HeadPosition(ctx context.Context) (eventstore.Position, error) {
	h.calls++
	return h.Store.HeadPosition(ctx)
}

func TestHeadCacheAsksTheStoreOncePerInterval(t *testing.T) {
	ctx := context.Background()
	store := &headCounter{Store: memstore.New()}
	appendOne := func() {
		t.Helper()
		if _, err := store.Append(ctx, "s-1", eventstore.Any, []eventstore.EventData{{ID: uuid.New(), Type: "t", Data: []byte(`{}`)}}); err != nil {
			t.Fatal(err)
		}
	}
	appendOne()
	c := &eventstore.HeadCache{Store: store, Every: 50 * time.Millisecond}
	for range 5 {
		if h, err := c.HeadPosition(ctx); err != nil || h != 1 {
			t.Fatalf("head %d, %v; want 1", h, err)
		}
	}
	if store.calls != 1 {
		t.Fatalf("%d store calls within the interval, want 1", store.calls)
	}
	appendOne()
	if h, _ := c.HeadPosition(ctx); h != 1 {
		t.Fatalf("head %d within the interval, want the cached 1", h)
	}
	time.Sleep(60 * time.Millisecond)
	if h, _ := c.HeadPosition(ctx); h != 2 || store.calls != 2 {
		t.Fatalf("head %d after %d store calls; want 2 after 2", h, store.calls)
	}
}
