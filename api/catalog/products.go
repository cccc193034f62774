package catalog

import (
	"context"
	"net/http"
	"time"

	"github.com/google/uuid"

	"github.com/odata-pos/pos/api/cmdhttp"
	"github.com/odata-pos/pos/api/httpx"
	"github.com/odata-pos/pos/commands"
	"github.com/odata-pos/pos/domain/catalog"
	"github.com/odata-pos/pos/domain/money"
	"github.com/odata-pos/pos/domain/quantity"
)

// ProductView is a product as the API shows it, with its current price.
type ProductView struct {
	ID                string             `json:"id"`
	SKU               string             `json:"sku"`
	Barcodes          []string           `json:"barcodes"`
	Name              string             `json:"name"`
	Category          string             `json:"category"`
	Price             money.Money        `json:"price"`
	Cost              *money.Money       `json:"cost,omitempty"`
	TaxCode           string             `json:"tax_code"`
	TrackStock        bool               `json:"track_stock"`
	LowStockThreshold *quantity.Quantity `json:"low_stock_threshold,omitempty"`
	SoldByWeight      bool               `json:"sold_by_weight"`
	Active            bool               `json:"active"`
	CreatedAt         time.Time          `json:"created_at"`
	cmdhttp.Written
}

func productView(s catalog.State, w cmdhttp.Written) ProductView {
	c := s.Created
	v := ProductView{ID: c.ProductID.String(), SKU: c.SKU, Barcodes: c.Barcodes, Name: c.Name, Category: c.Category,
		Price: s.Price(), Cost: c.Cost, TaxCode: c.TaxCode, TrackStock: c.TrackStock, LowStockThreshold: c.LowStockThreshold,
		SoldByWeight: c.SoldByWeight, Active: s.Active(), CreatedAt: c.CreatedAt.UTC(), Written: w}
	if v.Barcodes == nil {
		v.Barcodes = []string{}
	}
	return v
}

type createProductRequest struct {
	ID                string             `json:"id"`
	SKU               string             `json:"sku"`
	Barcodes          []string           `json:"barcodes"`
	Name              string             `json:"name"`
	Category          string             `json:"category"`
	Price             *money.Money       `json:"price"`
	Cost              *money.Money       `json:"cost"`
	TaxCode           string             `json:"tax_code"`
	TrackStock        bool               `json:"track_stock"`
	LowStockThreshold *quantity.Quantity `json:"low_stock_threshold"`
	SoldByWeight      bool               `json:"sold_by_weight"`
}

func (h *Handlers) createProduct(w http.ResponseWriter, r *http.Request) error {
	var req createProductRequest
	if err := httpx.Decode(r, &req); err != nil {
		return err
	}
	id, err := newID(r, "product", req.ID)
	if err != nil {
		return err
	}
	c := catalog.CreateProduct{ProductID: id, SKU: req.SKU, Barcodes: req.Barcodes, Name: req.Name, Category: req.Category,
		Cost: req.Cost, TaxCode: req.TaxCode, TrackStock: req.TrackStock, LowStockThreshold: req.LowStockThreshold,
		SoldByWeight: req.SoldByWeight}
	if req.Price != nil {
		c.Price = *req.Price
	}
	cmd, err := cmdhttp.Command(r, "product.create:"+id.String(), "", "", time.Time{}, h.Now())
	if err != nil {
		return err
	}
	res, err := h.Catalog.CreateProduct(r.Context(), cmd, c)
	if err != nil {
		return err
	}
	return h.respondProduct(w, r, http.StatusCreated, id, res)
}

func (h *Handlers) getProduct(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "product_not_found")
	if err != nil {
		return err
	}
	l, err := h.Catalog.Product(r.Context(), id)
	if err != nil {
		return notFound(err, "product_not_found", "no such product")
	}
	h.current(w, r, l.Revision, productView(l.State, cmdhttp.Written{Revision: l.Revision, Position: l.Position}))
	return nil
}

func (h *Handlers) changePrice(w http.ResponseWriter, r *http.Request) error {
	var req struct {
		Price       *money.Money `json:"price"`
		EffectiveAt *time.Time   `json:"effective_at"`
	}
	return h.updateProduct(w, r, "product.price", &req, func(ctx context.Context, cmd commands.Context, id uuid.UUID) (commands.Outcome[catalog.State], error) {
		c := catalog.ChangePrice{}
		if req.Price != nil {
			c.Price = *req.Price
		}
		if req.EffectiveAt != nil {
			c.EffectiveAt = req.EffectiveAt.UTC()
		}
		return h.Catalog.ChangePrice(ctx, cmd, id, c)
	})
}

func (h *Handlers) deactivate(w http.ResponseWriter, r *http.Request) error {
	var req struct {
		Reason string `json:"reason"`
	}
	return h.updateProduct(w, r, "product.deactivate", &req, func(ctx context.Context, cmd commands.Context, id uuid.UUID) (commands.Outcome[catalog.State], error) {
		return h.Catalog.Deactivate(ctx, cmd, id, catalog.Deactivate{Reason: req.Reason})
	})
}

func (h *Handlers) reactivate(w http.ResponseWriter, r *http.Request) error {
	var req struct{}
	return h.updateProduct(w, r, "product.reactivate", &req, h.Catalog.Reactivate)
}

// productCommand runs one command on a product.
type productCommand func(ctx context.Context, cmd commands.Context, id uuid.UUID) (commands.Outcome[catalog.State], error)

// updateProduct decodes req (optional: a body-less request keeps it zero) and runs the command
// on the product of the path.
func (h *Handlers) updateProduct(w http.ResponseWriter, r *http.Request, op string, req any, run productCommand) error {
	id, err := pathID(r, "id", "product_not_found")
	if err != nil {
		return err
	}
	if err := decodeOptional(r, req); err != nil {
		return err
	}
	cmd, err := cmdhttp.Command(r, cmdhttp.CommandID(r, op, id.String()), "", "", time.Time{}, h.Now())
	if err != nil {
		return err
	}
	res, err := run(r.Context(), cmd, id)
	if err != nil {
		return notFound(err, "product_not_found", "no such product")
	}
	return h.respondProduct(w, r, http.StatusOK, id, res)
}

// respondProduct renders the product as the command left it.
func (h *Handlers) respondProduct(w http.ResponseWriter, r *http.Request, status int, id uuid.UUID, res commands.Outcome[catalog.State]) error {
	h.written(w, r, status, "/api/v1/products/"+id.String(), res.Result, productView(res.State.State, cmdhttp.WrittenOf(res.Result)))
	return nil
}
