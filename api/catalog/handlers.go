package catalog

import (
	"errors"
	"net/http"
	"time"

	// The time zone database is embedded so store time zones validate on hosts without one.
	_ "time/tzdata"

	"github.com/google/uuid"
	"github.com/gorilla/mux"

	"github.com/odata-pos/pos/api/authz"
	"github.com/odata-pos/pos/api/cmdhttp"
	"github.com/odata-pos/pos/api/httpx"
	"github.com/odata-pos/pos/commands"
	"github.com/odata-pos/pos/domain/rules"
)

// Handlers serve the store, register, tax code and product routes.
type Handlers struct {
	Stores      *commands.Stores
	Catalog     *commands.Catalog
	Authorizer  *authz.Authorizer
	Responder   *httpx.Responder
	Idempotency *cmdhttp.Idempotency
	Now         func() time.Time
}

// Register registers the routes. Stores and registers need stores.write to change and
// stores.read to read, within the caller's store scope; tax codes and products need
// catalog.write and catalog.read (they are chain-wide, not store-scoped).
func (h *Handlers) Register(routes *authz.Routes) {
	rs, idem := h.Responder, h.Idempotency
	post := func(path string, perm authz.Permission, f httpx.HandlerFunc) {
		routes.Handle(http.MethodPost, path, authz.Perm(perm), idem.Wrap(rs.Handle(f)))
	}
	get := func(path string, perm authz.Permission, f httpx.HandlerFunc) {
		routes.Handle(http.MethodGet, path, authz.Perm(perm), rs.Handle(f))
	}
	post("/stores", authz.StoresWrite, h.createStore)
	get("/stores/{id}", authz.StoresRead, h.getStore)
	post("/stores/{id}/settings", authz.StoresWrite, h.changeSettings)
	post("/stores/{id}/registers", authz.StoresWrite, h.createRegister)
	get("/stores/{id}/registers/{register_id}", authz.StoresRead, h.getRegister)

	post("/tax-codes", authz.CatalogWrite, h.createTaxCode)
	get("/tax-codes/{id}", authz.CatalogRead, h.getTaxCode)
	post("/tax-codes/{id}/rate", authz.CatalogWrite, h.changeRate)

	post("/products", authz.CatalogWrite, h.createProduct)
	get("/products/{id}", authz.CatalogRead, h.getProduct)
	post("/products/{id}/price", authz.CatalogWrite, h.changePrice)
	post("/products/{id}/deactivate", authz.CatalogWrite, h.deactivate)
	post("/products/{id}/reactivate", authz.CatalogWrite, h.reactivate)
}

// idNamespace derives server-generated IDs from an Idempotency-Key.
var idNamespace = uuid.MustParse("5b0f0d8e-3c0e-4d6b-9a51-6f1d3f0c2a10")

// newID returns the ID of an entity a request creates: the client's "id" when sent (400 when
// it is not a UUID); else one derived from the Idempotency-Key, so a retried request names the
// same entity even when Redis lost the replay; else a random one.
func newID(r *http.Request, kind, given string) (uuid.UUID, error) {
	if given != "" {
		id, err := uuid.Parse(given)
		if err != nil {
			return uuid.Nil, httpx.Invalid(httpx.FieldError{Field: "id", Message: "must be a UUID"})
		}
		return id, nil
	}
	if key := r.Header.Get(cmdhttp.HeaderIdempotencyKey); key != "" {
		p, _ := authz.PrincipalFrom(r.Context())
		return uuid.NewSHA1(idNamespace, []byte(kind+"\x00"+p.UserID+"\x00"+key)), nil
	}
	return uuid.New(), nil
}

// pathID parses the path variable name as a UUID; anything else names nothing (404 code).
func pathID(r *http.Request, name, code string) (uuid.UUID, error) {
	id, err := uuid.Parse(mux.Vars(r)[name])
	if err != nil {
		return uuid.Nil, httpx.NotFound(code, "no such resource")
	}
	return id, nil
}

// decodeOptional decodes a body when the request has one; a body-less request keeps v.
func decodeOptional(r *http.Request, v any) error {
	if r.ContentLength == 0 {
		return nil
	}
	return httpx.Decode(r, v)
}

// written answers a command that succeeded (res) with status and body, the resource as the
// command left it; for a 201 location is the new resource.
func (h *Handlers) written(w http.ResponseWriter, r *http.Request, status int, location string, res commands.Result, body any) {
	if status == http.StatusCreated {
		w.Header().Set("Location", location)
	}
	cmdhttp.Respond(h.Responder, w, r, status, res, body)
}

// current writes a GET answer with the ETag of the resource's revision.
func (h *Handlers) current(w http.ResponseWriter, r *http.Request, revision uint64, body any) {
	w.Header().Set(cmdhttp.HeaderETag, cmdhttp.ETag(revision))
	h.Responder.JSON(w, r, http.StatusOK, body)
}

// notFound turns rules.ErrNotFound into a 404 with code; other errors pass through.
func notFound(err error, code, detail string) error {
	if errors.Is(err, rules.ErrNotFound) {
		return httpx.NotFound(code, detail)
	}
	return err
}
