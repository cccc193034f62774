package auth

import "context"

// FallbackLimiter uses the Redis limiter and switches to the in-process one whenever Redis
// fails (logged once per outage, every fallback decision counted in Deps.Fallbacks), trying
// Redis again at most once a second. It never returns an error.
type FallbackLimiter struct {
	primary Limiter
	local   *LocalLimiter
	health  *redisHealth
}

// NewFallbackLimiter returns a limiter on deps.Redis (nil: in-process only) with local as
// the fallback; keys in Redis start with prefix.
func NewFallbackLimiter(prefix string, local *LocalLimiter, deps Deps) *FallbackLimiter {
	deps = deps.withDefaults()
	f := &FallbackLimiter{local: local, health: newRedisHealth("ratelimit", deps)}
	if deps.Redis != nil {
		f.primary = NewRedisLimiter(deps.Redis, prefix)
	}
	return f
}

// Allow implements Limiter.
func (f *FallbackLimiter) Allow(ctx context.Context, key string, limit Limit) (Result, error) {
	if f.primary != nil && f.health.usable() {
		res, err := f.primary.Allow(ctx, key, limit)
		if f.health.observe(ctx, err) == nil {
			return res, nil
		}
	}
	f.health.fellBack()
	return f.local.Allow(ctx, key, limit)
}
