package sales

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/odata-pos/pos/api/httpx"
	"github.com/odata-pos/pos/commands"
	"github.com/odata-pos/pos/domain/money"
	"github.com/odata-pos/pos/domain/quantity"
	"github.com/odata-pos/pos/domain/sale"
)

// lineRequest is a line in POST /sales and the body of POST /sales/{id}/lines. The quantity is
// a JSON number decoded exactly (json.Number → quantity), never through float64.
type lineRequest struct {
	ID        string           `json:"id"`
	ProductID string           `json:"product_id"`
	Quantity  json.Number      `json:"quantity"`
	UnitPrice *money.Money     `json:"unit_price,omitempty"`
	Discount  *discountRequest `json:"discount,omitempty"`
}

// discountRequest is {percent_bp} or {amount}; line_id targets one line in
// POST /sales/{id}/discounts (absent: the whole sale). Neither removes the discount.
type discountRequest struct {
	LineID    string       `json:"line_id,omitempty"`
	PercentBP int64        `json:"percent_bp,omitempty"`
	Amount    *money.Money `json:"amount,omitempty"`
}

// paymentRequest is a tender in POST /sales and the body of POST /sales/{id}/payments.
type paymentRequest struct {
	ID        string      `json:"id"`
	Tender    string      `json:"tender"`
	Amount    money.Money `json:"amount"`
	Reference string      `json:"reference,omitempty"`
}

// createRequest is the body of POST /sales.
type createRequest struct {
	ID         string           `json:"id"`
	StoreID    string           `json:"store_id"`
	RegisterID string           `json:"register_id"`
	ShiftID    string           `json:"shift_id"`
	Lines      []lineRequest    `json:"lines"`
	Discount   *discountRequest `json:"discount,omitempty"`
	Payments   []paymentRequest `json:"payments,omitempty"`
	Complete   bool             `json:"complete,omitempty"`
	OccurredAt *time.Time       `json:"occurred_at,omitempty"`
}

// voidRequest is the body of POST /sales/{id}/void.
type voidRequest struct {
	Reason string `json:"reason"`
}

// fields collects the syntactic problems of a request (400 validation_failed); the domain's
// rules come later (422).
type fields []httpx.FieldError

func (f *fields) add(field, msg string) {
	*f = append(*f, httpx.FieldError{Field: field, Message: msg})
}

// id parses a required UUID.
func (f *fields) id(field, s string) uuid.UUID {
	if s == "" {
		f.add(field, "is required")
		return uuid.Nil
	}
	u, err := uuid.Parse(s)
	if err != nil {
		f.add(field, "must be a UUID")
	}
	return u
}

// quantity parses a required quantity exactly.
func (f *fields) quantity(field string, n json.Number) quantity.Quantity {
	if n == "" {
		f.add(field, "is required")
		return 0
	}
	q, err := quantity.FromNumber(n)
	if err != nil {
		f.add(field, "must be a number with at most 3 decimals")
	}
	return q
}

func (f fields) err() error {
	if len(f) == 0 {
		return nil
	}
	return httpx.Invalid(f...)
}

func (d *discountRequest) discount() sale.Discount {
	if d == nil {
		return sale.Discount{}
	}
	out := sale.Discount{PercentBP: d.PercentBP}
	if d.Amount != nil {
		out.Amount = *d.Amount
	}
	return out
}

func (l lineRequest) line(f *fields, prefix string) commands.SaleLine {
	return commands.SaleLine{
		LineID:    f.id(prefix+"id", l.ID),
		ProductID: f.id(prefix+"product_id", l.ProductID),
		Quantity:  f.quantity(prefix+"quantity", l.Quantity),
		UnitPrice: l.UnitPrice,
		Discount:  l.Discount.discount(),
	}
}

func (p paymentRequest) payment(f *fields, prefix string) sale.Payment {
	return sale.Payment{ID: f.id(prefix+"id", p.ID), Tender: p.Tender, Amount: p.Amount, Reference: p.Reference}
}

// command turns the body of POST /sales into the command input.
func (r createRequest) command() (commands.CreateSale, error) {
	var f fields
	c := commands.CreateSale{
		SaleID:     f.id("id", r.ID),
		StoreID:    f.id("store_id", r.StoreID),
		RegisterID: f.id("register_id", r.RegisterID),
		ShiftID:    f.id("shift_id", r.ShiftID),
		Complete:   r.Complete,
	}
	if r.OccurredAt != nil {
		c.OccurredAt = r.OccurredAt.UTC()
		if c.OccurredAt.IsZero() {
			f.add("occurred_at", "must be a time")
		}
	}
	for i, l := range r.Lines {
		c.Lines = append(c.Lines, l.line(&f, fmt.Sprintf("lines[%d].", i)))
	}
	if r.Discount != nil {
		if r.Discount.LineID != "" {
			f.add("discount.line_id", "give line discounts on the lines")
		}
		d := r.Discount.discount()
		c.Discount = &d
	}
	for i, p := range r.Payments {
		c.Payments = append(c.Payments, p.payment(&f, fmt.Sprintf("payments[%d].", i)))
	}
	return c, f.err()
}
