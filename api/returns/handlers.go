package returns

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/google/uuid"
	"github.com/gorilla/mux"

	"github.com/odata-pos/pos/api/authz"
	"github.com/odata-pos/pos/api/cmdhttp"
	"github.com/odata-pos/pos/api/httpx"
	"github.com/odata-pos/pos/commands"
	"github.com/odata-pos/pos/domain/money"
	"github.com/odata-pos/pos/domain/returns"
	"github.com/odata-pos/pos/domain/rules"
)

// Handlers serve the /returns routes.
type Handlers struct {
	Returns     *commands.Returns
	Authorizer  *authz.Authorizer
	Approvals   cmdhttp.ApprovalConsumer
	Responder   *httpx.Responder
	Idempotency *cmdhttp.Idempotency
	Now         func() time.Time
}

// Register registers the return routes.
func (h *Handlers) Register(routes *authz.Routes) {
	rs := h.Responder
	routes.Handle(http.MethodPost, "/returns", authz.Perm(authz.ReturnsWrite), h.Idempotency.Wrap(rs.Handle(h.create)))
	routes.Handle(http.MethodGet, "/returns/{id}", authz.Perm(authz.ReturnsRead), rs.Handle(h.get))
}

// View is a return as the API shows it.
type View struct {
	ID               string                 `json:"id"`
	SaleID           string                 `json:"sale_id,omitempty"`
	StoreID          string                 `json:"store_id"`
	RegisterID       string                 `json:"register_id,omitempty"`
	ShiftID          string                 `json:"shift_id,omitempty"`
	NoReceipt        bool                   `json:"no_receipt"`
	PricesIncludeTax bool                   `json:"prices_include_tax"`
	Lines            []returns.ReturnedLine `json:"lines"`
	Refunds          []returns.Refund       `json:"refunds"`
	Net              money.Money            `json:"net"`
	Tax              money.Money            `json:"tax"`
	Total            money.Money            `json:"total"`
	CashOut          money.Money            `json:"cash_out"`
	ApprovedBy       string                 `json:"approved_by,omitempty"`
	Approvals        []rules.Approval       `json:"approvals,omitempty"`
	ReturnedAt       time.Time              `json:"returned_at"`
}

type response struct {
	View
	cmdhttp.Written
}

func idString(id uuid.UUID) string {
	if id == uuid.Nil {
		return ""
	}
	return id.String()
}

// ViewOf renders a recorded return.
func ViewOf(r returns.ReturnRecorded) View {
	return View{ID: r.ReturnID.String(), SaleID: idString(r.SaleID), StoreID: idString(r.StoreID), RegisterID: idString(r.RegisterID),
		ShiftID: idString(r.ShiftID), NoReceipt: r.NoReceipt, PricesIncludeTax: r.PricesIncludeTax, Lines: r.Lines, Refunds: r.Refunds,
		Net: r.Net, Tax: r.Tax, Total: r.Total, CashOut: r.CashOut, ApprovedBy: r.ApprovedBy, Approvals: r.Approvals, ReturnedAt: r.ReturnedAt}
}

type lineRequest struct {
	SaleLineID string      `json:"sale_line_id"`
	ProductID  string      `json:"product_id"`
	Quantity   json.Number `json:"quantity"`
	Restock    bool        `json:"restock"`
	Reason     string      `json:"reason"`
}

type refundRequest struct {
	ID     string      `json:"id"`
	Tender string      `json:"tender"`
	Amount money.Money `json:"amount"`
}

type createRequest struct {
	ID         string          `json:"id"`
	SaleID     string          `json:"sale_id"`
	StoreID    string          `json:"store_id"`
	ShiftID    string          `json:"shift_id"`
	Lines      []lineRequest   `json:"lines"`
	Refunds    []refundRequest `json:"refunds"`
	OccurredAt *time.Time      `json:"occurred_at"`
}

// parse turns the body into a command request, reporting every malformed field at once.
func (c createRequest) parse() (commands.ReturnRequest, error) {
	var f cmdhttp.Fields
	req := commands.ReturnRequest{ReturnID: f.ID("id", c.ID), SaleID: f.ID("sale_id", c.SaleID), StoreID: f.ID("store_id", c.StoreID), ShiftID: f.ID("shift_id", c.ShiftID)}
	if c.ID == "" {
		f = append(f, httpx.FieldError{Field: "id", Message: "is required"})
	}
	switch {
	case c.SaleID == "" && c.StoreID == "":
		f = append(f, httpx.FieldError{Field: "sale_id", Message: "give sale_id, or store_id for a return without receipt"})
	case c.SaleID != "" && c.StoreID != "":
		f = append(f, httpx.FieldError{Field: "store_id", Message: "give sale_id or store_id, not both"})
	}
	for i, l := range c.Lines {
		p := fmt.Sprintf("lines[%d]", i)
		q := f.Quantity(p+".quantity", l.Quantity)
		if c.SaleID != "" {
			if l.ProductID != "" {
				f = append(f, httpx.FieldError{Field: p + ".product_id", Message: "returns with a sale name sale_line_id"})
			}
			if l.SaleLineID == "" {
				f = append(f, httpx.FieldError{Field: p + ".sale_line_id", Message: "is required"})
			}
			req.Lines = append(req.Lines, returns.Line{SaleLineID: f.ID(p+".sale_line_id", l.SaleLineID), Quantity: q, Restock: l.Restock, Reason: l.Reason})
			continue
		}
		if l.SaleLineID != "" {
			f = append(f, httpx.FieldError{Field: p + ".sale_line_id", Message: "returns without a sale name product_id"})
		}
		req.ProductLines = append(req.ProductLines, commands.ReturnProductLine{ProductID: f.ID(p+".product_id", l.ProductID), Quantity: q, Restock: l.Restock, Reason: l.Reason})
	}
	for i, r := range c.Refunds {
		req.Refunds = append(req.Refunds, returns.Refund{ID: f.ID(fmt.Sprintf("refunds[%d].id", i), r.ID), Tender: r.Tender, Amount: r.Amount})
	}
	return req, f.Err()
}

func (h *Handlers) create(w http.ResponseWriter, r *http.Request) error {
	var body createRequest
	if err := httpx.Decode(r, &body); err != nil {
		return err
	}
	req, err := body.parse()
	if err != nil {
		return err
	}
	storeID := req.StoreID
	if req.SaleID != uuid.Nil {
		if storeID, err = h.Returns.SaleStore(r.Context(), req.SaleID); err != nil {
			if errors.Is(err, rules.ErrNotFound) {
				return httpx.Invalid(httpx.FieldError{Field: "sale_id", Message: "is not a known sale"})
			}
			return err
		}
	}
	if err := h.Authorizer.CheckStore(r, storeID.String()); err != nil {
		return err
	}
	p, _ := authz.PrincipalFrom(r.Context())
	req.Unlimited = p.HasRole(authz.RoleAdmin) || p.HasRole(authz.RoleManager)
	var occurred time.Time
	if body.OccurredAt != nil {
		occurred = *body.OccurredAt
	}
	cmd, err := cmdhttp.Command(r, commands.ReturnCommandID(req.ReturnID), storeID.String(), "", occurred, h.Now())
	if err != nil {
		return err
	}
	// The managers' tokens are spent only for the approvals the return turns out to need
	// (return.no_receipt, return.over_limit, or both), and none while one is missing.
	var res commands.Result
	var rec returns.ReturnRecorded
	if err := cmdhttp.Approved(r, h.Approvals, req.ReturnID.String(), &cmd, func(as rules.Approvals) error {
		req.Approvals = as
		var err error
		res, rec, err = h.Returns.Create(r.Context(), cmd, req)
		return err
	}); err != nil {
		return err
	}
	cmdhttp.Respond(h.Responder, w, r, http.StatusCreated, res, response{View: ViewOf(rec), Written: cmdhttp.WrittenOf(res)})
	return nil
}

func (h *Handlers) get(w http.ResponseWriter, r *http.Request) error {
	id, err := uuid.Parse(mux.Vars(r)["id"])
	if err != nil {
		return httpx.NotFound("return_not_found", "no such return")
	}
	l, err := h.Returns.Get(r.Context(), id)
	if err != nil {
		if errors.Is(err, rules.ErrNotFound) {
			return httpx.NotFound("return_not_found", "no such return")
		}
		return err
	}
	if err := h.Authorizer.CheckStore(r, l.State.Recorded.StoreID.String()); err != nil {
		return err
	}
	w.Header().Set(cmdhttp.HeaderETag, cmdhttp.ETag(l.Revision))
	h.Responder.JSON(w, r, http.StatusOK, response{View: ViewOf(l.State.Recorded), Written: cmdhttp.Written{Revision: l.Revision, Position: l.Position}})
	return nil
}
