package readkit_test

import (
	"encoding/json"
	"testing"

	"github.com/google/uuid"

	"github.com/odata-pos/pos/eventstore"
	"github.com/odata-pos/pos/projections/readkit"
)

type noted struct {
	Text string   `json:"text"`
	Tags []string `json:"tags"`
}

// newShared returns a Shared of 8 over a codec of noted.
func newShared() *readkit.Shared {
	codec := eventstore.NewCodec()
	codec.Register("test.noted.v1", noted{})
	return readkit.NewShared(codec, 8)
}

// decode decodes e with s and fails t on an error.
func decode(t *testing.T, s *readkit.Shared, e eventstore.RecordedEvent) any {
	t.Helper()
	v, err := s.DecodeEvent(e)
	if err != nil {
		t.Fatalf("event %d: %v", e.Position, err)
	}
	return v
}

func event(pos eventstore.Position, data string) eventstore.RecordedEvent {
	return eventstore.RecordedEvent{ID: uuid.New(), Type: "test.noted.v1", Position: pos, Data: json.RawMessage(data)}
}

// TestSharedDecodesAnEventOnce: the same event (the same Data in memory) is decoded once and
// its value shared; an equal event with Data of its own, or another event at the same
// position, is decoded again.
func TestSharedDecodesAnEventOnce(t *testing.T) {
	s := newShared()
	e := event(1, `{"text":"a","tags":["x","y"]}`)
	first, second := decode(t, s, e), decode(t, s, e)
	if a, b := first.(noted), second.(noted); &a.Tags[0] != &b.Tags[0] || a.Text != "a" {
		t.Fatalf("second decode of the same event gave %+v, not the first value %+v", b, a)
	}
	if h, m := s.Stats(); h != 1 || m != 1 {
		t.Fatalf("stats %d hits, %d misses; want 1, 1", h, m)
	}
	copied := e
	copied.Data = append(json.RawMessage(nil), e.Data...)
	other := event(1, `{"text":"b"}`)
	for _, c := range []eventstore.RecordedEvent{copied, other} {
		v := decode(t, s, c)
		var want noted
		_ = json.Unmarshal(c.Data, &want)
		if got := v.(noted); got.Text != want.Text || len(got.Tags) > 0 && &got.Tags[0] == &first.(noted).Tags[0] {
			t.Errorf("event at the same position with other Data gave %+v, want a fresh %+v", got, want)
		}
	}
	if h, m := s.Stats(); h != 1 || m != 3 {
		t.Errorf("stats %d hits, %d misses; want 1, 3", h, m)
	}
}

// TestSharedKeepsABoundedNumber: after many events the oldest are decoded again, the newest
// are not.
func TestSharedKeepsABoundedNumber(t *testing.T) {
	s := newShared()
	events := make([]eventstore.RecordedEvent, 100)
	for i := range events {
		events[i] = event(eventstore.Position(i+1), `{"text":"a"}`)
		decode(t, s, events[i])
	}
	decode(t, s, events[0])
	decode(t, s, events[99])
	if h, m := s.Stats(); h != 1 || m != 101 {
		t.Errorf("stats %d hits, %d misses; want 1 (the newest), 101 (all, then the oldest again)", h, m)
	}
}

// TestSharedReportsDecodeErrors: an event that does not decode is an error every time.
func TestSharedReportsDecodeErrors(t *testing.T) {
	s := newShared()
	e := event(1, `{"text":1}`)
	for range 2 {
		if _, err := s.DecodeEvent(e); err == nil {
			t.Fatal("a bad event decoded")
		}
	}
}
