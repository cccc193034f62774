package domain

import (
	"reflect"
	"regexp"
	"testing"
)

type fakeRegistry struct {
	names map[string]bool
	types map[reflect.Type]bool
	t     *testing.T
}

func (f *fakeRegistry) Register(name string, sample any) {
	ty := reflect.TypeOf(sample)
	if f.names[name] || f.types[ty] || ty.Kind() == reflect.Pointer {
		f.t.Errorf("bad registration %q %v", name, ty)
	}
	if !regexp.MustCompile(`^[a-z]+\.[a-z_]+\.v[0-9]+$`).MatchString(name) {
		f.t.Errorf("event name %q is not <area>.<fact>.v<n>", name)
	}
	if m, ok := sample.(interface{ EventType() string }); !ok || m.EventType() != name {
		f.t.Errorf("%v: EventType does not return %q", ty, name)
	}
	f.names[name], f.types[ty] = true, true
}

// TestRegisterWriteSide checks every event is registered once, under a versioned name that its
// EventType method returns.
func TestRegisterWriteSide(t *testing.T) {
	f := &fakeRegistry{names: map[string]bool{}, types: map[reflect.Type]bool{}, t: t}
	RegisterWriteSide(f)
	if len(f.names) < 30 {
		t.Fatalf("only %d event types registered", len(f.names))
	}
}
