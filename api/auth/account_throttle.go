package auth

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
)

// AccountLimits configure the per-account throttle of logins, approvals and password checks:
// the guesses for one account from any number of addresses.
type AccountLimits struct {
	// FreeFailures is how many failed passwords an account takes before it must wait; default 5.
	FreeFailures int
	// BaseDelay is the wait after the first failure past FreeFailures; it doubles with each
	// further failure, up to MaxDelay. Default 1 s.
	BaseDelay time.Duration
	// MaxDelay caps the wait, so an attacker can never lock an account for longer than this
	// per failed guess; default 30 s.
	MaxDelay time.Duration
	// Forget is how long failures are remembered after the last one; default 15 min.
	Forget time.Duration
	// KnownFor is how long an address that logged in to the account stays exempt from the
	// account's wait (it keeps its per-address limits); default 30 days.
	KnownFor time.Duration
}

// withDefaults fills zero fields.
func (l AccountLimits) withDefaults() AccountLimits {
	if l.FreeFailures <= 0 {
		l.FreeFailures = 5
	}
	if l.BaseDelay <= 0 {
		l.BaseDelay = time.Second
	}
	if l.MaxDelay <= 0 {
		l.MaxDelay = 30 * time.Second
	}
	if l.Forget <= 0 {
		l.Forget = 15 * time.Minute
	}
	if l.KnownFor <= 0 {
		l.KnownFor = 30 * 24 * time.Hour
	}
	return l
}

// delay is the wait after n failures.
func (l AccountLimits) delay(n int64) time.Duration {
	over := n - int64(l.FreeFailures)
	if over <= 0 {
		return 0
	}
	d := l.BaseDelay
	for i := int64(1); i < over && d < l.MaxDelay; i++ {
		d *= 2
	}
	return min(d, l.MaxDelay)
}

// failScript counts one failure of an account. KEYS[1] is the account's hash; ARGV: now (ms),
// free failures, base delay (ms), max delay (ms), forget (ms). It returns the failure count.
const failScript = `
local n = redis.call('HINCRBY', KEYS[1], 'n', 1)
local over = n - tonumber(ARGV[2])
if over > 0 then
  local d = tonumber(ARGV[3])
  for i = 2, over do
    d = d * 2
    if d >= tonumber(ARGV[4]) then break end
  end
  d = math.min(d, tonumber(ARGV[4]))
  redis.call('HSET', KEYS[1], 'until', tonumber(ARGV[1]) + d)
end
redis.call('PEXPIRE', KEYS[1], ARGV[5])
return n
`

// AccountThrottle slows password guessing against one account however many addresses it
// comes from: past FreeFailures failed passwords, the account waits BaseDelay, doubling with
// each failure up to MaxDelay, before its next attempt is even checked; a success clears it.
// An address that logged in to the account before is exempt from the wait, so an attacker
// elsewhere cannot keep a till from logging in. State lives in Redis, shared by replicas, and
// in-process while Redis is down (each replica then counts on its own).
type AccountThrottle struct {
	limits AccountLimits
	prefix string
	deps   Deps
	health *redisHealth
	fail   *redis.Script
	local  *localAccounts
}

// NewAccountThrottle returns a throttle with limits whose Redis keys start with prefix.
func NewAccountThrottle(limits AccountLimits, prefix string, deps Deps) *AccountThrottle {
	deps = deps.withDefaults()
	return &AccountThrottle{limits: limits.withDefaults(), prefix: prefix, deps: deps,
		health: newRedisHealth("account-throttle", deps), fail: redis.NewScript(failScript),
		local: newLocalAccounts(100_000)}
}

// accountKey returns the hashed key of an account name (usernames case-insensitively).
func accountKey(account string) string {
	sum := sha256.Sum256([]byte(strings.ToLower(strings.TrimSpace(account))))
	return hex.EncodeToString(sum[:12])
}

// Wait returns how long account must still wait before an attempt from ip is checked (0: it
// may go on now).
func (a *AccountThrottle) Wait(ctx context.Context, account, ip string) time.Duration {
	acct, now := accountKey(account), a.deps.Now()
	if a.health.usable() {
		var until *redis.StringCmd
		var known *redis.IntCmd
		_, err := a.deps.Redis.Pipelined(ctx, func(p redis.Pipeliner) error {
			until = p.HGet(ctx, a.failKey(acct), "until")
			known = p.Exists(ctx, a.knownKey(acct, ip))
			return nil
		})
		if !failed(a.health.observe(ctx, err)) {
			if known.Val() > 0 {
				return 0
			}
			ms, _ := strconv.ParseInt(until.Val(), 10, 64)
			return max(time.UnixMilli(ms).Sub(now.Truncate(time.Millisecond)), 0) // Redis holds milliseconds
		}
	}
	a.health.fellBack()
	return a.local.wait(acct, ip, now)
}

// Failed counts a failed password for account.
func (a *AccountThrottle) Failed(ctx context.Context, account string) {
	acct, now, l := accountKey(account), a.deps.Now(), a.limits
	if a.health.usable() {
		err := a.fail.Run(ctx, a.deps.Redis, []string{a.failKey(acct)}, now.UnixMilli(), l.FreeFailures,
			l.BaseDelay.Milliseconds(), l.MaxDelay.Milliseconds(), l.Forget.Milliseconds()).Err()
		if a.health.observe(ctx, err) == nil {
			return
		}
	}
	a.health.fellBack()
	a.local.failed(acct, now, l)
}

// Succeeded clears account's failures and remembers ip as an address the account logs in
// from.
func (a *AccountThrottle) Succeeded(ctx context.Context, account, ip string) {
	acct, now := accountKey(account), a.deps.Now()
	a.local.succeeded(acct, ip, now, a.limits.KnownFor)
	if !a.health.usable() {
		a.health.fellBack()
		return
	}
	_, err := a.deps.Redis.Pipelined(ctx, func(p redis.Pipeliner) error {
		p.Del(ctx, a.failKey(acct))
		p.Set(ctx, a.knownKey(acct, ip), "1", a.limits.KnownFor)
		return nil
	})
	if a.health.observe(ctx, err) != nil {
		a.health.fellBack()
	}
}

// Redis keys.
func (a *AccountThrottle) failKey(acct string) string { return a.prefix + "acct:" + acct }
func (a *AccountThrottle) knownKey(acct, ip string) string {
	return a.prefix + "acctip:" + acct + ":" + accountKey(ip)
}

// localAccounts is the in-process account throttle state used while Redis is down.
type localAccounts struct {
	mu    sync.Mutex
	max   int
	fails map[string]localFailures
	known map[string]time.Time
}

// localFailures are one account's failures.
type localFailures struct {
	n     int64
	until time.Time
	keep  time.Time
}

// newLocalAccounts returns state for at most max accounts and as many known addresses.
func newLocalAccounts(max int) *localAccounts {
	return &localAccounts{max: max, fails: map[string]localFailures{}, known: map[string]time.Time{}}
}

func (l *localAccounts) wait(acct, ip string, now time.Time) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	if u, ok := l.known[acct+":"+ip]; ok && now.Before(u) {
		return 0
	}
	f, ok := l.fails[acct]
	if !ok || !now.Before(f.keep) {
		return 0
	}
	return max(f.until.Sub(now), 0)
}

func (l *localAccounts) failed(acct string, now time.Time, lim AccountLimits) {
	l.mu.Lock()
	defer l.mu.Unlock()
	f := l.fails[acct]
	if !now.Before(f.keep) {
		f = localFailures{}
	}
	if len(l.fails) >= l.max {
		sweepBefore(l.fails, now, func(f localFailures) time.Time { return f.keep })
	}
	f.n++
	if d := lim.delay(f.n); d > 0 {
		f.until = now.Add(d)
	}
	f.keep = now.Add(lim.Forget)
	if len(l.fails) < l.max {
		l.fails[acct] = f
	}
}

func (l *localAccounts) succeeded(acct, ip string, now time.Time, knownFor time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.fails, acct)
	if len(l.known) >= l.max {
		sweepBefore(l.known, now, func(u time.Time) time.Time { return u })
	}
	if len(l.known) < l.max {
		l.known[acct+":"+ip] = now.Add(knownFor)
	}
}

// sweepBefore drops the entries of m that expired at now.
func sweepBefore[V any](m map[string]V, now time.Time, expiry func(V) time.Time) {
	for k, v := range m {
		if !now.Before(expiry(v)) {
			delete(m, k)
		}
	}
}
