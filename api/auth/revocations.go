package auth

import (
	"sync"
	"time"
)

// localRevocations is the in-process revocation cache: every revocation is put here first,
// so a logout holds on this replica even while Redis is down. Entries made while Redis was
// unreachable are pending and are written to Redis before the next refresh.
type localRevocations struct {
	mu      sync.Mutex
	max     int
	until   map[string]time.Time
	pending map[string]time.Time
}

// newLocalRevocations returns a cache holding at most max entries.
func newLocalRevocations(max int) *localRevocations {
	return &localRevocations{max: max, until: map[string]time.Time{}, pending: map[string]time.Time{}}
}

// add revokes key until the given time; pending marks it as not yet in Redis.
func (l *localRevocations) add(key string, until time.Time, pending bool, now time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.until) >= l.max {
		l.sweep(now)
	}
	if len(l.until) >= l.max {
		// Still full of live entries: forget the one that expires first.
		var first string
		for k, u := range l.until {
			if first == "" || u.Before(l.until[first]) {
				first = k
			}
		}
		delete(l.until, first)
		delete(l.pending, first)
	}
	l.until[key] = until
	if pending {
		l.pending[key] = until
	}
}

// revoked reports whether key is revoked at now.
func (l *localRevocations) revoked(key string, now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	u, ok := l.until[key]
	return ok && now.Before(u)
}

// takePending removes and returns the pending entries that are still live.
func (l *localRevocations) takePending(now time.Time) map[string]time.Time {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := make(map[string]time.Time, len(l.pending))
	for k, u := range l.pending {
		if now.Before(u) {
			out[k] = u
		}
	}
	clear(l.pending)
	return out
}

// restorePending puts entries back after a failed flush.
func (l *localRevocations) restorePending(entries map[string]time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for k, u := range entries {
		l.pending[k] = u
	}
}

// sweep drops expired entries; the caller holds mu.
func (l *localRevocations) sweep(now time.Time) {
	for k, u := range l.until {
		if !now.Before(u) {
			delete(l.until, k)
			delete(l.pending, k)
		}
	}
}
