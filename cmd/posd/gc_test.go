package main

import (
	"runtime/debug"
	"testing"
)

func TestTuneGCSetsPosdsDefaultUnlessGOGCIsSet(t *testing.T) {
	before := debug.SetGCPercent(100)
	t.Cleanup(func() { debug.SetGCPercent(before) })

	if got := tuneGC(func(string) (string, bool) { return "", false }); got != defaultGCPercent {
		t.Errorf("without GOGC: tuneGC = %d, want %d", got, defaultGCPercent)
	}
	if p := debug.SetGCPercent(100); p != defaultGCPercent {
		t.Errorf("without GOGC: the runtime's percent is %d, want %d", p, defaultGCPercent)
	}

	// With GOGC set the runtime has applied it (here: 100, as set above); tuneGC leaves it.
	gogc := func(name string) (string, bool) { return "100", name == "GOGC" }
	if got := tuneGC(gogc); got != 100 {
		t.Errorf("with GOGC=100: tuneGC = %d, want 100", got)
	}
	if p := debug.SetGCPercent(100); p != 100 {
		t.Errorf("with GOGC=100: the runtime's percent is %d, want it left at 100", p)
	}
}
