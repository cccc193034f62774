package cmdhttp

import (
	"context"
	"errors"
	"net/http"

	"github.com/google/uuid"
	"github.com/gorilla/mux"

	"github.com/odata-pos/pos/api/authz"
	"github.com/odata-pos/pos/api/httpx"
	"github.com/odata-pos/pos/commands"
	"github.com/odata-pos/pos/domain/rules"
)

// Target loads the aggregate named by the path variable "id" with load and checks that the
// caller may act in its store (storeOf). An ID that is not a UUID, or names nothing, is a 404
// with code "<what>_not_found". It returns the aggregate as loaded, for the command to decide
// on (execute's known) instead of reading the stream again.
func Target[S any](r *http.Request, az *authz.Authorizer, what string,
	load func(context.Context, uuid.UUID) (commands.Loaded[S], error), storeOf func(S) uuid.UUID) (commands.Loaded[S], error) {
	var zero commands.Loaded[S]
	notFound := httpx.NotFound(what+"_not_found", "no such "+what)
	id, err := uuid.Parse(mux.Vars(r)["id"])
	if err != nil {
		return zero, notFound
	}
	l, err := load(r.Context(), id)
	if errors.Is(err, rules.ErrNotFound) {
		return zero, notFound
	}
	if err != nil {
		return zero, err
	}
	if err := az.CheckStore(r, storeOf(l.State).String()); err != nil {
		return zero, err
	}
	return l, nil
}
