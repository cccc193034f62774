package esdb_test

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package's tests if any goroutine (a subscription's, the client's, the
// emulator's) is still running once they are done.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
