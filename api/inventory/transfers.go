package inventory

import (
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/google/uuid"
	"github.com/gorilla/mux"

	"github.com/odata-pos/pos/api/authz"
	"github.com/odata-pos/pos/api/cmdhttp"
	"github.com/odata-pos/pos/api/httpx"
	"github.com/odata-pos/pos/commands"
	"github.com/odata-pos/pos/domain/quantity"
	"github.com/odata-pos/pos/domain/transfer"
)

// TransferView is a transfer as the API shows it. Status is in_transit between the two legs
// and received after the second.
type TransferView struct {
	ID             string          `json:"id"`
	FromLocationID string          `json:"from_location_id"`
	ToLocationID   string          `json:"to_location_id"`
	Status         string          `json:"status"`
	Lines          []transfer.Line `json:"lines"`
	cmdhttp.Written
}

type transferRequest struct {
	ID             string `json:"id"`
	FromLocationID string `json:"from_location_id"`
	ToLocationID   string `json:"to_location_id"`
	Lines          []struct {
		ProductID string      `json:"product_id"`
		Quantity  json.Number `json:"quantity"`
	} `json:"lines"`
	OccurredAt *time.Time `json:"occurred_at"`
}

func (h *Handlers) dispatch(w http.ResponseWriter, r *http.Request) error {
	var body transferRequest
	if err := httpx.Decode(r, &body); err != nil {
		return err
	}
	var f cmdhttp.Fields
	c := transfer.Dispatch{TransferID: f.ID("id", body.ID), FromLocationID: f.ID("from_location_id", body.FromLocationID), ToLocationID: f.ID("to_location_id", body.ToLocationID)}
	for i, l := range body.Lines {
		p := fmt.Sprintf("lines[%d].", i)
		c.Lines = append(c.Lines, transfer.Line{ProductID: f.ID(p+"product_id", l.ProductID), Quantity: f.Quantity(p+"quantity", l.Quantity)})
	}
	if body.ID == "" {
		f = append(f, httpx.FieldError{Field: "id", Message: "is required"})
	}
	if err := f.Err(); err != nil {
		return err
	}
	if err := h.Authorizer.CheckStore(r, c.FromLocationID.String()); err != nil {
		return err
	}
	var occurred time.Time
	if body.OccurredAt != nil {
		occurred = *body.OccurredAt
	}
	cmd, err := cmdhttp.Command(r, "inventory.transfer:"+c.TransferID.String(), c.FromLocationID.String(), "", occurred, h.Now())
	if err != nil {
		return err
	}
	res, err := h.Inventory.Dispatch(r.Context(), cmd, c)
	if err != nil {
		return err
	}
	return h.respondTransfer(w, r, http.StatusCreated, res)
}

func (h *Handlers) receive(w http.ResponseWriter, r *http.Request) error {
	id, err := parseID(r, "transfer")
	if err != nil {
		return err
	}
	t, err := h.Inventory.Transfer(r.Context(), id)
	if err != nil {
		return notFound(err, "transfer")
	}
	if err := h.Authorizer.CheckStore(r, t.State.ToLocationID.String()); err != nil {
		return err
	}
	cmd, err := cmdhttp.Command(r, "inventory.transfer.receive:"+id.String(), t.State.ToLocationID.String(), "", time.Time{}, h.Now())
	if err != nil {
		return err
	}
	res, err := h.Inventory.ReceiveTransfer(r.Context(), cmd, id)
	if err != nil {
		return err
	}
	return h.respondTransfer(w, r, http.StatusOK, res)
}

// respondTransfer renders the transfer as the command left it.
func (h *Handlers) respondTransfer(w http.ResponseWriter, r *http.Request, status int, res commands.DocumentResult) error {
	view := transferView(res.Document.State)
	view.Position = max(view.Position, res.Position)
	cmdhttp.Respond(h.Responder, w, r, status, res.Document.Result, view)
	return nil
}

func transferView(t commands.Loaded[transfer.State]) TransferView {
	s := t.State
	return TransferView{ID: s.ID.String(), FromLocationID: s.FromLocationID.String(), ToLocationID: s.ToLocationID.String(),
		Status: s.Status, Lines: s.Lines, Written: cmdhttp.Written{Revision: t.Revision, Position: t.Position}}
}

func (h *Handlers) getTransfer(w http.ResponseWriter, r *http.Request) error {
	id, err := parseID(r, "transfer")
	if err != nil {
		return err
	}
	t, err := h.Inventory.Transfer(r.Context(), id)
	if err != nil {
		return notFound(err, "transfer")
	}
	if !h.inStore(r, t.State.FromLocationID) && !h.inStore(r, t.State.ToLocationID) {
		return h.Authorizer.CheckStore(r, t.State.FromLocationID.String())
	}
	w.Header().Set(cmdhttp.HeaderETag, cmdhttp.ETag(t.Revision))
	h.Responder.JSON(w, r, http.StatusOK, transferView(t))
	return nil
}

// LevelView is the stock of one product at one location.
type LevelView struct {
	LocationID string            `json:"location_id"`
	ProductID  string            `json:"product_id"`
	OnHand     quantity.Quantity `json:"on_hand"`
	InTransit  quantity.Quantity `json:"in_transit"`
	LowStock   bool              `json:"low_stock"`
	cmdhttp.Written
}

// level answers GET /inventory/stock/{location_id}/{product_id}: the stock of one product at
// one location folded from the write side (strongly consistent), with the revision of its
// stock stream as ETag when the stream exists. The filtered list of levels, GET /inventory, is
// the inventory read model's.
func (h *Handlers) level(w http.ResponseWriter, r *http.Request) error {
	vars := mux.Vars(r)
	var f cmdhttp.Fields
	loc, prod := f.ID("location_id", vars["location_id"]), f.ID("product_id", vars["product_id"])
	if err := f.Err(); err != nil {
		return err
	}
	if err := h.Authorizer.CheckStore(r, loc.String()); err != nil {
		return err
	}
	l, err := h.Inventory.Level(r.Context(), loc, prod)
	if err != nil {
		return err
	}
	if l.Exists {
		w.Header().Set(cmdhttp.HeaderETag, cmdhttp.ETag(l.Revision))
	}
	h.Responder.JSON(w, r, http.StatusOK, LevelView{LocationID: loc.String(), ProductID: prod.String(),
		OnHand: l.OnHand, InTransit: l.InTransit, LowStock: l.LowStock,
		Written: cmdhttp.Written{Revision: l.Revision, Position: l.Position}})
	return nil
}

func (h *Handlers) inStore(r *http.Request, loc uuid.UUID) bool {
	p, ok := authz.PrincipalFrom(r.Context())
	return ok && p.InStore(loc.String())
}
