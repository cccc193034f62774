package inventory

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
	"github.com/odata-pos/pos/domain/quantity"
	"github.com/odata-pos/pos/domain/rules"
	"github.com/odata-pos/pos/domain/stock"
)

// Handlers serve the /inventory routes.
type Handlers struct {
	Inventory   *commands.Inventory
	Authorizer  *authz.Authorizer
	Responder   *httpx.Responder
	Idempotency *cmdhttp.Idempotency
	Now         func() time.Time
}

// Register registers the inventory routes.
func (h *Handlers) Register(routes *authz.Routes) {
	rs, idem := h.Responder, h.Idempotency
	write, read := authz.Perm(authz.InventoryWrite), authz.Perm(authz.InventoryRead)
	routes.Handle(http.MethodPost, "/inventory/receipts", write, idem.Wrap(rs.Handle(h.receipt)))
	routes.Handle(http.MethodPost, "/inventory/adjustments", write, idem.Wrap(rs.Handle(h.adjustment)))
	routes.Handle(http.MethodPost, "/inventory/counts", write, idem.Wrap(rs.Handle(h.count)))
	routes.Handle(http.MethodPost, "/inventory/transfers", write, idem.Wrap(rs.Handle(h.dispatch)))
	routes.Handle(http.MethodPost, "/inventory/transfers/{id}/receive", write, idem.Wrap(rs.Handle(h.receive)))
	routes.Handle(http.MethodGet, "/inventory/transfers/{id}", read, rs.Handle(h.getTransfer))
	routes.Handle(http.MethodGet, "/inventory/stock/{location_id}/{product_id}", read, rs.Handle(h.level))
}

// LineView is one line of a stock document after it was applied.
type LineView struct {
	ProductID string             `json:"product_id"`
	Kind      string             `json:"kind,omitempty"`
	Delta     *quantity.Quantity `json:"delta,omitempty"`
	Expected  *quantity.Quantity `json:"expected,omitempty"`
	Counted   *quantity.Quantity `json:"counted,omitempty"`
	Variance  *quantity.Quantity `json:"variance,omitempty"`
	OnHand    quantity.Quantity  `json:"on_hand"`
	Reason    string             `json:"reason,omitempty"`
	UnitCost  *money.Money       `json:"unit_cost,omitempty"`
	Flags     []string           `json:"flags,omitempty"`
	cmdhttp.Written
}

// DocumentView is a receipt, adjustment or count as applied. Revision is that of the last
// line's stock stream (and the ETag is sent for single-line documents only).
type DocumentView struct {
	ID         string     `json:"id"`
	LocationID string     `json:"location_id"`
	Lines      []LineView `json:"lines"`
	cmdhttp.Written
}

type receiptLine struct {
	ProductID string       `json:"product_id"`
	Quantity  json.Number  `json:"quantity"`
	UnitCost  *money.Money `json:"unit_cost"`
}

type adjustmentLine struct {
	ProductID string      `json:"product_id"`
	Delta     json.Number `json:"delta"`
	Reason    string      `json:"reason"`
}

type countLine struct {
	ProductID string      `json:"product_id"`
	Counted   json.Number `json:"counted"`
}

type docRequest[L any] struct {
	ID         string     `json:"id"`
	LocationID string     `json:"location_id"`
	Lines      []L        `json:"lines"`
	OccurredAt *time.Time `json:"occurred_at"`
}

// decodeDoc decodes a document body and parses its IDs.
func decodeDoc[L any](r *http.Request) (docRequest[L], uuid.UUID, uuid.UUID, cmdhttp.Fields, error) {
	var body docRequest[L]
	if err := httpx.Decode(r, &body); err != nil {
		return body, uuid.Nil, uuid.Nil, nil, err
	}
	var f cmdhttp.Fields
	id, loc := f.ID("id", body.ID), f.ID("location_id", body.LocationID)
	if body.ID == "" {
		f = append(f, httpx.FieldError{Field: "id", Message: "is required"})
	}
	if body.LocationID == "" {
		f = append(f, httpx.FieldError{Field: "location_id", Message: "is required"})
	}
	return body, id, loc, f, nil
}

func (h *Handlers) receipt(w http.ResponseWriter, r *http.Request) error {
	body, id, loc, f, err := decodeDoc[receiptLine](r)
	if err != nil {
		return err
	}
	lines := make([]commands.ReceiptLine, len(body.Lines))
	for i, l := range body.Lines {
		p := fmt.Sprintf("lines[%d].", i)
		lines[i] = commands.ReceiptLine{ProductID: f.ID(p+"product_id", l.ProductID), Quantity: f.Quantity(p+"quantity", l.Quantity), UnitCost: l.UnitCost}
	}
	return h.document(w, r, "inventory.receipt", body.OccurredAt, id, loc, f, func(cmd commands.Context) (commands.DocumentResult, error) {
		return h.Inventory.Receive(r.Context(), cmd, id, loc, lines)
	})
}

func (h *Handlers) adjustment(w http.ResponseWriter, r *http.Request) error {
	body, id, loc, f, err := decodeDoc[adjustmentLine](r)
	if err != nil {
		return err
	}
	lines := make([]commands.AdjustmentLine, len(body.Lines))
	for i, l := range body.Lines {
		p := fmt.Sprintf("lines[%d].", i)
		lines[i] = commands.AdjustmentLine{ProductID: f.ID(p+"product_id", l.ProductID), Delta: f.Quantity(p+"delta", l.Delta), Reason: l.Reason}
	}
	return h.document(w, r, "inventory.adjustment", body.OccurredAt, id, loc, f, func(cmd commands.Context) (commands.DocumentResult, error) {
		return h.Inventory.Adjust(r.Context(), cmd, id, loc, lines)
	})
}

func (h *Handlers) count(w http.ResponseWriter, r *http.Request) error {
	body, id, loc, f, err := decodeDoc[countLine](r)
	if err != nil {
		return err
	}
	lines := make([]commands.CountLine, len(body.Lines))
	for i, l := range body.Lines {
		p := fmt.Sprintf("lines[%d].", i)
		lines[i] = commands.CountLine{ProductID: f.ID(p+"product_id", l.ProductID), Counted: f.Quantity(p+"counted", l.Counted)}
	}
	return h.document(w, r, "inventory.count", body.OccurredAt, id, loc, f, func(cmd commands.Context) (commands.DocumentResult, error) {
		return h.Inventory.Count(r.Context(), cmd, id, loc, lines)
	})
}

// document authorises and runs a receipt, adjustment or count and answers with its lines.
func (h *Handlers) document(w http.ResponseWriter, r *http.Request, op string, occurredAt *time.Time, id, loc uuid.UUID, f cmdhttp.Fields,
	run func(commands.Context) (commands.DocumentResult, error)) error {
	if err := f.Err(); err != nil {
		return err
	}
	if err := h.Authorizer.CheckStore(r, loc.String()); err != nil {
		return err
	}
	var occurred time.Time
	if occurredAt != nil {
		occurred = *occurredAt
	}
	cmd, err := cmdhttp.Command(r, op+":"+id.String(), loc.String(), "", occurred, h.Now())
	if err != nil {
		return err
	}
	res, err := run(cmd)
	if err != nil {
		return err
	}
	var last commands.Result
	for _, l := range res.Lines {
		last = l.Result
	}
	if len(res.Lines) != 1 {
		last.Exists = false // no single stream to name in an ETag
	}
	last.Position = max(last.Position, res.Position)
	view := DocumentView{ID: id.String(), LocationID: loc.String(), Lines: make([]LineView, 0, len(res.Lines)),
		Written: cmdhttp.Written{Revision: last.Revision, Position: res.Position}}
	for _, l := range res.Lines {
		view.Lines = append(view.Lines, lineView(l))
	}
	cmdhttp.Respond(h.Responder, w, r, http.StatusCreated, last, view)
	return nil
}

// lineView renders a line from its event, or from the stock it left when an earlier attempt
// wrote it.
func lineView(l commands.LineResult) LineView {
	v := LineView{ProductID: l.ProductID.String(), Written: cmdhttp.WrittenOf(l.Result)}
	switch e := l.Event.(type) {
	case stock.StockMoved:
		v.Kind, v.Delta, v.OnHand, v.Reason, v.UnitCost, v.Flags = e.Kind, &e.Delta, e.OnHand, e.Reason, e.UnitCost, e.Flags
	case stock.StockCounted:
		v.Kind, v.Expected, v.Counted, v.Variance, v.OnHand = "count", &e.Expected, &e.Counted, &e.Variance, e.Counted
	default:
		v.OnHand = l.Stock.OnHand()
	}
	return v
}

// parseID parses a path ID; a malformed one is simply not found.
func parseID(r *http.Request, what string) (uuid.UUID, error) {
	id, err := uuid.Parse(mux.Vars(r)["id"])
	if err != nil {
		return uuid.Nil, httpx.NotFound(what+"_not_found", "no such "+what)
	}
	return id, nil
}

func notFound(err error, what string) error {
	if errors.Is(err, rules.ErrNotFound) {
		return httpx.NotFound(what+"_not_found", "no such "+what)
	}
	return err
}
