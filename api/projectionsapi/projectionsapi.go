// Package projectionsapi serves the operators' projection routes: the state of every
// projection (checkpoint, lag in events and seconds, failures), a rebuild without downtime,
// and the explicit skip of a poison event. Any replica can serve them: the replica that runs
// a projection picks a rebuild or skip request up from the checkpoint table.
package projectionsapi

import (
	"context"
	"errors"
	"net/http"

	"github.com/gorilla/mux"

	"github.com/odata-pos/pos/api/authz"
	"github.com/odata-pos/pos/api/httpx"
	"github.com/odata-pos/pos/eventstore"
	"github.com/odata-pos/pos/projections"
)

// Runner is what the routes need of a projections.Runner.
type Runner interface {
	Status(ctx context.Context) ([]projections.ProjectionStatus, error)
	Rebuild(ctx context.Context, name string) error
	Skip(ctx context.Context, name string, position eventstore.Position) error
	ReplayParked(ctx context.Context, name string) (projections.ReplayResult, error)
}

// Handlers serve /projections.
type Handlers struct {
	Runner    Runner
	Responder *httpx.Responder
	// Security records rebuilds and skips (who did it); may be nil.
	Security authz.SecurityRecorder
}

// Register adds the routes.
func (h *Handlers) Register(routes *authz.Routes) {
	rs := h.Responder
	routes.Handle(http.MethodGet, "/projections", authz.Perm(authz.ProjectionsRead), rs.Handle(h.list))
	routes.Handle(http.MethodPost, "/projections/{name}/rebuild", authz.Perm(authz.ProjectionsAdmin), rs.Handle(h.rebuild))
	routes.Handle(http.MethodPost, "/projections/{name}/skip", authz.Perm(authz.ProjectionsAdmin), rs.Handle(h.skip))
	routes.Handle(http.MethodPost, "/projections/{name}/replay-parked", authz.Perm(authz.ProjectionsAdmin), rs.Handle(h.replayParked))
}

// replayParked applies the projection's parked events again, once their cause is fixed.
func (h *Handlers) replayParked(w http.ResponseWriter, r *http.Request) error {
	name := mux.Vars(r)["name"]
	res, err := h.Runner.ReplayParked(r.Context(), name)
	if err := mapErr(err); err != nil {
		return err
	}
	h.record(r, "projection.replay_parked", name)
	h.Responder.JSON(w, r, http.StatusOK, map[string]any{"name": name, "replayed": res.Replayed, "parked": res.Parked})
	return nil
}

func (h *Handlers) list(w http.ResponseWriter, r *http.Request) error {
	st, err := h.Runner.Status(r.Context())
	if err != nil {
		return err
	}
	if st == nil {
		st = []projections.ProjectionStatus{}
	}
	h.Responder.JSON(w, r, http.StatusOK, map[string]any{"items": st})
	return nil
}

func (h *Handlers) rebuild(w http.ResponseWriter, r *http.Request) error {
	name := mux.Vars(r)["name"]
	if err := mapErr(h.Runner.Rebuild(r.Context(), name)); err != nil {
		return err
	}
	h.record(r, "projection.rebuild", name)
	h.Responder.JSON(w, r, http.StatusAccepted, map[string]string{"name": name, "status": "rebuilding"})
	return nil
}

func (h *Handlers) skip(w http.ResponseWriter, r *http.Request) error {
	var req struct {
		Position *eventstore.Position `json:"position"`
	}
	if err := httpx.Decode(r, &req); err != nil {
		return err
	}
	if req.Position == nil {
		return httpx.Invalid(httpx.FieldError{Field: "position", Message: "required: the failed event's position"})
	}
	name := mux.Vars(r)["name"]
	if err := mapErr(h.Runner.Skip(r.Context(), name, *req.Position)); err != nil {
		return err
	}
	h.record(r, "projection.skip", name)
	h.Responder.JSON(w, r, http.StatusOK, map[string]any{"name": name, "skipped": *req.Position})
	return nil
}

func (h *Handlers) record(r *http.Request, kind, name string) {
	if h.Security == nil {
		return
	}
	p, _ := authz.PrincipalFrom(r.Context())
	h.Security.Record(r.Context(), authz.SecurityEvent{Kind: authz.SecurityEventKind(kind), UserID: p.UserID,
		IP: httpx.ClientIP(r), RequestID: httpx.RequestIDFrom(r.Context()), Detail: name})
}

func mapErr(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, projections.ErrUnknownProjection):
		return httpx.NotFound("projection_not_found", "no such projection")
	case errors.Is(err, projections.ErrNotStarted):
		return httpx.Conflict("projection_not_started", "the projection has not run yet; it builds itself from the start when a projector starts")
	case errors.Is(err, projections.ErrRebuildInProgress):
		return httpx.Conflict("rebuild_in_progress", "a rebuild of this projection is already running")
	case errors.Is(err, projections.ErrNotFailedAt):
		return httpx.Conflict("not_failed_at_position", "the projection has not failed at that position; skip only the recorded error position")
	}
	return err
}
