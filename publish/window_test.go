package publish

import (
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
)

// recorder is a publisher that records every call (the stream of its one message) and fails
// when its message is the one named by fail. It fails the test if a call holds more than one
// message, or if a stream has two messages in flight at once. before, when set, runs at the
// start of each call.
type recorder struct {
	t      *testing.T
	fail   string // a message UUID
	before func(stream, id string)

	mu       sync.Mutex
	calls    []string // "stream/uuid"
	inFlight map[string]bool
}

func (r *recorder) Publish(_ string, msgs ...*message.Message) error {
	if len(msgs) != 1 {
		r.t.Errorf("a call of %d messages", len(msgs))
	}
	m := msgs[0]
	stream := m.Metadata.Get(HeaderStream)
	r.mu.Lock()
	if r.inFlight == nil {
		r.inFlight = map[string]bool{}
	}
	if r.inFlight[stream] {
		r.t.Errorf("two messages of %s in flight", stream)
	}
	r.inFlight[stream] = true
	r.calls = append(r.calls, stream+"/"+m.UUID)
	r.mu.Unlock()
	if r.before != nil {
		r.before(stream, m.UUID)
	}
	time.Sleep(time.Millisecond) // let the other streams' calls overlap this one
	r.mu.Lock()
	r.inFlight[stream] = false
	r.mu.Unlock()
	if m.UUID == r.fail {
		return errors.New("refused")
	}
	return nil
}

func (r *recorder) Close() error { return nil }

// items builds a batch's items of the given streams, the i-th with UUID i.
func items(streams ...string) []item {
	var out []item
	for i, stream := range streams {
		m := message.NewMessage(fmt.Sprint(i), nil)
		m.Metadata.Set(HeaderStream, stream)
		out = append(out, item{index: i, stream: stream, topic: "t", msg: m})
	}
	return out
}

// of returns the calls of stream, in the order they were made.
func (r *recorder) of(stream string) []string {
	var out []string
	for _, c := range r.calls {
		if s, id, _ := cut(c); s == stream {
			out = append(out, id)
		}
	}
	return out
}

func cut(call string) (stream, id string, ok bool) {
	i := len(call) - 1
	for i >= 0 && call[i] != '/' {
		i--
	}
	return call[:max(i, 0)], call[i+1:], i >= 0
}

// TestAStreamHasOneMessageInFlightAndKeepsItsOrder: with a window wider than the streams, each
// stream's messages still go out one at a time (the recorder fails the test otherwise), in
// batch order, and all are confirmed.
func TestAStreamHasOneMessageInFlightAndKeepsItsOrder(t *testing.T) {
	its := items("a", "a", "b", "a", "b", "b", "c", "a", "c")
	rec := &recorder{t: t}
	res, err := publishWindow(rec, its, len(its), 8)
	if err != nil || res.done != len(its) || res.confirmed != len(its) {
		t.Fatalf("result %+v, %v", res, err)
	}
	for stream, want := range map[string][]string{"a": {"0", "1", "3", "7"}, "b": {"2", "4", "5"}, "c": {"6", "8"}} {
		if got := rec.of(stream); !slices.Equal(got, want) {
			t.Errorf("%s published %q, want %q", stream, got, want)
		}
	}
}

// TestABusyStreamHoldsUpNoOtherStream: while the first message of a stream with many
// messages waits for its confirm, every message of the other streams goes out (a window of
// lanes that hashed streams together made them wait behind the busy one).
func TestABusyStreamHoldsUpNoOtherStream(t *testing.T) {
	its := items("hot", "b", "hot", "c", "hot", "b", "d", "c", "hot", "e", "b")
	others := 0
	for _, it := range its {
		if it.stream != "hot" {
			others++
		}
	}
	othersDone := make(chan struct{})
	var n sync.Mutex
	count := 0
	rec := &recorder{t: t}
	rec.before = func(stream, id string) {
		if stream != "hot" {
			n.Lock()
			if count++; count == others {
				close(othersDone)
			}
			n.Unlock()
			return
		}
		if id == "0" {
			select {
			case <-othersDone:
			case <-time.After(30 * time.Second): // a guard against hanging, not a timing
				t.Error("the other streams waited for the busy stream's first confirm")
			}
		}
	}
	res, err := publishWindow(rec, its, len(its), 2)
	if err != nil || res.done != len(its) || res.confirmed != len(its) {
		t.Fatalf("result %+v, %v", res, err)
	}
	if got, want := rec.of("hot"), []string{"0", "2", "4", "8"}; !slices.Equal(got, want) {
		t.Errorf("hot published %q, want %q", got, want)
	}
}

// TestAWindowOfOnePublishesInBatchOrder: window 1 is the log's order across streams.
func TestAWindowOfOnePublishesInBatchOrder(t *testing.T) {
	its := items("a", "b", "a", "c", "b")
	rec := &recorder{t: t}
	if res, err := publishWindow(rec, its, 7, 1); err != nil || res.done != 7 || res.confirmed != len(its) {
		t.Fatalf("result %+v, %v", res, err)
	}
	if want := []string{"a/0", "b/1", "a/2", "c/3", "b/4"}; !slices.Equal(rec.calls, want) {
		t.Errorf("calls %q, want %q", rec.calls, want)
	}
}

// TestAFailedPublishIsNotOvertakenByItsStream: a refused message stops its stream (the next
// message of it is never sent) and the others before their next call; done stops before the
// refused message, so the retry from the checkpoint sends it again, then what followed it.
func TestAFailedPublishIsNotOvertakenByItsStream(t *testing.T) {
	for _, window := range []int{1, 2, 8} {
		t.Run(fmt.Sprint(window), func(t *testing.T) {
			its := items("a", "b", "a", "b", "a", "c", "b")
			rec := &recorder{t: t, fail: "2"} // a's second message
			res, err := publishWindow(rec, its, len(its), window)
			if err == nil {
				t.Fatal("no error")
			}
			if res.done > 2 {
				t.Errorf("done %d: the checkpoint would pass the refused message", res.done)
			}
			if got := rec.of("a"); !slices.Equal(got, []string{"0", "2"}) {
				t.Errorf("a published %q, want the refused message last", got)
			}
			if res.confirmed != len(rec.calls)-1 {
				t.Errorf("confirmed %d of %d calls, one refused", res.confirmed, len(rec.calls))
			}
		})
	}
}
