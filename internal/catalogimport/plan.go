package catalogimport

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/google/uuid"

	"github.com/odata-pos/pos/commands"
	"github.com/odata-pos/pos/domain/catalog"
	"github.com/odata-pos/pos/domain/money"
	"github.com/odata-pos/pos/domain/quantity"
	"github.com/odata-pos/pos/domain/rules"
	"github.com/odata-pos/pos/domain/store"
	"github.com/odata-pos/pos/eventstore"
)

// Actions of a product in a plan.
const (
	ActionCreate    = "create"
	ActionPrice     = "price_change"
	ActionUnchanged = "unchanged"
)

// Stock moves of a product in a plan.
const (
	StockReceive = "receive" // opening stock of a product never stocked here: a receipt at cost
	StockAdjust  = "adjust"  // any other difference: an adjustment with reason correction
)

// ProductPlan is what an import does to one row's product.
type ProductPlan struct {
	Line      int       `json:"line"`
	SKU       string    `json:"sku"`
	ProductID uuid.UUID `json:"product_id"`
	Action    string    `json:"action"`
	// OldPrice is the catalog's price before a price change.
	OldPrice *money.Money `json:"old_price,omitempty"`
	Price    money.Money  `json:"price"`
	// Stock is StockReceive or StockAdjust, with Quantity received or Delta adjusted; empty
	// when the stock on hand already is what the file says (or the file gives none).
	Stock    string             `json:"stock,omitempty"`
	OnHand   *quantity.Quantity `json:"on_hand_before,omitempty"`
	Quantity *quantity.Quantity `json:"quantity,omitempty"`

	create *catalog.CreateProduct
	cost   *money.Money
}

// planner checks rows against the catalog and the store's stock.
type planner struct {
	deps     Deps
	store    store.State
	taxCodes map[string]string // folded code → canonical code, resolved once
	byRate   map[int64][]string
	skus     map[string]int // folded SKU → line
	barcodes map[string]int // barcode → line
	probs    []Problem
}

func (p *planner) bad(r *Row, col Column, format string, args ...any) {
	p.probs = append(p.probs, Problem{Line: r.Line, SKU: r.SKU, Column: string(col), Reason: fmt.Sprintf(format, args...)})
}

// plan decides what one row does, or records its problems.
func (p *planner) plan(ctx context.Context, r *Row) (*ProductPlan, error) {
	before := len(p.probs)
	fold := strings.ToUpper(r.SKU)
	if l, dup := p.skus[fold]; dup {
		p.bad(r, ColSKU, "SKU %s is also on line %d", r.SKU, l)
	}
	p.skus[fold] = r.Line
	for _, b := range r.Barcodes {
		if l, dup := p.barcodes[b]; dup {
			p.bad(r, ColBarcode, "barcode %s is also on line %d", b, l)
		}
		p.barcodes[b] = r.Line
	}
	if r.Price.Currency != p.store.Currency {
		p.bad(r, ColPrice, "is not in the store's currency %s", p.store.Currency)
	}
	taxCode, err := p.taxCode(ctx, r)
	if err != nil {
		return nil, err
	}
	existing, err := p.deps.Catalog.ProductBySKU(ctx, r.SKU)
	switch {
	case err == nil:
	case errorsIsNotFound(err):
		existing.Exists = false
	default:
		return nil, fmt.Errorf("line %d: product %s: %w", r.Line, r.SKU, err)
	}
	pp := &ProductPlan{Line: r.Line, SKU: r.SKU, Price: r.Price, cost: r.Cost}
	if existing.Exists {
		pp.ProductID = existing.State.Created.ProductID
		p.compare(r, existing.State, taxCode, pp)
	} else {
		pp.ProductID = ProductID(r.SKU)
		if taxCode == "" && r.TaxRateBP == nil {
			p.bad(r, ColTax, "is required for a new product (a tax code, or a rate that one tax code has)")
		}
		c := catalog.CreateProduct{ProductID: pp.ProductID, SKU: r.SKU, Barcodes: r.Barcodes, Name: r.Name, Category: r.Category,
			Price: r.Price, Cost: r.Cost, TaxCode: taxCode, TrackStock: r.Stock != nil, SoldByWeight: r.SoldByWeight}
		if _, err := catalog.Decide(catalog.State{}, c, p.deps.Now()); err != nil && len(p.probs) == before {
			p.bad(r, "", "%v", err)
		}
		pp.Action, pp.create = ActionCreate, &c
	}
	for _, b := range r.Barcodes {
		owner, err := commands.Owner(ctx, p.deps.Handler, commands.BarcodeKey(b))
		if err != nil && !errorsIsNotFound(err) {
			return nil, err
		}
		if owner != "" && owner != pp.ProductID.String() {
			p.bad(r, ColBarcode, "barcode %s belongs to another product (%s)", b, owner)
		}
	}
	if err := p.planStock(ctx, r, pp, existing.State); err != nil {
		return nil, err
	}
	if len(p.probs) > before {
		return nil, nil
	}
	return pp, nil
}

// compare checks an existing product against its row: the price may change (a price-changed
// event); any other difference is a problem, since no command changes it.
func (p *planner) compare(r *Row, s catalog.State, taxCode string, pp *ProductPlan) {
	c := s.Created
	differs := func(col Column, what, catalogHas, fileSays string) {
		p.bad(r, col, "the catalog's product %s has %s %q, the file %q: no command changes a product's %s (correct the file, or the product by hand)",
			c.SKU, what, catalogHas, fileSays, what)
	}
	if c.Name != r.Name {
		differs(ColName, "name", c.Name, r.Name)
	}
	if r.Category != "" && c.Category != r.Category {
		differs(ColCategory, "category", c.Category, r.Category)
	}
	if r.Barcodes != nil && !sameSet(c.Barcodes, r.Barcodes) {
		differs(ColBarcode, "barcodes", strings.Join(c.Barcodes, "|"), strings.Join(r.Barcodes, "|"))
	}
	if r.Cost != nil && (c.Cost == nil || *c.Cost != *r.Cost) {
		has := "none"
		if c.Cost != nil {
			has = c.Cost.String()
		}
		differs(ColCost, "cost", has, r.Cost.String())
	}
	if taxCode != "" && !strings.EqualFold(c.TaxCode, taxCode) {
		differs(ColTax, "tax code", c.TaxCode, taxCode)
	}
	if r.UnitGiven && c.SoldByWeight != r.SoldByWeight {
		differs(ColUnit, "unit", unitName(c.SoldByWeight), unitName(r.SoldByWeight))
	}
	if pp.cost == nil {
		pp.cost = c.Cost
	}
	price := s.Price()
	switch {
	case price.Currency != r.Price.Currency:
		p.bad(r, ColPrice, "the catalog's product %s is priced in %s", c.SKU, price.Currency)
	case price.Amount != r.Price.Amount:
		pp.Action, pp.OldPrice = ActionPrice, &price
	default:
		pp.Action = ActionUnchanged
	}
}

func unitName(byWeight bool) string {
	if byWeight {
		return "weight"
	}
	return "each"
}

func sameSet(a, b []string) bool {
	return len(a) == len(b) && !slices.ContainsFunc(a, func(x string) bool { return !slices.Contains(b, x) })
}

// taxCode resolves the row's tax column to a canonical tax code ("" when it gives none).
func (p *planner) taxCode(ctx context.Context, r *Row) (string, error) {
	if r.TaxRateBP != nil {
		if p.byRate == nil {
			list, err := p.deps.TaxCodes(ctx)
			if err != nil {
				return "", fmt.Errorf("tax codes: %w", err)
			}
			p.byRate = map[int64][]string{}
			for _, tc := range list {
				p.byRate[tc.RateBP] = append(p.byRate[tc.RateBP], tc.Code)
			}
		}
		codes := p.byRate[*r.TaxRateBP]
		switch len(codes) {
		case 1:
			return codes[0], nil
		case 0:
			p.bad(r, ColTax, "no tax code has the rate %d.%02d %%: create one first, or give its code", *r.TaxRateBP/100, *r.TaxRateBP%100)
		default:
			p.bad(r, ColTax, "the tax codes %s all have the rate %d.%02d %%: give the code", strings.Join(codes, ", "), *r.TaxRateBP/100, *r.TaxRateBP%100)
		}
		return "", nil
	}
	if r.TaxCode == "" {
		return "", nil
	}
	fold := strings.ToUpper(r.TaxCode)
	if code, ok := p.taxCodes[fold]; ok {
		if code == "" {
			p.bad(r, ColTax, "%s is not a tax code", r.TaxCode)
		}
		return code, nil
	}
	tc, err := p.deps.Catalog.TaxCodeByCode(ctx, r.TaxCode)
	switch {
	case errorsIsNotFound(err):
		p.taxCodes[fold] = ""
		p.bad(r, ColTax, "%s is not a tax code", r.TaxCode)
		return "", nil
	case err != nil:
		return "", err
	}
	p.taxCodes[fold] = tc.State.Code
	return tc.State.Code, nil
}

// planStock compares the stock on hand at the store with the row's.
func (p *planner) planStock(ctx context.Context, r *Row, pp *ProductPlan, s catalog.State) error {
	if r.Stock == nil {
		return nil
	}
	if *r.Stock < 0 && !p.store.Settings.AllowNegativeStock {
		p.bad(r, ColStock, "is negative, and store %s does not allow negative stock", p.store.Code)
		return nil
	}
	st, err := commands.Load(ctx, p.deps.Handler, commands.StockStream(p.store.ID, pp.ProductID), commands.StockAggregate)
	if err != nil {
		return fmt.Errorf("line %d: stock of %s: %w", r.Line, r.SKU, err)
	}
	onHand := st.State.OnHand()
	if onHand == *r.Stock {
		return nil
	}
	q := *r.Stock
	pp.OnHand = &onHand
	if !st.Exists && q > 0 {
		pp.Stock, pp.Quantity = StockReceive, &q
		return nil
	}
	delta, err := q.Sub(onHand)
	if err != nil || !delta.InBounds() {
		p.bad(r, ColStock, "differs from the %s on hand by more than the maximum quantity", onHand)
		return nil //nolint:nilerr // the row is bad (recorded above), the plan goes on
	}
	pp.Stock, pp.Quantity = StockAdjust, &delta
	return nil
}

// ProductID is the ID an import gives the product of a SKU it creates (any case of the SKU
// gives the same), so that a second run finds it again even before the SKU's reservation.
func ProductID(sku string) uuid.UUID {
	return eventstore.DeterministicID("catalog-import", "product", strings.ToUpper(sku))
}

func errorsIsNotFound(err error) bool { return errors.Is(err, rules.ErrNotFound) }
