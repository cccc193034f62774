package sales

import (
	"time"

	"github.com/google/uuid"

	"github.com/odata-pos/pos/api/cmdhttp"
	"github.com/odata-pos/pos/commands"
	"github.com/odata-pos/pos/domain/money"
	"github.com/odata-pos/pos/domain/quantity"
	"github.com/odata-pos/pos/domain/sale"
)

// LineView is a sale line as the API shows it: the DESIGN contract's id, product_id,
// quantity, unit_price, discount, tax and total, and what the receipt prints besides.
type LineView struct {
	ID           uuid.UUID         `json:"id"`
	ProductID    uuid.UUID         `json:"product_id"`
	SKU          string            `json:"sku"`
	Name         string            `json:"name"`
	Quantity     quantity.Quantity `json:"quantity"`
	UnitPrice    money.Money       `json:"unit_price"`
	ListPrice    money.Money       `json:"list_price"`
	TaxCode      string            `json:"tax_code"`
	TaxRateBP    int64             `json:"tax_rate_bp"`
	DiscountRule *sale.Discount    `json:"discount_rule,omitempty"`
	Discount     money.Money       `json:"discount"`
	Tax          money.Money       `json:"tax"`
	Total        money.Money       `json:"total"`
}

// TotalsView are the sale's sums: total = subtotal − discount + exclusive tax; paid − change =
// total once complete; due is what is still to pay.
type TotalsView struct {
	Subtotal money.Money `json:"subtotal"`
	Discount money.Money `json:"discount"`
	Tax      money.Money `json:"tax"`
	Total    money.Money `json:"total"`
	Paid     money.Money `json:"paid"`
	Change   money.Money `json:"change"`
	Due      money.Money `json:"due"`
}

// View is a sale as the API shows it, folded from its stream.
type View struct {
	ID            uuid.UUID      `json:"id"`
	Status        sale.Status    `json:"status"`
	StoreID       uuid.UUID      `json:"store_id"`
	RegisterID    uuid.UUID      `json:"register_id"`
	ShiftID       uuid.UUID      `json:"shift_id"`
	CashierID     string         `json:"cashier_id"`
	ReceiptNumber int64          `json:"receipt_number,omitempty"`
	OpenedAt      time.Time      `json:"opened_at"`
	CompletedAt   *time.Time     `json:"completed_at,omitempty"`
	Upload        bool           `json:"upload,omitempty"`
	Flags         []string       `json:"flags"`
	Lines         []LineView     `json:"lines"`
	Discount      *sale.Discount `json:"discount,omitempty"`
	Payments      []sale.Payment `json:"payments"`
	Totals        TotalsView     `json:"totals"`
	VoidReason    string         `json:"void_reason,omitempty"`
	cmdhttp.Written
}

// viewOf renders a loaded sale.
func viewOf(l commands.Loaded[sale.State]) (View, error) {
	s := l.State
	t, priced, err := s.Priced()
	if err != nil {
		return View{}, err
	}
	v := View{ID: s.ID, Status: s.Status, StoreID: s.StoreID, RegisterID: s.RegisterID, ShiftID: s.ShiftID,
		CashierID: s.CashierID, ReceiptNumber: s.ReceiptNumber, OpenedAt: s.OpenedAt, Upload: s.Upload,
		Flags: nonNil(s.Flags), Lines: make([]LineView, len(priced)), Payments: nonNil(s.Payments),
		Totals:     TotalsView{Subtotal: t.Subtotal, Discount: t.Discount, Tax: t.Tax, Total: t.Total, Paid: t.Paid, Change: t.Change, Due: t.Due},
		VoidReason: s.VoidReason, Written: cmdhttp.Written{Revision: l.Revision, Position: l.Position}}
	if !s.CompletedAt.IsZero() {
		at := s.CompletedAt
		v.CompletedAt = &at
	}
	if !s.Discount.IsZero() {
		d := s.Discount
		v.Discount = &d
	}
	for i, p := range priced {
		lv := LineView{ID: p.ID, ProductID: p.ProductID, SKU: p.SKU, Name: p.Name, Quantity: p.Quantity, UnitPrice: p.UnitPrice,
			ListPrice: p.ListPrice, TaxCode: p.TaxCode, TaxRateBP: p.TaxRateBP, Discount: p.Discount, Tax: p.Tax, Total: p.Total}
		if !p.DiscountRule.IsZero() {
			d := p.DiscountRule
			lv.DiscountRule = &d
		}
		v.Lines[i] = lv
	}
	return v, nil
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
