package eventstore_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/odata-pos/pos/eventstore"
)

type priceChangedV2 struct {
	ProductID string `json:"product_id"`
	Amount    int64  `json:"amount"`
	Currency  string `json:"currency"`
}

type noteAdded struct {
	Text string `json:"text"`
}

func newCodec(t *testing.T) *eventstore.Codec {
	t.Helper()
	c := eventstore.NewCodec()
	c.Register("catalog.price_changed.v2", priceChangedV2{})
	c.Register("notes.note_added.v1", noteAdded{})
	// v1 stored the price as a string in cents and had no currency.
	c.RegisterUpcaster("catalog.price_changed.v1", func(data json.RawMessage) (string, json.RawMessage, error) {
		var old struct {
			ProductID string      `json:"product_id"`
			Cents     json.Number `json:"cents"`
		}
		if err := json.Unmarshal(data, &old); err != nil {
			return "", nil, err
		}
		n, err := old.Cents.Int64()
		if err != nil {
			return "", nil, err
		}
		b, _ := json.Marshal(priceChangedV2{ProductID: old.ProductID, Amount: n, Currency: "EUR"})
		return "catalog.price_changed.v2", b, nil
	})
	return c
}

func TestCodecRoundTripUsesRegisteredNames(t *testing.T) {
	c := newCodec(t)
	name, data, err := c.Encode(noteAdded{Text: "hi"})
	if err != nil || name != "notes.note_added.v1" || string(data) != `{"text":"hi"}` {
		t.Fatalf("encode = %q %s %v", name, data, err)
	}
	if name, err := c.Name(&noteAdded{}); err != nil || name != "notes.note_added.v1" {
		t.Fatalf("name of a pointer = %q %v", name, err)
	}
	v, err := c.Decode(name, data)
	if err != nil || v != (noteAdded{Text: "hi"}) {
		t.Fatalf("decode = %#v %v", v, err)
	}
	if _, _, err := c.Encode(struct{ X int }{1}); err == nil {
		t.Fatal("an unregistered type was encoded")
	}
	if _, err := c.Decode("unknown.v1", []byte(`{}`)); err == nil {
		t.Fatal("an unknown type name was decoded")
	}
	if got := strings.Join(c.Names(), ","); got != "catalog.price_changed.v2,notes.note_added.v1" {
		t.Fatalf("names = %s", got)
	}
}

func TestCodecUpcastsOldVersions(t *testing.T) {
	c := newCodec(t)
	v, err := c.Decode("catalog.price_changed.v1", []byte(`{"product_id":"p1","cents":"1999"}`))
	if err != nil {
		t.Fatal(err)
	}
	if v != (priceChangedV2{ProductID: "p1", Amount: 1999, Currency: "EUR"}) {
		t.Fatalf("upcast = %#v", v)
	}
	if _, err := c.Decode("catalog.price_changed.v1", []byte(`{"cents":"x"}`)); err == nil {
		t.Fatal("a failing upcaster did not fail the decode")
	}
	// Unknown fields are ignored so that adding a field stays compatible.
	if v, err := c.Decode("notes.note_added.v1", []byte(`{"text":"a","new_field":1}`)); err != nil || v != (noteAdded{Text: "a"}) {
		t.Fatalf("decode with a new field = %#v %v", v, err)
	}
}

func TestCodecRefusesAmbiguousRegistrations(t *testing.T) {
	mustPanic := func(name string, f func()) {
		t.Helper()
		defer func() {
			if recover() == nil {
				t.Errorf("%s: no panic", name)
			}
		}()
		f()
	}
	mustPanic("duplicate name", func() { newCodec(t).Register("notes.note_added.v1", priceChangedV2{}) })
	mustPanic("duplicate type", func() { newCodec(t).Register("notes.note_added.v2", noteAdded{}) })
	mustPanic("pointer sample", func() { eventstore.NewCodec().Register("x.v1", &noteAdded{}) })
	mustPanic("upcaster over a registered type", func() {
		newCodec(t).RegisterUpcaster("notes.note_added.v1", func(d json.RawMessage) (string, json.RawMessage, error) { return "", d, nil })
	})
}

func TestCodecUpcasterCycleIsAnError(t *testing.T) {
	c := eventstore.NewCodec()
	c.RegisterUpcaster("a.v1", func(d json.RawMessage) (string, json.RawMessage, error) { return "b.v1", d, nil })
	c.RegisterUpcaster("b.v1", func(d json.RawMessage) (string, json.RawMessage, error) { return "a.v1", d, nil })
	if _, err := c.Decode("a.v1", []byte(`{}`)); err == nil {
		t.Fatal("an upcaster cycle decoded")
	}
}

func TestExpectedRevisionAndErrors(t *testing.T) {
	cases := []struct {
		e       eventstore.ExpectedRevision
		exists  bool
		current uint64
		want    bool
	}{
		{eventstore.Any, false, 0, true}, {eventstore.Any, true, 3, true},
		{eventstore.NoStream, false, 0, true}, {eventstore.NoStream, true, 0, false},
		{eventstore.StreamExists, false, 0, false}, {eventstore.StreamExists, true, 0, true},
		{eventstore.Exact(3), true, 3, true}, {eventstore.Exact(3), true, 4, false}, {eventstore.Exact(0), false, 0, false},
	}
	for _, c := range cases {
		if got := c.e.Matches(c.exists, c.current); got != c.want {
			t.Errorf("%s.Matches(%v, %d) = %v", c.e, c.exists, c.current, got)
		}
	}
	err := error(&eventstore.WrongExpectedRevisionError{Stream: "sale-1", Expected: eventstore.Exact(2), Actual: eventstore.ActualRevision{Exists: true, Revision: 5}})
	if !errors.Is(err, eventstore.ErrWrongExpectedRevision) || err.Error() != "append to sale-1: expected revision 2, actual 5" {
		t.Fatalf("error = %v", err)
	}
	f := eventstore.Filter{StreamPrefixes: []string{"sale-"}, TypePrefixes: []string{"sales."}}
	if !f.Match("sale-1", "sales.sale_completed.v1") || f.Match("sale-1", "other.v1") || f.Match("$stats", "sales.x") || (eventstore.Filter{}).Match("s-1", "$metadata") {
		t.Fatal("filter matching is wrong")
	}
	exact := eventstore.Filter{Types: []string{"sales.sale_completed.v1"}}
	if !exact.Match("sale-1", "sales.sale_completed.v1") || exact.Match("sale-1", "sales.sale_completed.v10") {
		t.Fatal("an exact type filter on v1 must select v1 and not v10")
	}
	first, again := eventstore.DeterministicID("a", "b"), eventstore.DeterministicID("a", "b")
	if first == eventstore.DeterministicID("ab") || first != again {
		t.Fatal("deterministic IDs must separate their parts and be stable")
	}
}
