package catalog

import (
	"fmt"
	"reflect"
	"slices"
	"time"

	"github.com/google/uuid"

	"github.com/odata-pos/pos/domain/money"
	"github.com/odata-pos/pos/domain/quantity"
	"github.com/odata-pos/pos/domain/rules"
)

// ErrProductInactive: the product is deactivated.
var ErrProductInactive = &rules.RuleError{Code: "product_inactive", Msg: "product is deactivated", Conflict: true}

// Command is a product command.
type Command interface{ isCommand() }

// CreateProduct adds a product to the catalog.
type CreateProduct struct {
	ProductID         uuid.UUID
	SKU               string
	Barcodes          []string
	Name              string
	Category          string
	Price             money.Money
	Cost              *money.Money
	TaxCode           string
	TrackStock        bool
	LowStockThreshold *quantity.Quantity
	SoldByWeight      bool
}

// ChangePrice sets a new price from EffectiveAt (zero: now) on.
type ChangePrice struct {
	Price       money.Money
	EffectiveAt time.Time
}

// Deactivate stops the product from being sold.
type Deactivate struct{ Reason string }

// Reactivate lets a deactivated product be sold again.
type Reactivate struct{}

func (CreateProduct) isCommand() {}
func (ChangePrice) isCommand()   {}
func (Deactivate) isCommand()    {}
func (Reactivate) isCommand()    {}

// PricePeriod is a price in force from From on.
type PricePeriod struct {
	From  time.Time
	Price money.Money
}

// ActivityChange is a deactivation (Active false) or reactivation at At.
type ActivityChange struct {
	At     time.Time
	Active bool
}

// State is a product as decided upon.
type State struct {
	Created ProductCreated
	Prices  []PricePeriod    // ascending by From
	History []ActivityChange // ascending by At
}

// Exists reports whether the product was created.
func (s State) Exists() bool { return s.Created.ProductID != uuid.Nil }

// Active reports whether the product can be sold now.
func (s State) Active() bool { return len(s.History) == 0 || s.History[len(s.History)-1].Active }

// ActiveAt reports whether the product could be sold at t.
func (s State) ActiveAt(t time.Time) bool {
	active := true
	for _, h := range s.History {
		if !h.At.After(t) {
			active = h.Active
		}
	}
	return active
}

// Price returns the current price.
func (s State) Price() money.Money { return s.Prices[len(s.Prices)-1].Price }

// PriceAt returns the price in force at t (the first price when t precedes every change).
func (s State) PriceAt(t time.Time) money.Money {
	p := s.Prices[0].Price
	for _, pp := range s.Prices {
		if !pp.From.After(t) {
			p = pp.Price
		}
	}
	return p
}

// MaxBarcodes bounds the barcodes of one product.
const MaxBarcodes = 32

func validate(c CreateProduct) error {
	var v rules.Validator
	v.Text("sku", c.SKU, rules.MaxCode)
	v.Text("name", c.Name, rules.MaxName)
	v.Text("category", c.Category, rules.MaxName)
	v.Text("tax_code", c.TaxCode, rules.MaxCode)
	v.Check(len(c.Barcodes) <= MaxBarcodes, "barcodes", fmt.Sprintf("must hold at most %d barcodes", MaxBarcodes))
	for i, b := range c.Barcodes {
		f := fmt.Sprintf("barcodes[%d]", i)
		if v.Text(f, b, rules.MaxCode) {
			v.Check(b != "", f, "must not be empty")
			v.Check(!slices.Contains(c.Barcodes[:i], b), f, "is listed twice")
		}
	}
	v.Check(c.Price != money.Money{}, "price", "is required")
	v.Check(c.ProductID != uuid.Nil, "id", "is required")
	v.Check(c.SKU != "", "sku", "is required")
	v.Check(c.Name != "", "name", "is required")
	v.Check(c.TaxCode != "", "tax_code", "is required")
	v.Check(c.Price.Validate() == nil, "price.currency", "must be an ISO 4217 code")
	v.Check(c.Price.Amount >= 0, "price.amount", "must not be negative")
	v.Amount("price.amount", c.Price)
	if c.Cost != nil {
		v.Check(c.Cost.Currency == c.Price.Currency, "cost.currency", "must be the price's currency")
		v.Check(c.Cost.Amount >= 0, "cost.amount", "must not be negative")
		v.Amount("cost.amount", *c.Cost)
	}
	if c.LowStockThreshold != nil {
		v.Check(*c.LowStockThreshold >= 0, "low_stock_threshold", "must not be negative")
		v.Quantity("low_stock_threshold", *c.LowStockThreshold)
	}
	return v.Err()
}

// Decide handles product commands.
func Decide(s State, c Command, now time.Time) ([]Event, error) {
	if _, ok := c.(CreateProduct); !ok && !s.Exists() {
		return nil, rules.ErrNotFound
	}
	switch c := c.(type) {
	case CreateProduct:
		if err := validate(c); err != nil {
			return nil, err
		}
		e := ProductCreated{ProductID: c.ProductID, SKU: c.SKU, Barcodes: slices.Clone(c.Barcodes), Name: c.Name,
			Category: c.Category, Price: c.Price, Cost: c.Cost, TaxCode: c.TaxCode, TrackStock: c.TrackStock,
			LowStockThreshold: c.LowStockThreshold, SoldByWeight: c.SoldByWeight, CreatedAt: now}
		if e.Barcodes == nil {
			e.Barcodes = []string{}
		}
		if s.Exists() {
			old := s.Created
			old.CreatedAt = now
			if reflect.DeepEqual(old, e) {
				return nil, nil
			}
			return nil, rules.ErrAlreadyExists
		}
		return []Event{e}, nil
	case ChangePrice:
		if c.Price == (money.Money{}) {
			return nil, &rules.ValidationError{Fields: []rules.FieldError{{Field: "price", Message: "is required"}}}
		}
		cur := s.Price()
		var v rules.Validator
		v.Check(c.Price.Currency == cur.Currency, "price.currency", "must be "+cur.Currency)
		v.Check(c.Price.Amount >= 0, "price.amount", "must not be negative")
		v.Amount("price.amount", c.Price)
		at := c.EffectiveAt
		if at.IsZero() {
			at = now
		}
		v.Check(!at.Before(s.Prices[len(s.Prices)-1].From), "effective_at", "must not precede the last change")
		if err := v.Err(); err != nil {
			return nil, err
		}
		if c.Price == cur {
			return nil, nil
		}
		return []Event{ProductPriceChanged{ProductID: s.Created.ProductID, OldPrice: cur, Price: c.Price, EffectiveAt: at}}, nil
	case Deactivate:
		var v rules.Validator
		if !v.Text("reason", c.Reason, rules.MaxReason) {
			return nil, v.Err()
		}
		if !s.Active() {
			return nil, nil
		}
		return []Event{ProductDeactivated{ProductID: s.Created.ProductID, Reason: c.Reason, At: now}}, nil
	case Reactivate:
		if s.Active() {
			return nil, nil
		}
		return []Event{ProductReactivated{ProductID: s.Created.ProductID, At: now}}, nil
	}
	return nil, rules.ErrUnknownCommand
}

// Evolve applies e to s.
func Evolve(s State, e Event) State {
	switch e := e.(type) {
	case ProductCreated:
		s = State{Created: e, Prices: []PricePeriod{{e.CreatedAt, e.Price}}}
	case ProductPriceChanged:
		s.Prices = append(slices.Clip(s.Prices), PricePeriod{e.EffectiveAt, e.Price})
	case ProductDeactivated:
		s.History = append(slices.Clip(s.History), ActivityChange{e.At, false})
	case ProductReactivated:
		s.History = append(slices.Clip(s.History), ActivityChange{e.At, true})
	}
	return s
}
