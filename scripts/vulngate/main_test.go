package main

import (
	"strings"
	"testing"
)

// TestGate: a called vulnerability in a module fails, one in the standard library only
// warns (unless -stdlib), and an imported-but-not-called one is ignored.
func TestGate(t *testing.T) {
	const (
		stdlibCalled = `{"finding":{"osv":"GO-1","fixed_version":"v1.26.9","trace":[{"module":"stdlib","version":"v1.26.8","package":"html/template","function":"Execute"}]}}`
		moduleCalled = `{"finding":{"osv":"GO-2","fixed_version":"v1.2.0","trace":[{"module":"example.com/m","version":"v1.1.0","package":"example.com/m","function":"F"}]}}`
		moduleOnly   = `{"finding":{"osv":"GO-3","trace":[{"module":"example.com/n","version":"v1.0.0"}]}}`
		other        = `{"config":{"protocol_version":"v1.0.0"}} {"progress":{"message":"x"}}`
	)
	for _, c := range []struct {
		name, in string
		stdlib   bool
		want     bool
	}{
		{"nothing called", other + moduleOnly, false, false},
		{"stdlib warns", other + stdlibCalled + stdlibCalled, false, false},
		{"stdlib fails on request", stdlibCalled, true, true},
		{"module fails", stdlibCalled + moduleCalled + moduleOnly, false, true},
	} {
		var out strings.Builder
		got, err := gate(strings.NewReader(c.in), &out, c.stdlib)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if got != c.want {
			t.Errorf("%s: failed = %v, want %v\n%s", c.name, got, c.want, &out)
		}
		if strings.Count(out.String(), "GO-1 ") > 1 {
			t.Errorf("%s: a vulnerability is listed more than once:\n%s", c.name, &out)
		}
		if strings.Contains(out.String(), "GO-3") {
			t.Errorf("%s: reports a vulnerability the code does not call:\n%s", c.name, &out)
		}
	}
	if _, err := gate(strings.NewReader("{"), &strings.Builder{}, false); err == nil {
		t.Error("truncated output accepted")
	}
}
