package auth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"
)

// Action is an operation that needs a manager's approval.
type Action string

// The approval actions (DESIGN.md "Contract details").
const (
	ActionSaleDiscount        Action = "sale.discount"
	ActionSalePriceOverride   Action = "sale.price_override"
	ActionSaleVoid            Action = "sale.void"
	ActionReturnNoReceipt     Action = "return.no_receipt"
	ActionReturnOverLimit     Action = "return.over_limit"
	ActionShiftCloseOverShort Action = "shift.close_over_short"
)

// Actions returns every approval action.
func Actions() []Action {
	return []Action{ActionSaleDiscount, ActionSalePriceOverride, ActionSaleVoid,
		ActionReturnNoReceipt, ActionReturnOverLimit, ActionShiftCloseOverShort}
}

// Valid reports whether a is a known action.
func (a Action) Valid() bool {
	for _, x := range Actions() {
		if a == x {
			return true
		}
	}
	return false
}

// approvalPrefix starts every approval token.
const approvalPrefix = "apv_"

// ApprovalHeader is the request header that carries an approval token.
const ApprovalHeader = "X-Approval-Token"

// ApprovalConfig configures approvals.
type ApprovalConfig struct {
	// TTL is how long an approval token is valid; default 2 minutes.
	TTL time.Duration
	// KeyPrefix prefixes the Redis keys; default "pos:auth:".
	KeyPrefix string
	// MaxLocal caps the in-process approvals kept while Redis is down; default 10000.
	MaxLocal int
}

// Grant is a manager's approval of one action (on one resource, or any when ResourceID is
// empty), valid only for the session that asked for it and in the stores the approver
// manages.
type Grant struct {
	Action     Action `json:"action"`
	ResourceID string `json:"resource_id,omitempty"`
	ApproverID string `json:"approver_id"`
	// StoreIDs are the stores the approver may act in; AllStores is true for an approver of
	// every store (an admin, whose store list is empty).
	StoreIDs  []string `json:"store_ids,omitempty"`
	AllStores bool     `json:"all_stores,omitempty"`
	// SessionID is the session (sid) of the access token the approval was asked with.
	SessionID string `json:"session_id"`
}

// Use is the command an approval token is spent on: its action and resource, the store it
// acts in and the session of the request.
type Use struct {
	Action     Action
	ResourceID string
	StoreID    string
	SessionID  string
}

// approval is what a token stands for.
type approval struct {
	Grant
	Expires time.Time `json:"expires"`
	// used marks a spent in-process approval, kept until it expires so that a second use is
	// told apart from a token that may live in an unreachable Redis.
	used bool
}

// Approvals issues and consumes one-time manager approval tokens. Tokens live in Redis
// (consumed atomically with GETDEL). While Redis is down new tokens are kept in-process and
// are single-use on this replica only; a token issued into Redis cannot be consumed while
// Redis is down (ErrUnavailable).
type Approvals struct {
	cfg    ApprovalConfig
	deps   Deps
	health *redisHealth

	mu    sync.Mutex
	local map[string]approval
}

// NewApprovals returns the approval service.
func NewApprovals(cfg ApprovalConfig, deps Deps) *Approvals {
	if cfg.TTL <= 0 {
		cfg.TTL = 2 * time.Minute
	}
	if cfg.KeyPrefix == "" {
		cfg.KeyPrefix = "pos:auth:"
	}
	if cfg.MaxLocal <= 0 {
		cfg.MaxLocal = 10_000
	}
	deps = deps.withDefaults()
	return &Approvals{cfg: cfg, deps: deps, health: newRedisHealth("approvals", deps), local: map[string]approval{}}
}

// TTL returns the lifetime of approval tokens.
func (a *Approvals) TTL() time.Duration { return a.cfg.TTL }

// Issue returns a token standing for g. The caller has checked the approver's credentials
// and permission.
func (a *Approvals) Issue(ctx context.Context, g Grant) (string, error) {
	if !g.Action.Valid() {
		return "", ErrUnknownAction
	}
	tok, err := newSecret(approvalPrefix)
	if err != nil {
		return "", err
	}
	ap := approval{Grant: g, Expires: a.deps.Now().Add(a.cfg.TTL)}
	if a.health.usable() {
		b, err := json.Marshal(ap)
		if err != nil {
			return "", fmt.Errorf("encode approval: %w", err)
		}
		err = a.deps.Redis.Set(ctx, a.key(tok), b, a.cfg.TTL).Err()
		if a.health.observe(ctx, err) == nil {
			return tok, nil
		}
	}
	a.health.fellBack()
	a.mu.Lock()
	defer a.mu.Unlock()
	if len(a.local) >= a.cfg.MaxLocal {
		a.sweep()
		if len(a.local) >= a.cfg.MaxLocal {
			return "", fmt.Errorf("%w: too many pending approvals", ErrUnavailable)
		}
	}
	a.local[hashToken(tok)] = ap
	return tok, nil
}

// Consume spends token for u and returns the approver's user ID. The token is spent whatever
// the outcome, so it cannot be probed: a token for another action or another resource, from
// another session, or for a store its approver does not manage fails with ErrApprovalInvalid
// and is gone.
func (a *Approvals) Consume(ctx context.Context, token string, u Use) (string, error) {
	if token == "" {
		return "", ErrApprovalRequired
	}
	ap, err := a.take(ctx, token)
	if err != nil {
		return "", err
	}
	switch {
	case !a.deps.Now().Before(ap.Expires),
		ap.Action != u.Action,
		ap.ResourceID != "" && ap.ResourceID != u.ResourceID:
		return "", ErrApprovalInvalid
	case ap.SessionID == "" || ap.SessionID != u.SessionID:
		return "", fmt.Errorf("%w: issued to another session", ErrApprovalInvalid)
	case !ap.AllStores && !slices.Contains(ap.StoreIDs, u.StoreID):
		return "", fmt.Errorf("%w: the approver does not manage this store", ErrApprovalInvalid)
	}
	return ap.ApproverID, nil
}

// take removes and returns the approval of token, from this process or from Redis.
func (a *Approvals) take(ctx context.Context, token string) (approval, error) {
	if len(token) > 128 || len(token) <= len(approvalPrefix) || token[:len(approvalPrefix)] != approvalPrefix {
		return approval{}, ErrApprovalInvalid
	}
	h := hashToken(token)
	a.mu.Lock()
	ap, ok := a.local[h]
	if ok {
		spent := ap
		spent.used = true
		a.local[h] = spent
	}
	a.mu.Unlock()
	switch {
	case ok && ap.used:
		return approval{}, ErrApprovalInvalid
	case ok:
		return ap, nil
	}
	if !a.health.usable() {
		a.health.fellBack()
		if a.deps.Redis == nil {
			return approval{}, ErrApprovalInvalid
		}
		return approval{}, ErrUnavailable
	}
	b, err := a.deps.Redis.GetDel(ctx, a.key(token)).Bytes()
	if failed(a.health.observe(ctx, err)) {
		a.health.fellBack()
		return approval{}, fmt.Errorf("%w: %v", ErrUnavailable, err)
	}
	if err != nil { // redis.Nil: unknown, used or expired
		return approval{}, ErrApprovalInvalid
	}
	if err := json.Unmarshal(b, &ap); err != nil {
		return approval{}, errors.Join(ErrApprovalInvalid, err)
	}
	return ap, nil
}

// sweep drops expired in-process approvals; the caller holds mu.
func (a *Approvals) sweep() {
	now := a.deps.Now()
	for k, ap := range a.local {
		if !now.Before(ap.Expires) {
			delete(a.local, k)
		}
	}
}

// key returns the Redis key of token (its hash, never the token).
func (a *Approvals) key(token string) string { return a.cfg.KeyPrefix + "apv:" + hashToken(token) }
