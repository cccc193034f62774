package queries

import (
	"net/http"
	"time"

	"github.com/google/uuid"
	"github.com/gorilla/mux"

	"github.com/odata-pos/pos/api/authz"
	"github.com/odata-pos/pos/api/httpx"
	"github.com/odata-pos/pos/projections/catalog"
	"github.com/odata-pos/pos/projections/readkit"
	"github.com/odata-pos/pos/projections/returns"
	"github.com/odata-pos/pos/projections/sales"
	"github.com/odata-pos/pos/projections/shifts"
	"github.com/odata-pos/pos/projections/stock"
	"github.com/odata-pos/pos/projections/users"
)

func (h *Handlers) stores(w http.ResponseWriter, r *http.Request) error {
	p := newParams(r)
	f := catalog.StoreFilter{Code: p.str("code"), Q: p.str("q")}
	req := p.page()
	scope, err := h.scopedReady(r, p, catalog.Name, uuid.Nil)
	if err != nil {
		return err
	}
	f.StoreIDs = scope
	page, err := h.Queries.Catalog.Stores(r.Context(), f, req)
	return respond(h, w, r, page, err)
}

func (h *Handlers) registers(w http.ResponseWriter, r *http.Request) error {
	storeID, err := uuid.Parse(mux.Vars(r)["id"])
	if err != nil {
		return httpx.NotFound("store_not_found", "no such store")
	}
	p := newParams(r)
	req := p.page()
	if _, err := h.scopedReady(r, p, catalog.Name, storeID); err != nil {
		return err
	}
	page, err := h.Queries.Catalog.Registers(r.Context(), storeID, req)
	return respond(h, w, r, page, err)
}

func (h *Handlers) taxCodes(w http.ResponseWriter, r *http.Request) error {
	p := newParams(r)
	req := p.page()
	if err := h.ready(r, p, catalog.Name); err != nil {
		return err
	}
	page, err := h.Queries.Catalog.TaxCodes(r.Context(), req)
	return respond(h, w, r, page, err)
}

func (h *Handlers) products(w http.ResponseWriter, r *http.Request) error {
	p := newParams(r)
	f := catalog.ProductFilter{Q: p.str("q"), Category: p.str("category"), Active: p.bool("active"), SKU: p.str("sku"), Barcode: p.str("barcode")}
	req := p.page()
	if err := h.ready(r, p, catalog.Name); err != nil {
		return err
	}
	page, err := h.Queries.Catalog.Products(r.Context(), f, req)
	return respond(h, w, r, page, err)
}

func (h *Handlers) levels(w http.ResponseWriter, r *http.Request) error {
	p := newParams(r)
	f := stock.Filter{LocationID: p.uuid("location_id"), ProductID: p.uuid("product_id"), LowStock: p.bool("low_stock")}
	req := p.page()
	scope, err := h.scopedReady(r, p, stock.Name, f.LocationID)
	if err != nil {
		return err
	}
	f.LocationIDs = scope
	page, err := h.Queries.Stock.Levels(r.Context(), f, req)
	return respond(h, w, r, page, err)
}

func (h *Handlers) sales(w http.ResponseWriter, r *http.Request) error {
	p := newParams(r)
	f := sales.Filter{StoreID: p.uuid("store_id"), RegisterID: p.uuid("register_id"), ShiftID: p.uuid("shift_id"),
		CashierID: p.str("cashier_id"), Status: p.enum("status", sales.Statuses), ReceiptNumber: p.int64("receipt_number"),
		From: p.time("from", false), To: p.time("to", true), Q: p.str("q")}
	req := p.page()
	checkRange(p, f.From, f.To)
	scope, err := h.scopedReady(r, p, sales.Name, f.StoreID)
	if err != nil {
		return err
	}
	f.StoreIDs = scope
	if f.Q != "" { // q finds the sales of the cashiers whose names match it too
		cashiers, err := h.Queries.Users.List(r.Context(), users.Filter{Q: f.Q}, readkit.Request{Limit: readkit.MaxLimit})
		if err != nil {
			return err
		}
		for _, u := range cashiers.Items {
			f.QCashierIDs = append(f.QCashierIDs, u.ID)
		}
	}
	page, err := h.Queries.Sales.List(r.Context(), f, req)
	return respond(h, w, r, page, err)
}

func (h *Handlers) saleLines(w http.ResponseWriter, r *http.Request) error {
	saleID, err := uuid.Parse(mux.Vars(r)["id"])
	if err != nil {
		return httpx.NotFound("sale_not_found", "no such sale")
	}
	p := newParams(r)
	req := p.page()
	scope, err := h.scopedReady(r, p, sales.Name, uuid.Nil)
	if err != nil {
		return err
	}
	page, err := h.Queries.Sales.Lines(r.Context(), saleID, scope, req)
	return respond(h, w, r, page, err)
}

func (h *Handlers) returns(w http.ResponseWriter, r *http.Request) error {
	p := newParams(r)
	f := returns.Filter{StoreID: p.uuid("store_id"), SaleID: p.uuid("sale_id"), ShiftID: p.uuid("shift_id"),
		CashierID: p.str("cashier_id"), NoReceipt: p.bool("no_receipt"), From: p.time("from", false), To: p.time("to", true)}
	req := p.page()
	checkRange(p, f.From, f.To)
	scope, err := h.scopedReady(r, p, returns.Name, f.StoreID)
	if err != nil {
		return err
	}
	f.StoreIDs = scope
	page, err := h.Queries.Returns.List(r.Context(), f, req)
	return respond(h, w, r, page, err)
}

func (h *Handlers) shifts(w http.ResponseWriter, r *http.Request) error {
	p := newParams(r)
	f := shifts.Filter{StoreID: p.uuid("store_id"), RegisterID: p.uuid("register_id"), CashierID: p.str("cashier_id"),
		Status: p.enum("status", shifts.Statuses), From: p.time("from", false), To: p.time("to", true)}
	req := p.page()
	checkRange(p, f.From, f.To)
	scope, err := h.scopedReady(r, p, shifts.Name, f.StoreID)
	if err != nil {
		return err
	}
	f.StoreIDs = scope
	page, err := h.Queries.Shifts.List(r.Context(), f, req)
	return respond(h, w, r, page, err)
}

func (h *Handlers) users(w http.ResponseWriter, r *http.Request) error {
	p := newParams(r)
	roles := []string{string(authz.RoleAdmin), string(authz.RoleManager), string(authz.RoleCashier), string(authz.RoleAuditor), string(authz.RoleAnalyst)}
	f := users.Filter{Q: p.str("q"), Role: p.enum("role", roles), StoreID: p.str("store_id"), Disabled: p.bool("disabled")}
	req := p.page()
	if err := h.ready(r, p, users.Name); err != nil {
		return err
	}
	page, err := h.Queries.Users.List(r.Context(), f, req)
	return respond(h, w, r, page, err)
}

// checkRange reports a from that is not before to.
func checkRange(p *params, from, to time.Time) {
	if !from.IsZero() && !to.IsZero() && !from.Before(to) {
		p.bad("from", "must be before to")
	}
}
