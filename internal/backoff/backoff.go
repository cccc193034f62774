// Package backoff holds the waits of the module's retry loops (event-store subscriptions, the
// shared $all reader, policies): a sleep that ends with its context, and jittered exponential
// delays so that retriers that failed together do not retry in step. It imports nothing of
// the module, so every layer may use it.
package backoff

import (
	"context"
	"math/rand/v2"
	"time"
)

// Sleep waits for d or until ctx ends, whichever comes first; it reports false when ctx ended
// first.
func Sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// Jitter returns a random duration in [d/2, d].
func Jitter(d time.Duration) time.Duration {
	if d <= 1 {
		return d
	}
	return d/2 + rand.N(d/2+1) //nolint:gosec // timing jitter, not security
}

// Exp returns first doubled n times, at most ceiling.
func Exp(first time.Duration, n int, ceiling time.Duration) time.Duration {
	d := first
	for i := 0; i < n && d < ceiling; i++ {
		d *= 2
	}
	return min(d, ceiling)
}
