// Package gwt runs given–when–then table tests against a decider: given past events, when a
// command is decided at a time, then exactly these events or this error. Test support only.
package gwt

import (
	"errors"
	"fmt"
	"reflect"
	"testing"
	"time"
)

// Case is one given–when–then row.
type Case[C, E any] struct {
	// Name describes the rule under test.
	Name string
	// Given are the events already in the stream.
	Given []E
	// When is the command.
	When C
	// Then are the events expected (nil or empty for none).
	Then []E
	// Err is the error expected (matched with errors.Is); nil for success.
	Err error
}

// Decider is an aggregate's pure pair of functions.
type Decider[S, C, E any] struct {
	// Decide turns a command into events.
	Decide func(S, C, time.Time) ([]E, error)
	// Evolve folds an event into state.
	Evolve func(S, E) S
	// Initial is the state of an empty stream.
	Initial S
}

// Fold applies events to d.Initial.
func (d Decider[S, C, E]) Fold(events []E) S {
	s := d.Initial
	for _, e := range events {
		s = d.Evolve(s, e)
	}
	return s
}

// Run runs every case at now.
func Run[S, C, E any](t *testing.T, d Decider[S, C, E], now time.Time, cases []Case[C, E]) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.Name, func(t *testing.T) {
			got, err := d.Decide(d.Fold(tc.Given), tc.When, now)
			if tc.Err != nil || err != nil {
				if !errors.Is(err, tc.Err) {
					t.Fatalf("then error %v, got %v (events %s)", tc.Err, err, show(got))
				}
				return
			}
			if len(got) == 0 && len(tc.Then) == 0 {
				return
			}
			if !reflect.DeepEqual(got, tc.Then) {
				t.Fatalf("then\n  %s\ngot\n  %s", show(tc.Then), show(got))
			}
			s := d.Fold(tc.Given)
			for _, e := range got {
				s = d.Evolve(s, e)
			}
		})
	}
}

func show[E any](es []E) string {
	out := ""
	for i, e := range es {
		if i > 0 {
			out += "\n  "
		}
		out += fmt.Sprintf("%T%+v", e, e)
	}
	if out == "" {
		return "(no events)"
	}
	return out
}

// SnapshotRoundTrip checks that state s, encoded by marshal and decoded by unmarshal, comes
// back equal, and that unmarshal refuses a corrupt snapshot. It returns the decoded state.
func SnapshotRoundTrip[S any](t *testing.T, s S, marshal func(S) ([]byte, error), unmarshal func([]byte) (S, error)) S {
	t.Helper()
	b, err := marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	got, err := unmarshal(b)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, s) {
		t.Fatalf("snapshot round trip = %+v, want %+v", got, s)
	}
	if _, err := unmarshal([]byte("{")); err == nil {
		t.Fatal("a corrupt snapshot decoded")
	}
	return got
}

// AssertCloneCopiesEveryReference fails when the state type of zero has a field that may
// share memory with a copy of it (a map, slice, pointer, interface, channel or function, at any
// depth of its structs) other than those named in copied, the fields its Clone copies. A field
// added to a state later then fails here until Clone copies it too.
func AssertCloneCopiesEveryReference[S any](t *testing.T, zero S, copied ...string) {
	t.Helper()
	want := map[string]bool{}
	for _, f := range copied {
		want[f] = true
	}
	for _, f := range referenceFields(reflect.TypeOf(zero), "") {
		if !want[f] {
			t.Errorf("%T.%s may share memory between a state and its Clone: copy it in Clone and name it here", zero, f)
		}
		delete(want, f)
	}
	for f := range want {
		t.Errorf("%T has no reference field %s", zero, f)
	}
}

// referenceFields lists the fields of struct type typ, prefixed by prefix, whose values may
// share memory between copies; time.Time's location pointer is not one (it is never written).
func referenceFields(typ reflect.Type, prefix string) []string {
	var out []string
	for i := range typ.NumField() {
		f := typ.Field(i)
		name := prefix + f.Name
		switch {
		case f.Type == reflect.TypeOf(time.Time{}):
		case f.Type.Kind() == reflect.Struct:
			out = append(out, referenceFields(f.Type, name+".")...)
		case f.Type.Kind() == reflect.Map, f.Type.Kind() == reflect.Slice, f.Type.Kind() == reflect.Pointer,
			f.Type.Kind() == reflect.Interface, f.Type.Kind() == reflect.Chan, f.Type.Kind() == reflect.Func:
			out = append(out, name)
		}
	}
	return out
}
