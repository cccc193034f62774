package auth

import (
	"context"
	"fmt"
	"time"

	"github.com/go-redis/redis_rate/v10"
	"github.com/redis/go-redis/v9"
)

// Limit is a GCRA rate: Rate events per Period, with bursts of up to Burst.
type Limit struct {
	Rate   int
	Burst  int
	Period time.Duration
}

// PerSecond returns a limit of rate events per second with the given burst.
func PerSecond(rate, burst int) Limit { return Limit{Rate: rate, Burst: burst, Period: time.Second} }

// PerMinute returns a limit of rate events per minute with the given burst.
func PerMinute(rate, burst int) Limit { return Limit{Rate: rate, Burst: burst, Period: time.Minute} }

// interval is the time one event's token takes to come back.
func (l Limit) interval() time.Duration { return l.Period / time.Duration(l.Rate) }

// String describes the limit.
func (l Limit) String() string { return fmt.Sprintf("%d/%s burst %d", l.Rate, l.Period, l.Burst) }

// Result is the decision of a limiter.
type Result struct {
	// Allowed is true when the event may happen.
	Allowed bool
	// Limit is the limit applied.
	Limit Limit
	// Remaining is how many more events are allowed right now.
	Remaining int
	// RetryAfter is how long to wait before the next event is allowed (0 when allowed).
	RetryAfter time.Duration
	// ResetAfter is how long until the full burst is available again.
	ResetAfter time.Duration
}

// Limiter decides whether an event under key may happen now.
type Limiter interface {
	Allow(ctx context.Context, key string, limit Limit) (Result, error)
}

// RedisLimiter is a GCRA limiter shared by all replicas, on Redis through
// github.com/go-redis/redis_rate.
type RedisLimiter struct {
	l      *redis_rate.Limiter
	prefix string
}

// NewRedisLimiter returns a limiter on rdb whose keys start with prefix (redis_rate adds its
// own "rate:" in front).
func NewRedisLimiter(rdb redis.UniversalClient, prefix string) *RedisLimiter {
	return &RedisLimiter{l: redis_rate.NewLimiter(rdb), prefix: prefix}
}

// Allow implements Limiter.
func (r *RedisLimiter) Allow(ctx context.Context, key string, limit Limit) (Result, error) {
	res, err := r.l.Allow(ctx, r.prefix+key, redis_rate.Limit{Rate: limit.Rate, Burst: limit.Burst, Period: limit.Period})
	if err != nil {
		return Result{}, fmt.Errorf("redis rate limit: %w", err)
	}
	out := Result{Allowed: res.Allowed > 0, Limit: limit, Remaining: res.Remaining, ResetAfter: res.ResetAfter}
	if !out.Allowed {
		out.RetryAfter = res.RetryAfter
	}
	return out, nil
}
