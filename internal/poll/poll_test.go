package poll_test

import (
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/odata-pos/pos/internal/poll"
)

// recorder is a testing.TB that records a failure instead of ending the test.
type recorder struct {
	testing.TB
	failed string
}

func (r *recorder) Helper() {}
func (r *recorder) Fatalf(format string, args ...any) {
	r.failed = fmt.Sprintf(format, args...)
}

func TestEventuallyWaitsForTheCondition(t *testing.T) {
	var n atomic.Int32
	go func() {
		time.Sleep(30 * time.Millisecond)
		n.Store(1)
	}()
	r := &recorder{TB: t}
	poll.Eventually(r, 10*time.Second, func() bool { return n.Load() == 1 }, poll.Is("n set"))
	if r.failed != "" || n.Load() != 1 {
		t.Fatalf("returned with n = %d, failure %q", n.Load(), r.failed)
	}
}

func TestEventuallyFailsWithTheDescription(t *testing.T) {
	r := &recorder{TB: t}
	polls := 0
	// Fatalf of the recorder returns, so Eventually goes on polling: stop it after the failure.
	poll.Eventually(r, 20*time.Millisecond, func() bool { polls++; return r.failed != "" }, func() string { return "still false" })
	if r.failed != "not true within 20ms: still false" || polls < 2 {
		t.Fatalf("failure %q after %d polls", r.failed, polls)
	}
}
