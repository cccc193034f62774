package publish

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/ThreeDotsLabs/watermill/message"
)

// recorder is a publisher that confirms everything and records the streams of each call.
type recorder struct {
	mu    sync.Mutex
	calls []string
}

func (r *recorder) Publish(_ string, msgs ...*message.Message) error {
	var streams []string
	for _, m := range msgs {
		streams = append(streams, m.Metadata.Get(HeaderStream))
	}
	r.mu.Lock()
	r.calls = append(r.calls, strings.Join(streams, " "))
	r.mu.Unlock()
	return nil
}

func (r *recorder) Close() error { return nil }

// TestALaneCallHoldsOneMessageOfAStream: a lane puts consecutive messages of one topic in one
// call, but never two of one stream, since a publisher may pipeline a call and a broker may
// refuse one of its messages and take a later one.
func TestALaneCallHoldsOneMessageOfAStream(t *testing.T) {
	var items []item
	for i, stream := range []string{"a", "a", "b", "a", "b", "b", "c"} {
		m := message.NewMessage(fmt.Sprint(i), nil)
		m.Metadata.Set(HeaderStream, stream)
		items = append(items, item{index: i, stream: stream, topic: "t", msg: m})
	}
	rec := &recorder{}
	res, err := publishLanes(rec, items, len(items), 1)
	if err != nil || res.done != len(items) || res.confirmed != len(items) {
		t.Fatalf("result %+v, %v", res, err)
	}
	if want := []string{"a", "a b", "a b", "b c"}; !slices.Equal(rec.calls, want) {
		t.Errorf("calls %q, want %q", rec.calls, want)
	}
}
