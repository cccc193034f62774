package cmdhttp

import (
	"errors"

	"github.com/odata-pos/pos/api/auth"
	"github.com/odata-pos/pos/api/httpx"
	"github.com/odata-pos/pos/commands"
	"github.com/odata-pos/pos/domain/rules"
	"github.com/odata-pos/pos/eventstore"
)

// MapError translates the errors of the write side into HTTP problems; register it with the
// composition root's httpx.Responder. It returns false for errors it does not know.
func MapError(err error) (*httpx.Error, bool) {
	var verr *rules.ValidationError
	if errors.As(err, &verr) {
		fields := make([]httpx.FieldError, len(verr.Fields))
		for i, f := range verr.Fields {
			fields[i] = httpx.FieldError{Field: f.Field, Message: f.Message}
		}
		// A well-formed command that breaks the domain's field rules is a business-rule refusal.
		return &httpx.Error{Kind: httpx.KindUnprocessable, Code: "validation_failed",
			Detail: "the command has invalid fields", Fields: fields}, true
	}
	var rerr *rules.RuleError
	if errors.As(err, &rerr) {
		switch {
		case rerr.Code == rules.ErrNotFound.Code:
			return httpx.NotFound(rerr.Code, rerr.Error()), true
		case rerr.Conflict:
			return httpx.Conflict(rerr.Code, rerr.Error()), true
		default:
			return httpx.Unprocessable(rerr.Code, rerr.Error()), true
		}
	}
	switch {
	case errors.Is(err, commands.ErrPreconditionFailed):
		return httpx.PreconditionFailed("precondition_failed", "the resource changed since the revision in If-Match"), true
	case errors.Is(err, commands.ErrConflict), errors.Is(err, eventstore.ErrWrongExpectedRevision):
		return httpx.Conflict("concurrent_update", "the resource is being changed concurrently; retry"), true
	case errors.Is(err, commands.ErrMissingCommandID):
		return httpx.BadRequest("missing_id", "the command needs an id"), true
	case errors.Is(err, eventstore.ErrStreamDeleted):
		return httpx.Conflict("deleted", "the resource was deleted"), true
	case errors.Is(err, eventstore.ErrUnavailable):
		return httpx.Unavailable("event_store_unavailable", "the event store is unavailable; retry", err), true
	case errors.Is(err, auth.ErrApprovalInvalid):
		return httpx.Forbidden("approval_invalid", "the approval token is invalid, expired, spent, or for another action"), true
	}
	return nil, false
}
