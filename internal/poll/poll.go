// Package poll holds the one poll-until-true helper of the tests, Eventually: for a condition that
// another goroutine or process makes true (a projection catching up, a server becoming ready),
// where no event can be awaited instead.
package poll

import (
	"testing"
	"time"
)

// Eventually polls cond until it holds, and fails t with what describe says (the state last seen)
// when within has passed. Polls start 5 ms apart and back off to 100 ms.
func Eventually(t testing.TB, within time.Duration, cond func() bool, describe func() string) {
	t.Helper()
	deadline := time.Now().Add(within)
	pause := 5 * time.Millisecond
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("not true within %s: %s", within, describe())
		}
		time.Sleep(pause)
		pause = min(2*pause, 100*time.Millisecond)
	}
}

// Is is a describe function for Eventually that says what.
func Is(what string) func() string { return func() string { return what } }
