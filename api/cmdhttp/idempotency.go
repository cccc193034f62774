package cmdhttp

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/odata-pos/pos/api/authz"
	"github.com/odata-pos/pos/api/httpx"
)

// HeaderIdempotencyKey is the request header naming a POST's idempotency key.
const HeaderIdempotencyKey = "Idempotency-Key"

// maxIdempotencyKey bounds the key's length.
const maxIdempotencyKey = 255

// Idempotency replays the first response of a POST sent again with the same Idempotency-Key
// and body, and refuses the key with another body (422 idempotency_key_reused). Responses are
// kept in Redis for TTL, scoped by user. It is a convenience for clients: duplicate safety never
// depends on it (event IDs derive from client IDs), so when Redis is down or disabled requests
// simply run again and the command handlers' own replay answers them.
type Idempotency struct {
	rdb    redis.UniversalClient
	rs     *httpx.Responder
	prefix string
	ttl    time.Duration
	log    *slog.Logger
}

// NewIdempotency returns the replay layer; rdb may be nil (Redis disabled).
func NewIdempotency(rdb redis.UniversalClient, rs *httpx.Responder, prefix string, ttl time.Duration) *Idempotency {
	if ttl <= 0 {
		ttl = 24 * time.Hour
	}
	return &Idempotency{rdb: rdb, rs: rs, prefix: prefix, ttl: ttl, log: rs.Logger()}
}

// stored is a remembered response.
type stored struct {
	Fingerprint string      `json:"fingerprint"`
	Status      int         `json:"status"`
	Header      http.Header `json:"header"`
	Body        []byte      `json:"body"`
}

// Wrap applies the replay layer to a command handler. It must run after authentication (the
// key is scoped by user), so area packages wrap their handlers with it when registering.
func (i *Idempotency) Wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		key := r.Header.Get(HeaderIdempotencyKey)
		if key == "" || r.Method != http.MethodPost {
			next.ServeHTTP(w, r)
			return
		}
		if len(key) > maxIdempotencyKey {
			i.rs.Error(w, r, httpx.BadRequest("invalid_idempotency_key", "Idempotency-Key is at most 255 characters"))
			return
		}
		body, err := io.ReadAll(r.Body)
		if err != nil {
			i.rs.Error(w, r, err)
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		p, _ := authz.PrincipalFrom(r.Context())
		sum := sha256.Sum256([]byte(p.UserID + "\x00" + key))
		redisKey := i.prefix + "idem:" + hex.EncodeToString(sum[:])
		fp := sha256.Sum256(append([]byte(r.Method+" "+r.URL.Path+"\x00"), body...))
		fingerprint := hex.EncodeToString(fp[:])

		if prev, ok := i.lookup(r, redisKey); ok {
			if prev.Fingerprint != fingerprint {
				i.rs.Error(w, r, httpx.Unprocessable("idempotency_key_reused", "this Idempotency-Key was used with a different request"))
				return
			}
			for k, vs := range prev.Header {
				w.Header()[k] = vs
			}
			w.Header().Set("Idempotent-Replayed", "true")
			w.WriteHeader(prev.Status)
			_, _ = w.Write(prev.Body)
			return
		}
		rec := &recorder{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(rec, r)
		if replayable(rec.status) {
			i.remember(r, redisKey, stored{Fingerprint: fingerprint, Status: rec.status, Header: keptHeaders(w.Header()), Body: rec.body.Bytes()})
		}
	})
}

// replayable reports whether a response with this status is remembered: successes and
// definitive refusals, not answers that a retry may change (conflicts, limits, outages).
func replayable(status int) bool {
	switch status {
	case http.StatusConflict, http.StatusPreconditionFailed, http.StatusTooManyRequests,
		http.StatusUnauthorized, http.StatusForbidden:
		return false
	}
	return status < 500
}

func keptHeaders(h http.Header) http.Header {
	out := http.Header{}
	for _, k := range []string{"Content-Type", HeaderETag, "Location"} {
		if v := h.Values(k); len(v) > 0 {
			out[http.CanonicalHeaderKey(k)] = v
		}
	}
	return out
}

func (i *Idempotency) lookup(r *http.Request, key string) (stored, bool) {
	if i.rdb == nil {
		return stored{}, false
	}
	b, err := i.rdb.Get(r.Context(), key).Bytes()
	if err != nil {
		if !errors.Is(err, redis.Nil) {
			i.log.WarnContext(r.Context(), "idempotency lookup failed; running the command again", "error", err)
		}
		return stored{}, false
	}
	var s stored
	if json.Unmarshal(b, &s) != nil {
		return stored{}, false
	}
	return s, true
}

func (i *Idempotency) remember(r *http.Request, key string, s stored) {
	if i.rdb == nil {
		return
	}
	b, err := json.Marshal(s)
	if err == nil {
		err = i.rdb.SetNX(r.Context(), key, b, i.ttl).Err()
	}
	if err != nil {
		i.log.WarnContext(r.Context(), "idempotency store failed", "error", err)
	}
}

// recorder copies the response while writing it through.
type recorder struct {
	http.ResponseWriter
	status int
	body   bytes.Buffer
	wrote  bool
}

func (rec *recorder) WriteHeader(code int) {
	if !rec.wrote {
		rec.status, rec.wrote = code, true
	}
	rec.ResponseWriter.WriteHeader(code)
}

func (rec *recorder) Write(b []byte) (int, error) {
	rec.wrote = true
	rec.body.Write(b)
	return rec.ResponseWriter.Write(b)
}

// Unwrap exposes the underlying writer to http.ResponseController.
func (rec *recorder) Unwrap() http.ResponseWriter { return rec.ResponseWriter }
