package auth

import (
	"context"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// LocalLimiter is an in-process token-bucket limiter (golang.org/x/time/rate), one bucket
// per key and limit. It is the fallback when Redis is down; each replica then limits on its
// own. It keeps at most maxKeys buckets, dropping idle (full) ones first.
type LocalLimiter struct {
	now     func() time.Time
	maxKeys int

	mu      sync.Mutex
	buckets map[localKey]*bucket
}

// localKey identifies a bucket.
type localKey struct {
	key   string
	limit Limit
}

// bucket is one key's limiter and when it was last used.
type bucket struct {
	lim  *rate.Limiter
	last time.Time
}

// NewLocalLimiter returns an in-process limiter with at most maxKeys buckets (0 means
// 100000); now is the clock (nil means time.Now).
func NewLocalLimiter(maxKeys int, now func() time.Time) *LocalLimiter {
	if maxKeys <= 0 {
		maxKeys = 100_000
	}
	if now == nil {
		now = time.Now
	}
	return &LocalLimiter{now: now, maxKeys: maxKeys, buckets: map[localKey]*bucket{}}
}

// Allow implements Limiter; it never fails.
func (l *LocalLimiter) Allow(_ context.Context, key string, limit Limit) (Result, error) {
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	k := localKey{key: key, limit: limit}
	b, ok := l.buckets[k]
	if !ok {
		l.makeRoom(now)
		b = &bucket{lim: rate.NewLimiter(rate.Every(limit.interval()), limit.Burst)}
		l.buckets[k] = b
	}
	b.last = now
	res := Result{Limit: limit}
	r := b.lim.ReserveN(now, 1)
	if delay := r.DelayFrom(now); !r.OK() || delay > 0 {
		r.CancelAt(now)
		res.RetryAfter = delay
		if !r.OK() {
			res.RetryAfter = limit.Period
		}
	} else {
		res.Allowed = true
	}
	tokens := b.lim.TokensAt(now)
	if tokens > 0 {
		res.Remaining = int(tokens)
	}
	res.ResetAfter = time.Duration((float64(limit.Burst) - tokens) * float64(limit.interval()))
	return res, nil
}

// makeRoom drops buckets that have refilled completely and, if still full, the least
// recently used one; the caller holds mu.
func (l *LocalLimiter) makeRoom(now time.Time) {
	if len(l.buckets) < l.maxKeys {
		return
	}
	for k, b := range l.buckets {
		if now.Sub(b.last) >= time.Duration(k.limit.Burst)*k.limit.interval() {
			delete(l.buckets, k)
		}
	}
	if len(l.buckets) < l.maxKeys {
		return
	}
	var oldest localKey
	var oldestAt time.Time
	for k, b := range l.buckets {
		if oldestAt.IsZero() || b.last.Before(oldestAt) {
			oldest, oldestAt = k, b.last
		}
	}
	delete(l.buckets, oldest)
}
