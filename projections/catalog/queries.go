package catalog

import (
	"context"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/odata-pos/pos/domain/money"
	"github.com/odata-pos/pos/domain/quantity"
	"github.com/odata-pos/pos/projections"
	"github.com/odata-pos/pos/projections/readkit"
)

// Queries answers list queries from the catalog's stable views.
type Queries struct {
	db readkit.Querier
}

// NewQueries returns Queries reading through db.
func NewQueries(db readkit.Querier) *Queries { return &Queries{db: db} }

func view(table string) string { return projections.Table(Name, table) }

// Store is a store as listed.
type Store struct {
	ID                 uuid.UUID `json:"id"`
	Code               string    `json:"code"`
	Name               string    `json:"name"`
	Currency           string    `json:"currency"`
	Timezone           string    `json:"timezone"`
	PricesIncludeTax   bool      `json:"prices_include_tax"`
	Rounding           string    `json:"rounding"`
	AllowNegativeStock bool      `json:"allow_negative_stock"`
	CreatedAt          time.Time `json:"created_at"`
}

// StoreFilter selects stores. StoreIDs, when not nil, is the caller's store scope.
type StoreFilter struct {
	StoreIDs []uuid.UUID
	Code     string
	Q        string
}

// Stores lists stores; sorts: code (default), name, created_at.
func (q *Queries) Stores(ctx context.Context, f StoreFilter, req readkit.Request) (readkit.Page[Store], error) {
	l := &readkit.List[Store]{
		Select:   `SELECT id, code, name, currency, timezone, prices_include_tax, rounding, allow_negative_stock, created_at FROM ` + view("stores"),
		IDColumn: "id", IDType: "uuid", ID: func(s Store) string { return s.ID.String() },
		Sorts: []readkit.Sort[Store]{
			{Name: "code", Column: "code", Type: "text", Key: func(s Store) string { return s.Code }},
			{Name: "name", Column: "name", Type: "text", Key: func(s Store) string { return s.Name }},
			{Name: "created_at", Column: "created_at", Type: "timestamptz", Key: func(s Store) string { return readkit.TimeKey(s.CreatedAt) }},
		},
		Default: "code",
		Scan: func(r pgx.CollectableRow) (s Store, err error) {
			err = r.Scan(&s.ID, &s.Code, &s.Name, &s.Currency, &s.Timezone, &s.PricesIncludeTax, &s.Rounding, &s.AllowNegativeStock, &s.CreatedAt)
			return s, err
		},
	}
	if f.StoreIDs != nil {
		l.Where("id = ANY(" + l.Arg(f.StoreIDs) + ")")
	}
	if f.Code != "" {
		l.Where("code = " + l.Arg(f.Code))
	}
	if f.Q != "" {
		p := l.Arg(contains(f.Q))
		l.Where("(name ILIKE " + p + " OR code ILIKE " + p + ")")
	}
	return l.Run(ctx, q.db, req)
}

// Register is a register as listed; OpenShiftID is its open shift, if any.
type Register struct {
	ID          uuid.UUID  `json:"id"`
	StoreID     uuid.UUID  `json:"store_id"`
	Code        string     `json:"code"`
	Name        string     `json:"name"`
	OpenShiftID *uuid.UUID `json:"open_shift_id,omitempty"`
	LastZNumber *int64     `json:"last_z_number,omitempty"`
	CreatedAt   time.Time  `json:"created_at"`
}

// Registers lists the registers of a store; sorts: code (default), name, created_at.
func (q *Queries) Registers(ctx context.Context, storeID uuid.UUID, req readkit.Request) (readkit.Page[Register], error) {
	l := &readkit.List[Register]{
		Select:   `SELECT id, store_id, code, name, open_shift_id, last_z_number, created_at FROM ` + view("registers"),
		IDColumn: "id", IDType: "uuid", ID: func(r Register) string { return r.ID.String() },
		Sorts: []readkit.Sort[Register]{
			{Name: "code", Column: "code", Type: "text", Key: func(r Register) string { return r.Code }},
			{Name: "name", Column: "name", Type: "text", Key: func(r Register) string { return r.Name }},
			{Name: "created_at", Column: "created_at", Type: "timestamptz", Key: func(r Register) string { return readkit.TimeKey(r.CreatedAt) }},
		},
		Default: "code",
		Scan: func(row pgx.CollectableRow) (r Register, err error) {
			err = row.Scan(&r.ID, &r.StoreID, &r.Code, &r.Name, &r.OpenShiftID, &r.LastZNumber, &r.CreatedAt)
			return r, err
		},
	}
	l.Where("store_id = " + l.Arg(storeID))
	return l.Run(ctx, q.db, req)
}

// TaxCode is a tax code as listed; RateBP is its current rate in basis points.
type TaxCode struct {
	ID          uuid.UUID `json:"id"`
	Code        string    `json:"code"`
	Name        string    `json:"name"`
	RateBP      int64     `json:"rate_bp"`
	EffectiveAt time.Time `json:"effective_at"`
	CreatedAt   time.Time `json:"created_at"`
}

// TaxCodes lists tax codes; sorts: code (default), name, rate_bp.
func (q *Queries) TaxCodes(ctx context.Context, req readkit.Request) (readkit.Page[TaxCode], error) {
	l := &readkit.List[TaxCode]{
		Select:   `SELECT id, code, name, rate_bp, effective_at, created_at FROM ` + view("tax_codes"),
		IDColumn: "id", IDType: "uuid", ID: func(t TaxCode) string { return t.ID.String() },
		Sorts: []readkit.Sort[TaxCode]{
			{Name: "code", Column: "code", Type: "text", Key: func(t TaxCode) string { return t.Code }},
			{Name: "name", Column: "name", Type: "text", Key: func(t TaxCode) string { return t.Name }},
			{Name: "rate_bp", Column: "rate_bp", Type: "bigint", Key: func(t TaxCode) string { return readkit.IntKey(t.RateBP) }},
		},
		Default: "code",
		Scan: func(r pgx.CollectableRow) (t TaxCode, err error) {
			err = r.Scan(&t.ID, &t.Code, &t.Name, &t.RateBP, &t.EffectiveAt, &t.CreatedAt)
			return t, err
		},
	}
	return l.Run(ctx, q.db, req)
}

// Product is a product as listed.
type Product struct {
	ID                uuid.UUID          `json:"id"`
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
	UpdatedAt         time.Time          `json:"updated_at"`
}

// ProductFilter selects products. Q searches names by trigram word similarity (typos are
// tolerated) and by substring, SKUs by substring and barcodes exactly.
type ProductFilter struct {
	Q        string
	Category string
	Active   *bool
	SKU      string
	Barcode  string
}

// Products lists products; sorts: name (default), sku, price, created_at.
func (q *Queries) Products(ctx context.Context, f ProductFilter, req readkit.Request) (readkit.Page[Product], error) {
	l := &readkit.List[Product]{
		Select: `SELECT id, sku, barcodes, name, category, price, cost, currency, tax_code, track_stock, low_stock_threshold,
			sold_by_weight, active, created_at, updated_at FROM ` + view("products"),
		IDColumn: "id", IDType: "uuid", ID: func(p Product) string { return p.ID.String() },
		Sorts: []readkit.Sort[Product]{
			{Name: "name", Column: "name", Type: "text", Key: func(p Product) string { return p.Name }},
			{Name: "sku", Column: "sku", Type: "text", Key: func(p Product) string { return p.SKU }},
			{Name: "price", Column: "price", Type: "bigint", Key: func(p Product) string { return readkit.IntKey(p.Price.Amount) }},
			{Name: "created_at", Column: "created_at", Type: "timestamptz", Key: func(p Product) string { return readkit.TimeKey(p.CreatedAt) }},
		},
		Default: "name",
		Scan:    scanProduct,
	}
	if f.Q != "" {
		lq, sub := l.Arg(strings.ToLower(f.Q)), l.Arg(contains(f.Q))
		l.Where("(" + lq + " <% lower(name) OR lower(name) LIKE lower(" + sub + ") OR lower(sku) LIKE lower(" + sub + ") OR " +
			l.Arg(f.Q) + " = ANY(barcodes))")
	}
	if f.Category != "" {
		l.Where("category = " + l.Arg(f.Category))
	}
	if f.Active != nil {
		l.Where("active = " + l.Arg(*f.Active))
	}
	if f.SKU != "" {
		l.Where("sku = " + l.Arg(f.SKU))
	}
	if f.Barcode != "" {
		l.Where("barcodes @> ARRAY[" + l.Arg(f.Barcode) + "::text]")
	}
	return l.Run(ctx, q.db, req)
}

func scanProduct(r pgx.CollectableRow) (Product, error) {
	var p Product
	var cost, threshold *int64
	var currency string
	err := r.Scan(&p.ID, &p.SKU, &p.Barcodes, &p.Name, &p.Category, &p.Price.Amount, &cost, &currency, &p.TaxCode,
		&p.TrackStock, &threshold, &p.SoldByWeight, &p.Active, &p.CreatedAt, &p.UpdatedAt)
	p.Price.Currency = currency
	if cost != nil {
		p.Cost = &money.Money{Amount: *cost, Currency: currency}
	}
	if threshold != nil {
		t := quantity.FromMilli(*threshold)
		p.LowStockThreshold = &t
	}
	if p.Barcodes == nil {
		p.Barcodes = []string{}
	}
	return p, err
}

// contains returns a LIKE pattern matching s anywhere, with LIKE's wildcards in s escaped.
func contains(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return "%" + r.Replace(s) + "%"
}
