package users

import (
	"context"
	"net/http"
	"time"

	"github.com/odata-pos/pos/api/auth"
	"github.com/odata-pos/pos/api/authz"
	"github.com/odata-pos/pos/api/cmdhttp"
	"github.com/odata-pos/pos/api/httpx"
)

// changeOwnPassword answers POST /auth/password: a signed-in user changes their own password,
// giving the current one. Like an admin's reset it raises the user's security epoch, so every
// session of the user ends, this one included: the client logs in again with the new password.
func (h *Handlers) changeOwnPassword(w http.ResponseWriter, r *http.Request) error {
	var req struct {
		CurrentPassword string `json:"current_password"`
		NewPassword     string `json:"new_password"`
	}
	if err := httpx.Decode(r, &req); err != nil {
		return err
	}
	var fields []httpx.FieldError
	if req.CurrentPassword == "" || len(req.CurrentPassword) > auth.MaxPasswordBytes {
		fields = append(fields, httpx.FieldError{Field: "current_password", Message: "required, at most 256 bytes"})
	}
	if err := auth.ValidatePassword(req.NewPassword); err != nil {
		fields = append(fields, httpx.FieldError{Field: "new_password", Message: err.Error()})
	}
	if len(fields) > 0 {
		return httpx.Invalid(fields...)
	}
	ctx := r.Context()
	p, _ := authz.PrincipalFrom(ctx)
	if err := h.checkPassword(ctx, w, r, p.UserID, req.CurrentPassword); err != nil {
		return err
	}
	hash, err := h.Passwords.Hash(ctx, req.NewPassword)
	if err != nil {
		return err
	}
	cmd, err := cmdhttp.Command(r, cmdhttp.CommandID(r, "user.password.own", p.UserID), "", "", time.Time{}, h.Now())
	if err != nil {
		return err
	}
	if _, err := h.Users.SetPassword(ctx, cmd, p.UserID, hash, false); err != nil {
		return err
	}
	httpx.NoContent(w)
	return nil
}

// checkPassword verifies userID's current password, under the per-account login throttle
// when the handlers have a guard (a stolen access token must not become a password oracle).
func (h *Handlers) checkPassword(ctx context.Context, w http.ResponseWriter, r *http.Request, userID, password string) error {
	account := "id:" + userID
	if h.Guard != nil {
		if err := h.Guard.Admit(w, r, account); err != nil {
			return err
		}
	}
	c, found, err := h.Users.Credential(ctx, userID)
	if err != nil {
		return err
	}
	ok := false
	if found {
		if ok, _, err = h.Passwords.Verify(ctx, password, c.PasswordHash); err != nil {
			return err
		}
	}
	switch {
	case h.Guard == nil:
	case ok:
		h.Guard.Succeeded(ctx, httpx.ClientIP(r), account)
	default:
		h.Guard.Failed(ctx, account)
	}
	if !ok {
		return httpx.Invalid(httpx.FieldError{Field: "current_password", Message: "is not the current password"})
	}
	return nil
}

// passwordRoute registers POST /auth/password on routes.
func (h *Handlers) passwordRoute(routes *authz.Routes) {
	routes.Handle(http.MethodPost, "/auth/password", authz.Authenticated(), h.Idempotency.Wrap(h.Responder.Handle(h.changeOwnPassword)))
}
