package auth

import (
	"sync"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// verifiedSize is how many verified access tokens a Tokens keeps at least (it keeps up to
// twice as many): about one per register or back-office user active within a token's life.
const verifiedSize = 4096

// verifiedTokens remembers the claims of the access tokens this process has parsed and found
// well signed, for the audience and issuer, and carrying a subject, jti and session, so that
// the next request with the same token skips parsing it and checking its signature again
// (a register sends the same token with every request of its 15 minutes). Those checks depend
// only on the token's bytes and the key set, which is fixed for the life of a Tokens. The
// time checks (exp, nbf, iat with the leeway) are made again at every use, and revocation and
// the user's access are never cached: Verify checks them for every request.
type verifiedTokens struct {
	mu        sync.Mutex
	cur, prev map[string]verifiedToken
}

// verifiedToken is a verified token's claims and the times between which they are valid.
type verifiedToken struct {
	claims Claims
	// from is the first instant the token is valid (nbf and iat less the leeway); until the
	// first instant it is not (exp plus the leeway).
	from, until time.Time
}

func newVerifiedTokens() *verifiedTokens {
	return &verifiedTokens{cur: make(map[string]verifiedToken, verifiedSize)}
}

// get returns a copy of the claims of raw if it was verified and is valid at now.
func (v *verifiedTokens) get(raw string, now time.Time) (*Claims, bool) {
	v.mu.Lock()
	e, ok := v.cur[raw]
	if !ok {
		e, ok = v.prev[raw]
	}
	v.mu.Unlock()
	if !ok || now.Before(e.from) || !now.Before(e.until) {
		return nil, false
	}
	c := e.claims
	return &c, true
}

// put remembers claims verified for raw (exp is required, so ExpiresAt is set).
func (v *verifiedTokens) put(raw string, c *Claims, leeway time.Duration) {
	if c.ExpiresAt == nil {
		return
	}
	e := verifiedToken{claims: *c, until: c.ExpiresAt.Add(leeway)}
	for _, d := range []*jwt.NumericDate{c.NotBefore, c.IssuedAt} {
		if d != nil && d.Add(-leeway).After(e.from) {
			e.from = d.Add(-leeway)
		}
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	if len(v.cur) >= verifiedSize {
		v.prev, v.cur = v.cur, make(map[string]verifiedToken, verifiedSize)
	}
	v.cur[raw] = e
}
