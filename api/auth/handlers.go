package auth

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"slices"
	"time"

	"github.com/odata-pos/pos/api/authz"
	"github.com/odata-pos/pos/api/httpx"
)

// ErrUserNotFound is returned by a UserFinder for an unknown user.
var ErrUserNotFound = errors.New("user not found")

// User is what the auth routes need to know about a user.
type User struct {
	ID           string
	Username     string
	PasswordHash string
	Roles        []authz.Role
	StoreIDs     []string
	Disabled     bool
	// Epoch and ScopeEpoch are read with PasswordHash (see Access).
	Epoch      int64
	ScopeEpoch int64
}

// identity returns the token identity of u.
func (u User) identity() Identity {
	return Identity{UserID: u.ID, Roles: u.Roles, StoreIDs: u.StoreIDs, Epoch: u.Epoch, ScopeEpoch: u.ScopeEpoch}
}

// UserFinder looks users up; the api package implements it on the users read side.
type UserFinder interface {
	// UserByUsername returns the user with that username (case-insensitive) or ErrUserNotFound.
	UserByUsername(ctx context.Context, username string) (User, error)
	// UserByID returns the user with that ID or ErrUserNotFound.
	UserByID(ctx context.Context, id string) (User, error)
}

// HashReplacer is implemented by a UserFinder that can replace a user's password hash by a
// new hash of the same password (a rehash at login: an imported bcrypt hash, or argon2id
// parameters changed). The replacement happens only while the stored hash is still old, and
// is not a password change: sessions stay valid.
type HashReplacer interface {
	ReplacePasswordHash(ctx context.Context, userID, oldHash, newHash string) (bool, error)
}

// Handlers serve the /auth routes of DESIGN.md: login, refresh, logout, me and approvals.
type Handlers struct {
	Users      UserFinder
	Tokens     *Tokens
	Passwords  *Passwords
	Approvals  *Approvals
	LoginGuard *LoginGuard
	Authorizer *authz.Authorizer
	Responder  *httpx.Responder
	Security   authz.SecurityRecorder
}

// Register registers the auth routes on routes (typically the /api/v1 prefix).
func (h *Handlers) Register(routes *authz.Routes) {
	rs := h.Responder
	routes.Handle(http.MethodPost, "/auth/login", authz.Public(), rs.Handle(h.login))
	routes.Handle(http.MethodPost, "/auth/refresh", authz.Public(), rs.Handle(h.refresh))
	routes.Handle(http.MethodPost, "/auth/logout", authz.Authenticated(), rs.Handle(h.logout))
	routes.Handle(http.MethodGet, "/auth/me", authz.Authenticated(), rs.Handle(h.me))
	routes.Handle(http.MethodPost, "/auth/approvals", authz.Authenticated(), rs.Handle(h.approve))
}

// credentials are a username and password from a request body.
type credentials struct {
	Username string `json:"username"`
	Password string `json:"password"`
}

// authenticate checks credentials under the login limits and returns the user. Unknown and
// disabled users cost the same argon2id time as a wrong password and get the same error.
func (h *Handlers) authenticate(w http.ResponseWriter, r *http.Request, c credentials, kind authz.SecurityEventKind) (User, error) {
	ctx, ip := r.Context(), httpx.ClientIP(r)
	var fields []httpx.FieldError
	if c.Username == "" || len(c.Username) > 256 {
		fields = append(fields, httpx.FieldError{Field: "username", Message: "required, at most 256 bytes"})
	}
	if c.Password == "" || len(c.Password) > MaxPasswordBytes {
		fields = append(fields, httpx.FieldError{Field: "password", Message: "required, at most 256 bytes"})
	}
	if len(fields) > 0 {
		return User{}, httpx.Invalid(fields...)
	}
	res, err := h.LoginGuard.Check(ctx, ip, c.Username)
	if err != nil {
		return User{}, err
	}
	SetRateLimitHeaders(w, res)
	if !res.Allowed {
		h.record(ctx, authz.SecurityEvent{Kind: authz.EventLoginRateLimited, Username: c.Username, IP: ip})
		return User{}, httpx.TooManyRequests(res.RetryAfter)
	}
	u, err := h.Users.UserByUsername(ctx, c.Username)
	switch {
	case errors.Is(err, ErrUserNotFound):
		h.Passwords.VerifyUnknown(ctx, c.Password)
		h.LoginGuard.Failed(ctx, c.Username)
		h.record(ctx, authz.SecurityEvent{Kind: kind, Username: c.Username, IP: ip, Detail: "unknown user"})
		return User{}, asHTTP(ErrInvalidCredentials)
	case err != nil:
		return User{}, err
	}
	ok, rehash, err := h.Passwords.Verify(ctx, c.Password, u.PasswordHash)
	if err != nil {
		return User{}, err
	}
	if !ok || u.Disabled {
		detail := "wrong password"
		if ok {
			detail = "user disabled"
		}
		h.record(ctx, authz.SecurityEvent{Kind: kind, UserID: u.ID, Username: c.Username, IP: ip, Detail: detail})
		h.LoginGuard.Failed(ctx, c.Username)
		return User{}, asHTTP(ErrInvalidCredentials)
	}
	h.LoginGuard.Succeeded(ctx, ip, c.Username)
	if rehash {
		h.rehash(ctx, u, c.Password)
	}
	return u, nil
}

// rehash replaces u's hash by the product's own hash of password, best effort: a failure
// leaves the old hash, which the next login replaces.
func (h *Handlers) rehash(ctx context.Context, u User, password string) {
	rp, ok := h.Users.(HashReplacer)
	if !ok {
		return
	}
	hash, err := h.Passwords.Hash(ctx, password)
	if err == nil {
		_, err = rp.ReplacePasswordHash(ctx, u.ID, u.PasswordHash, hash)
	}
	if err != nil {
		slog.WarnContext(ctx, "password rehash failed", "user_id", u.ID, "error", err)
	}
}

// login answers POST /auth/login.
func (h *Handlers) login(w http.ResponseWriter, r *http.Request) error {
	var c credentials
	if err := httpx.Decode(r, &c); err != nil {
		return err
	}
	u, err := h.authenticate(w, r, c, authz.EventLoginFailed)
	if err != nil {
		return err
	}
	pair, err := h.Tokens.Issue(r.Context(), u.identity())
	if err != nil {
		return err
	}
	h.record(r.Context(), authz.SecurityEvent{Kind: authz.EventLoginSucceeded, UserID: u.ID, Username: u.Username, IP: httpx.ClientIP(r)})
	w.Header().Set("Cache-Control", "no-store")
	return httpx.JSON(w, http.StatusOK, pair)
}

// refresh answers POST /auth/refresh.
func (h *Handlers) refresh(w http.ResponseWriter, r *http.Request) error {
	var body struct {
		RefreshToken string `json:"refresh_token"`
	}
	if err := httpx.Decode(r, &body); err != nil {
		return err
	}
	pair, err := h.Tokens.Refresh(r.Context(), body.RefreshToken, func(ctx context.Context, id string) (Identity, error) {
		u, err := h.Users.UserByID(ctx, id)
		if errors.Is(err, ErrUserNotFound) || err == nil && u.Disabled {
			return Identity{}, ErrRefreshInvalid
		}
		return u.identity(), err
	})
	if err != nil {
		return asHTTP(err)
	}
	w.Header().Set("Cache-Control", "no-store")
	return httpx.JSON(w, http.StatusOK, pair)
}

// logout answers POST /auth/logout.
func (h *Handlers) logout(w http.ResponseWriter, r *http.Request) error {
	c, ok := ClaimsFrom(r.Context())
	if !ok {
		return asHTTP(ErrTokenInvalid)
	}
	if err := h.Tokens.Logout(r.Context(), c); err != nil {
		return err
	}
	h.record(r.Context(), authz.SecurityEvent{Kind: authz.EventLogout, UserID: c.Subject, IP: httpx.ClientIP(r)})
	httpx.NoContent(w)
	return nil
}

// meResponse is the answer of GET /auth/me.
type meResponse struct {
	ID       string       `json:"id"`
	Username string       `json:"username"`
	Roles    []authz.Role `json:"roles"`
	StoreIDs []string     `json:"store_ids"`
}

// me answers GET /auth/me.
func (h *Handlers) me(w http.ResponseWriter, r *http.Request) error {
	p, _ := authz.PrincipalFrom(r.Context())
	u, err := h.Users.UserByID(r.Context(), p.UserID)
	if errors.Is(err, ErrUserNotFound) {
		return httpx.NotFound("user_not_found", "the user no longer exists")
	}
	if err != nil {
		return err
	}
	resp := meResponse{ID: u.ID, Username: u.Username, Roles: u.Roles, StoreIDs: u.StoreIDs}
	if resp.Roles == nil {
		resp.Roles = []authz.Role{}
	}
	if resp.StoreIDs == nil {
		resp.StoreIDs = []string{}
	}
	return httpx.JSON(w, http.StatusOK, resp)
}

// approve answers POST /auth/approvals: a manager authenticates for one action (and
// optionally one resource) at the cashier's register.
func (h *Handlers) approve(w http.ResponseWriter, r *http.Request) error {
	var body struct {
		credentials
		Action     Action `json:"action"`
		ResourceID string `json:"resource_id,omitempty"`
	}
	if err := httpx.Decode(r, &body); err != nil {
		return err
	}
	if !body.Action.Valid() {
		return asHTTP(ErrUnknownAction)
	}
	ctx, ip := r.Context(), httpx.ClientIP(r)
	approver, err := h.authenticate(w, r, body.credentials, authz.EventApprovalDenied)
	if err != nil {
		return err
	}
	requester, _ := authz.PrincipalFrom(ctx)
	ap := authz.Principal{UserID: approver.ID, Roles: approver.Roles, StoreIDs: approver.StoreIDs}
	if !h.Authorizer.Allowed(ap, authz.ApprovalsGrant) || !sharesStore(ap, requester) {
		h.record(ctx, authz.SecurityEvent{Kind: authz.EventApprovalDenied, UserID: approver.ID, IP: ip,
			Detail: string(body.Action) + " for " + requester.UserID})
		return httpx.Forbidden("approver_not_allowed", "this user may not approve this action here")
	}
	claims, ok := ClaimsFrom(ctx)
	if !ok {
		return asHTTP(ErrTokenInvalid)
	}
	tok, err := h.Approvals.Issue(ctx, Grant{Action: body.Action, ResourceID: body.ResourceID, ApproverID: approver.ID,
		StoreIDs: approver.StoreIDs, AllStores: len(approver.StoreIDs) == 0 && ap.HasRole(authz.RoleAdmin),
		SessionID: claims.SessionID})
	if err != nil {
		return asHTTP(err)
	}
	h.record(ctx, authz.SecurityEvent{Kind: authz.EventApprovalGranted, UserID: approver.ID, IP: ip,
		Detail: string(body.Action) + " " + body.ResourceID + " for " + requester.UserID})
	w.Header().Set("Cache-Control", "no-store")
	return httpx.JSON(w, http.StatusCreated, map[string]any{
		"approval_token": tok, "expires_in": int(h.Approvals.TTL().Seconds()),
	})
}

// sharesStore reports whether the approver may act in one of the requester's stores (an
// approver with every store may approve anywhere).
func sharesStore(approver, requester authz.Principal) bool {
	if len(requester.StoreIDs) == 0 {
		return len(approver.StoreIDs) == 0 && approver.InStore("")
	}
	return slices.ContainsFunc(requester.StoreIDs, approver.InStore)
}

// record reports a security event.
func (h *Handlers) record(ctx context.Context, e authz.SecurityEvent) {
	if h.Security == nil {
		return
	}
	Deps{Security: h.Security, Now: time.Now}.record(ctx, e)
}
