package reports

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/redis/go-redis/v9"
)

// cacheOpTimeout bounds one Redis call, so a dead Redis costs a request little.
const cacheOpTimeout = 150 * time.Millisecond

// defaultTTL is how long an answer stays cached. Entries never go stale (the key holds the
// checkpoint); the TTL only bounds memory.
const defaultTTL = 10 * time.Minute

func (h *Handlers) cacheGet(ctx context.Context, key string) (answer, bool) {
	if h.Redis == nil {
		h.fallback()
		return answer{}, false
	}
	ctx, cancel := context.WithTimeout(ctx, cacheOpTimeout)
	defer cancel()
	b, err := h.Redis.Get(ctx, key).Bytes()
	if errors.Is(err, redis.Nil) {
		return answer{}, false
	}
	if err != nil {
		h.redisDown("get", err)
		return answer{}, false
	}
	var a answer
	if err := json.Unmarshal(b, &a); err != nil || a.ContentType == "" {
		return answer{}, false
	}
	return a, true
}

func (h *Handlers) cacheSet(ctx context.Context, key string, a answer) {
	if h.Redis == nil {
		return
	}
	b, err := json.Marshal(a)
	if err != nil {
		return
	}
	ttl := h.TTL
	if ttl <= 0 {
		ttl = defaultTTL
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cacheOpTimeout)
	defer cancel()
	if err := h.Redis.Set(ctx, key, b, ttl).Err(); err != nil {
		h.redisDown("set", err)
	}
}

func (h *Handlers) redisDown(op string, err error) {
	h.fallback()
	h.Responder.Logger().Warn("report cache unavailable; answering from the database", "op", op, "error", err)
}

func (h *Handlers) fallback() {
	if h.Fallbacks != nil {
		h.Fallbacks.Inc()
	}
}

func isUndefinedTable(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && pgErr.Code == "42P01"
}
