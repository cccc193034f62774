package catalogimport

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/odata-pos/pos/commands"
	"github.com/odata-pos/pos/domain/catalog"
	"github.com/odata-pos/pos/domain/stock"
	"github.com/odata-pos/pos/eventstore"
)

// TaxCode is a tax code of the catalog with its current rate.
type TaxCode struct {
	Code   string
	RateBP int64
}

// Deps are what an import works with.
type Deps struct {
	Handler   *commands.Handler
	Catalog   *commands.Catalog
	Inventory *commands.Inventory
	Stores    *commands.Stores
	// TaxCodes lists the catalog's tax codes, to resolve a rate given instead of a code.
	TaxCodes func(ctx context.Context) ([]TaxCode, error)
	Now      func() time.Time
	// UserID is recorded as the user of every command (the operator).
	UserID string
}

// Validate reports every missing dependency at once.
func (d Deps) Validate() error {
	var errs []error
	for name, missing := range map[string]bool{"Handler": d.Handler == nil, "Catalog": d.Catalog == nil, "Inventory": d.Inventory == nil,
		"Stores": d.Stores == nil, "TaxCodes": d.TaxCodes == nil, "Now": d.Now == nil} {
		if missing {
			errs = append(errs, fmt.Errorf("catalogimport: %s is required", name))
		}
	}
	return errors.Join(errs...)
}

// Options say what to import and where.
type Options struct {
	// StoreCode is the store whose currency prices are in and whose stock is set.
	StoreCode string
	// Name is the file's name, for the report and the events' metadata.
	Name string
	// DryRun checks and plans everything and writes nothing.
	DryRun bool
}

// Report is what an import read, found wrong, planned and wrote.
type Report struct {
	File    string            `json:"file"`
	Store   string            `json:"store"`
	DryRun  bool              `json:"dry_run"`
	Written bool              `json:"written"`
	Columns map[Column]string `json:"columns"`
	Ignored []string          `json:"ignored_columns,omitempty"`
	Rows    int               `json:"rows_read"`
	// Counts of the products by action and of the stock moves.
	Created       int           `json:"created"`
	PriceChanged  int           `json:"price_changed"`
	Unchanged     int           `json:"unchanged"`
	StockReceived int           `json:"stock_received"`
	StockAdjusted int           `json:"stock_adjusted"`
	Problems      []Problem     `json:"problems"`
	Products      []ProductPlan `json:"products"`
}

// ErrStoreNotFound: no store has the code given.
var ErrStoreNotFound = errors.New("no store has this code")

// Import reads a catalog file, checks every row against the catalog and the store's stock, and
// when no row is bad (and not DryRun) writes it: new products (catalog.CreateProduct, SKU and
// barcodes reserved), price changes (catalog.ChangePrice), opening stock of products never
// stocked at the store as one receipt at cost, and every other difference of the stock on hand
// as one adjustment (reason correction). Every command ID derives from what it writes, so a
// second run of the same file writes nothing and an interrupted run completes when run again.
// A file with problems writes nothing: the report lists every bad row.
func Import(ctx context.Context, deps Deps, r io.Reader, opts Options) (Report, error) {
	if err := deps.Validate(); err != nil {
		return Report{}, err
	}
	rep := Report{File: opts.Name, Store: opts.StoreCode, DryRun: opts.DryRun, Problems: []Problem{}, Products: []ProductPlan{}}
	owner, err := commands.Owner(ctx, deps.Handler, commands.StoreCodeKey(opts.StoreCode))
	if err != nil && !errorsIsNotFound(err) {
		return rep, err
	}
	storeID, perr := uuid.Parse(owner)
	if owner == "" || perr != nil {
		return rep, fmt.Errorf("store %q: %w", opts.StoreCode, ErrStoreNotFound)
	}
	st, err := deps.Stores.Get(ctx, storeID)
	if err != nil {
		return rep, fmt.Errorf("store %q: %w", opts.StoreCode, err)
	}
	f, probs, err := Parse(r, st.State.Currency)
	if err != nil {
		return rep, err
	}
	rep.Columns, rep.Ignored, rep.Rows, rep.Problems = f.Columns, f.Ignored, f.Read, append(rep.Problems, probs...)
	pl := &planner{deps: deps, store: st.State, taxCodes: map[string]string{}, skus: map[string]int{}, barcodes: map[string]int{}}
	for i := range f.Rows {
		pp, err := pl.plan(ctx, &f.Rows[i])
		if err != nil {
			return rep, err
		}
		if pp != nil {
			rep.Products = append(rep.Products, *pp)
		}
	}
	rep.Problems = append(rep.Problems, pl.probs...)
	slices.SortStableFunc(rep.Problems, func(a, b Problem) int { return a.Line - b.Line })
	for _, pp := range rep.Products {
		rep.count(pp)
	}
	if len(rep.Problems) > 0 || opts.DryRun {
		return rep, nil
	}
	if err := apply(ctx, deps, st.State.ID, opts, rep.Products); err != nil {
		return rep, err
	}
	rep.Written = true
	return rep, nil
}

func (rep *Report) count(pp ProductPlan) {
	switch pp.Action {
	case ActionCreate:
		rep.Created++
	case ActionPrice:
		rep.PriceChanged++
	default:
		rep.Unchanged++
	}
	switch pp.Stock {
	case StockReceive:
		rep.StockReceived++
	case StockAdjust:
		rep.StockAdjusted++
	}
}

// apply writes a checked plan: products first, then the stock documents.
func apply(ctx context.Context, deps Deps, storeID uuid.UUID, opts Options, plans []ProductPlan) error {
	cmd := func(id string) commands.Context {
		return commands.Context{ID: id, CorrelationID: id, UserID: deps.UserID, StoreID: storeID.String(),
			Extra: map[string]string{"import": "products", "file": opts.Name}}
	}
	var receipts []commands.ReceiptLine
	var adjustments []commands.AdjustmentLine
	for _, pp := range plans {
		switch pp.Action {
		case ActionCreate:
			if _, err := deps.Catalog.CreateProduct(ctx, cmd("catalog-import:create:"+pp.ProductID.String()), *pp.create); err != nil {
				return fmt.Errorf("line %d: create %s: %w", pp.Line, pp.SKU, err)
			}
		case ActionPrice:
			id := fmt.Sprintf("catalog-import:price:%s:%d:%d", pp.ProductID, pp.OldPrice.Amount, pp.Price.Amount)
			if _, err := deps.Catalog.ChangePrice(ctx, cmd(id), pp.ProductID, catalog.ChangePrice{Price: pp.Price}); err != nil {
				return fmt.Errorf("line %d: price of %s: %w", pp.Line, pp.SKU, err)
			}
		}
		switch pp.Stock {
		case StockReceive:
			receipts = append(receipts, commands.ReceiptLine{ProductID: pp.ProductID, Quantity: *pp.Quantity, UnitCost: pp.cost})
		case StockAdjust:
			adjustments = append(adjustments, commands.AdjustmentLine{ProductID: pp.ProductID, Delta: *pp.Quantity, Reason: stock.ReasonCorrection})
		}
	}
	if len(receipts) > 0 {
		parts := []string{"receipt", storeID.String()}
		for _, l := range receipts {
			parts = append(parts, l.ProductID.String(), l.Quantity.String())
		}
		doc := documentID(parts)
		if _, err := deps.Inventory.Receive(ctx, cmd("catalog-import:receipt:"+doc.String()), doc, storeID, receipts); err != nil {
			return fmt.Errorf("opening stock receipt: %w", err)
		}
	}
	if len(adjustments) > 0 {
		parts := []string{"adjustment", storeID.String()}
		for _, l := range adjustments {
			parts = append(parts, l.ProductID.String(), l.Delta.String())
		}
		doc := documentID(parts)
		if _, err := deps.Inventory.Adjust(ctx, cmd("catalog-import:adjustment:"+doc.String()), doc, storeID, adjustments); err != nil {
			return fmt.Errorf("stock adjustment: %w", err)
		}
	}
	return nil
}

// documentID derives a stock document's ID from its lines: the same changes give the same
// document, which the inventory handlers write once.
func documentID(parts []string) uuid.UUID {
	return eventstore.DeterministicID(append([]string{"catalog-import"}, strings.Join(parts, ","))...)
}
