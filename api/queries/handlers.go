package queries

import (
	"errors"
	"net/http"
	"time"

	"github.com/odata-pos/pos/api/consistency"

	"github.com/google/uuid"

	"github.com/odata-pos/pos/api/authz"
	"github.com/odata-pos/pos/api/httpx"
	"github.com/odata-pos/pos/projections/readkit"
	"github.com/odata-pos/pos/projections/readmodels"
)

// Handlers serve the query routes.
type Handlers struct {
	Queries    readmodels.Queries
	Waiter     consistency.Waiter
	Authorizer *authz.Authorizer
	Responder  *httpx.Responder
	// ConsistencyTimeout bounds X-Consistent-With waits; zero means consistency.DefaultTimeout.
	ConsistencyTimeout time.Duration
}

// Register registers the routes, each guarded by the read permission of its area. GET
// /inventory is the list of stock levels from the read model; the strongly consistent level
// of one product at one location is the inventory area's GET /inventory/stock/{location_id}/{product_id}.
func (h *Handlers) Register(routes *authz.Routes) {
	get := func(path string, perm authz.Permission, f httpx.HandlerFunc) {
		routes.Handle(http.MethodGet, path, authz.Perm(perm), h.Responder.Handle(f))
	}
	get("/stores", authz.StoresRead, h.stores)
	get("/stores/{id}/registers", authz.StoresRead, h.registers)
	get("/tax-codes", authz.CatalogRead, h.taxCodes)
	get("/products", authz.CatalogRead, h.products)
	get("/inventory", authz.InventoryRead, h.levels)
	get("/sales", authz.SalesRead, h.sales)
	get("/sales/{id}/lines", authz.SalesRead, h.saleLines)
	get("/returns", authz.ReturnsRead, h.returns)
	get("/shifts", authz.ShiftsRead, h.shifts)
	get("/users", authz.UsersRead, h.users)
}

// scope returns the stores the caller may see: nil for every store, else their IDs (possibly
// none). A storeID asked for explicitly must be in scope (403 store_forbidden otherwise).
func (h *Handlers) scope(r *http.Request, storeID uuid.UUID) ([]uuid.UUID, error) {
	p, ok := authz.PrincipalFrom(r.Context())
	if !ok {
		return nil, httpx.Unauthorized(authz.CodeUnauthenticated, "authentication required")
	}
	if storeID != uuid.Nil {
		if err := h.Authorizer.CheckStore(r, storeID.String()); err != nil {
			return nil, err
		}
	}
	if len(p.StoreIDs) == 0 && p.InStore("") {
		return nil, nil
	}
	ids := make([]uuid.UUID, 0, len(p.StoreIDs))
	for _, s := range p.StoreIDs {
		if id, err := uuid.Parse(s); err == nil {
			ids = append(ids, id)
		}
	}
	return ids, nil
}

// ready is the common start of a list route without store scoping: the parameters' errors as
// one 400, then X-Consistent-With for the projection name.
func (h *Handlers) ready(r *http.Request, p *params, name string) error {
	if err := p.err(); err != nil {
		return err
	}
	return h.wait(r, name)
}

// scopedReady is ready for a store-scoped list route: between the two, it resolves the
// caller's store scope (see scope) for storeID, the store asked for (uuid.Nil: none).
func (h *Handlers) scopedReady(r *http.Request, p *params, name string, storeID uuid.UUID) ([]uuid.UUID, error) {
	if err := p.err(); err != nil {
		return nil, err
	}
	scope, err := h.scope(r, storeID)
	if err != nil {
		return nil, err
	}
	return scope, h.wait(r, name)
}

// wait honours X-Consistent-With for the projection name.
func (h *Handlers) wait(r *http.Request, name string) error {
	return consistency.Wait(r, h.Waiter, name, h.ConsistencyTimeout)
}

// respond writes a page, mapping the read models' errors: an invalid list parameter is a 400
// naming it, a read model that was never set up a 503.
func respond[T any](h *Handlers, w http.ResponseWriter, r *http.Request, page readkit.Page[T], err error) error {
	if err != nil {
		if fe, ok := errors.AsType[*readkit.FilterError](err); ok {
			return httpx.Invalid(httpx.FieldError{Field: fe.Field, Message: fe.Message})
		}
		if errors.Is(err, readkit.ErrNotReady) {
			return httpx.Unavailable("read_model_not_ready", "the read model is not built yet; retry later", err)
		}
		return err
	}
	h.Responder.JSON(w, r, http.StatusOK, page)
	return nil
}
