package users

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/google/uuid"
	"github.com/gorilla/mux"

	"github.com/odata-pos/pos/api/auth"
	"github.com/odata-pos/pos/api/authz"
	"github.com/odata-pos/pos/api/cmdhttp"
	"github.com/odata-pos/pos/api/httpx"
	"github.com/odata-pos/pos/commands"
	"github.com/odata-pos/pos/domain/rules"
	"github.com/odata-pos/pos/domain/user"
)

// Handlers serve the /users routes.
type Handlers struct {
	Users       *commands.Users
	Passwords   *auth.Passwords
	Responder   *httpx.Responder
	Idempotency *cmdhttp.Idempotency
	// Guard throttles the current-password check of POST /auth/password like a login; nil:
	// no throttle.
	Guard *auth.LoginGuard
	Now   func() time.Time
}

// Register registers the user routes (all need users.admin but reads, which need users.read,
// and POST /auth/password, a signed-in user's own password change).
func (h *Handlers) Register(routes *authz.Routes) {
	rs, idem := h.Responder, h.Idempotency
	admin := authz.Perm(authz.UsersAdmin)
	routes.Handle(http.MethodPost, "/users", admin, idem.Wrap(rs.Handle(h.create)))
	routes.Handle(http.MethodGet, "/users/{id}", authz.Perm(authz.UsersRead), rs.Handle(h.get))
	routes.Handle(http.MethodPost, "/users/{id}/roles", admin, idem.Wrap(rs.Handle(h.changeRoles)))
	routes.Handle(http.MethodPost, "/users/{id}/stores", admin, idem.Wrap(rs.Handle(h.changeStores)))
	routes.Handle(http.MethodPost, "/users/{id}/disable", admin, idem.Wrap(rs.Handle(h.disable)))
	routes.Handle(http.MethodPost, "/users/{id}/enable", admin, idem.Wrap(rs.Handle(h.enable)))
	routes.Handle(http.MethodPost, "/users/{id}/password", admin, idem.Wrap(rs.Handle(h.setPassword)))
	h.passwordRoute(routes)
}

// View is a user as the API shows it (never with a password or its hash).
type View struct {
	ID       string   `json:"id"`
	Username string   `json:"username"`
	Roles    []string `json:"roles"`
	StoreIDs []string `json:"store_ids"`
	Disabled bool     `json:"disabled"`
}

// response is a user command's answer.
type response struct {
	View
	cmdhttp.Written
}

func viewOf(s user.State) View {
	return View{ID: s.ID, Username: s.Username, Roles: nonNil(s.Roles), StoreIDs: nonNil(s.StoreIDs), Disabled: s.Disabled}
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

type createRequest struct {
	ID       string   `json:"id"`
	Username string   `json:"username"`
	Password string   `json:"password"`
	Roles    []string `json:"roles"`
	StoreIDs []string `json:"store_ids"`
}

func (h *Handlers) create(w http.ResponseWriter, r *http.Request) error {
	var req createRequest
	if err := httpx.Decode(r, &req); err != nil {
		return err
	}
	if req.ID == "" {
		req.ID = uuid.NewString()
	} else if _, err := uuid.Parse(req.ID); err != nil {
		return httpx.Invalid(httpx.FieldError{Field: "id", Message: "must be a UUID"})
	}
	if err := auth.ValidatePassword(req.Password); err != nil {
		return httpx.Invalid(httpx.FieldError{Field: "password", Message: err.Error()})
	}
	reg := user.RegisterUser{UserID: req.ID, Username: req.Username, Roles: req.Roles, StoreIDs: req.StoreIDs}
	cmd, err := cmdhttp.Command(r, "user.register:"+req.ID, "", "", time.Time{}, h.Now())
	if err != nil {
		return err
	}
	// The command decides first and hashes the password only for a valid registration.
	res, err := h.Users.RegisterHashing(r.Context(), cmd, reg, func(ctx context.Context) (string, error) {
		return h.Passwords.Hash(ctx, req.Password)
	})
	if err != nil {
		return err
	}
	return h.respond(w, r, http.StatusCreated, res)
}

func (h *Handlers) get(w http.ResponseWriter, r *http.Request) error {
	s, err := h.Users.Get(r.Context(), mux.Vars(r)["id"])
	if errors.Is(err, rules.ErrNotFound) {
		return httpx.NotFound("user_not_found", "no such user")
	}
	if err != nil {
		return err
	}
	h.Responder.JSON(w, r, http.StatusOK, viewOf(s))
	return nil
}

func (h *Handlers) changeRoles(w http.ResponseWriter, r *http.Request) error {
	var req struct {
		Roles []string `json:"roles"`
	}
	return h.update(w, r, "user.roles", &req, func(ctx context.Context, cmd commands.Context, id string) (commands.Outcome[user.State], error) {
		return h.Users.ChangeRoles(ctx, cmd, id, user.ChangeRoles{Roles: req.Roles})
	})
}

func (h *Handlers) changeStores(w http.ResponseWriter, r *http.Request) error {
	var req struct {
		StoreIDs []string `json:"store_ids"`
	}
	return h.update(w, r, "user.stores", &req, func(ctx context.Context, cmd commands.Context, id string) (commands.Outcome[user.State], error) {
		return h.Users.ChangeStoreScope(ctx, cmd, id, user.ChangeStoreScope{StoreIDs: req.StoreIDs})
	})
}

// disable takes an optional body: none means no reason.
func (h *Handlers) disable(w http.ResponseWriter, r *http.Request) error {
	var req struct {
		Reason string `json:"reason"`
	}
	if err := decodeOptional(r, &req); err != nil {
		return err
	}
	return h.update(w, r, "user.disable", nil, func(ctx context.Context, cmd commands.Context, id string) (commands.Outcome[user.State], error) {
		return h.Users.Disable(ctx, cmd, id, user.Disable{Reason: req.Reason})
	})
}

func (h *Handlers) enable(w http.ResponseWriter, r *http.Request) error {
	return h.update(w, r, "user.enable", nil, func(ctx context.Context, cmd commands.Context, id string) (commands.Outcome[user.State], error) {
		return h.Users.Enable(ctx, cmd, id)
	})
}

func (h *Handlers) setPassword(w http.ResponseWriter, r *http.Request) error {
	var req struct {
		Password string `json:"password"`
	}
	return h.update(w, r, "user.password", &req, func(ctx context.Context, cmd commands.Context, id string) (commands.Outcome[user.State], error) {
		if err := auth.ValidatePassword(req.Password); err != nil {
			return commands.Outcome[user.State]{}, httpx.Invalid(httpx.FieldError{Field: "password", Message: err.Error()})
		}
		hash, err := h.Passwords.Hash(ctx, req.Password)
		if err != nil {
			return commands.Outcome[user.State]{}, err
		}
		return h.Users.SetPassword(ctx, cmd, id, hash, true)
	})
}

// update decodes req (when not nil) and runs one command on the user of the path.
func (h *Handlers) update(w http.ResponseWriter, r *http.Request, op string, req any, run func(context.Context, commands.Context, string) (commands.Outcome[user.State], error)) error {
	if req != nil {
		if err := httpx.Decode(r, req); err != nil {
			return err
		}
	}
	id := mux.Vars(r)["id"]
	cmd, err := cmdhttp.Command(r, cmdhttp.CommandID(r, op, id), "", "", time.Time{}, h.Now())
	if err != nil {
		return err
	}
	res, err := run(r.Context(), cmd, id)
	if err != nil {
		return err
	}
	return h.respond(w, r, http.StatusOK, res)
}

// respond renders the user as the command left it.
func (h *Handlers) respond(w http.ResponseWriter, r *http.Request, status int, res commands.Outcome[user.State]) error {
	cmdhttp.Respond(h.Responder, w, r, status, res.Result, response{View: viewOf(res.State.State), Written: cmdhttp.WrittenOf(res.Result)})
	return nil
}

// RegisterAdmin validates and hashes password and registers username as an admin of every
// store, as by (the metadata's user_id). The ID derives from the username, so a retry of the
// same registration writes nothing more; it returns the ID. The bootstrap admin
// (internal/services.BootstrapAdmin) and posctl users create-admin use it.
func RegisterAdmin(ctx context.Context, users *commands.Users, passwords *auth.Passwords, now time.Time, by, username, password string) (string, error) {
	if err := auth.ValidatePassword(password); err != nil {
		return "", err
	}
	hash, err := passwords.Hash(ctx, password)
	if err != nil {
		return "", err
	}
	id := uuid.NewSHA1(uuid.NameSpaceOID, []byte("pos-bootstrap-admin:"+user.NormalizeUsername(username))).String()
	cmd := commands.Context{ID: "user.bootstrap:" + id, CorrelationID: "bootstrap", UserID: by, OccurredAt: now.UTC()}
	_, err = users.Register(ctx, cmd, user.RegisterUser{UserID: id, Username: username, Roles: []string{user.RoleAdmin}}, hash)
	return id, err
}
