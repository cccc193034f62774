package catalog

import (
	"net/http"
	"time"

	"github.com/google/uuid"

	"github.com/odata-pos/pos/api/cmdhttp"
	"github.com/odata-pos/pos/api/httpx"
	"github.com/odata-pos/pos/commands"
	"github.com/odata-pos/pos/domain/rules"
	"github.com/odata-pos/pos/domain/taxcode"
)

// TaxCodeView is a tax code as the API shows it: its current rate and the history of rates.
type TaxCodeView struct {
	ID     string     `json:"id"`
	Code   string     `json:"code"`
	Name   string     `json:"name"`
	RateBP int64      `json:"rate_bp"`
	Rates  []RateView `json:"rates"`
	cmdhttp.Written
}

// RateView is a rate in force from From on.
type RateView struct {
	From   time.Time `json:"from"`
	RateBP int64     `json:"rate_bp"`
}

func taxCodeView(s taxcode.State, w cmdhttp.Written) TaxCodeView {
	v := TaxCodeView{ID: s.ID.String(), Code: s.Code, Name: s.Name, RateBP: s.RateBP(), Rates: []RateView{}, Written: w}
	for _, p := range s.Rates {
		v.Rates = append(v.Rates, RateView{From: p.From.UTC(), RateBP: p.RateBP})
	}
	return v
}

func (h *Handlers) createTaxCode(w http.ResponseWriter, r *http.Request) error {
	var req struct {
		ID     string `json:"id"`
		Code   string `json:"code"`
		Name   string `json:"name"`
		RateBP *int64 `json:"rate_bp"`
	}
	if err := httpx.Decode(r, &req); err != nil {
		return err
	}
	id, err := newID(r, "taxcode", req.ID)
	if err != nil {
		return err
	}
	// rate_bp has no zero value to stand for "absent" (0 is a rate): the request's shape.
	if req.RateBP == nil {
		return rateRequired
	}
	c := taxcode.CreateTaxCode{TaxCodeID: id, Code: req.Code, Name: req.Name, RateBP: *req.RateBP}
	cmd, err := cmdhttp.Command(r, "taxcode.create:"+id.String(), "", "", time.Time{}, h.Now())
	if err != nil {
		return err
	}
	res, err := h.Catalog.CreateTaxCode(r.Context(), cmd, c)
	if err != nil {
		return err
	}
	return h.respondTaxCode(w, r, http.StatusCreated, id, res)
}

func (h *Handlers) getTaxCode(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "tax_code_not_found")
	if err != nil {
		return err
	}
	l, err := h.Catalog.TaxCode(r.Context(), id)
	if err != nil {
		return notFound(err, "tax_code_not_found", "no such tax code")
	}
	h.current(w, r, l.Revision, taxCodeView(l.State, cmdhttp.Written{Revision: l.Revision, Position: l.Position}))
	return nil
}

func (h *Handlers) changeRate(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "tax_code_not_found")
	if err != nil {
		return err
	}
	var req struct {
		RateBP      *int64     `json:"rate_bp"`
		EffectiveAt *time.Time `json:"effective_at"`
	}
	if err := httpx.Decode(r, &req); err != nil {
		return err
	}
	if req.RateBP == nil {
		return rateRequired
	}
	change := taxcode.ChangeRate{RateBP: *req.RateBP}
	if req.EffectiveAt != nil {
		change.EffectiveAt = req.EffectiveAt.UTC()
	}
	now := h.Now()
	cmd, err := cmdhttp.Command(r, cmdhttp.CommandID(r, "taxcode.rate", id.String()), "", "", time.Time{}, now)
	if err != nil {
		return err
	}
	res, err := h.Catalog.ChangeTaxRate(r.Context(), cmd, id, change)
	if err != nil {
		return notFound(err, "tax_code_not_found", "no such tax code")
	}
	return h.respondTaxCode(w, r, http.StatusOK, id, res)
}

// rateRequired answers a tax code request without its rate.
var rateRequired = &rules.ValidationError{Fields: []rules.FieldError{{Field: "rate_bp", Message: "is required"}}}

// respondTaxCode renders the tax code as the command left it.
func (h *Handlers) respondTaxCode(w http.ResponseWriter, r *http.Request, status int, id uuid.UUID, res commands.Outcome[taxcode.State]) error {
	h.written(w, r, status, "/api/v1/tax-codes/"+id.String(), res.Result, taxCodeView(res.State.State, cmdhttp.WrittenOf(res.Result)))
	return nil
}
