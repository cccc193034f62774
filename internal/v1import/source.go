package v1import

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"io"
	"net/url"
	"os"

	_ "modernc.org/sqlite" // the pure-Go SQLite driver ("sqlite")
)

// Source is the content of a v1 file, read into memory (a v1 file of years of sales holds a
// few hundred MB at most; reading it once keeps the import's order free of SQLite's).
type Source struct {
	// Identity is the SHA-256 of the file's bytes: the root of every event ID.
	Identity   string
	Settings   map[string]string
	Users      []User
	Categories []Category
	Products   []Product
	Sales      []Sale
	Items      []Item
	Payments   []Payment
	Movements  []Movement
}

// User is a row of v1 users.
type User struct {
	ID                        int64
	Username, Email, FullName string
	Hash, Role                string
	Active                    bool
	CreatedAt                 string
}

// Category is a row of v1 categories.
type Category struct {
	ID   int64
	Name string
}

// Product is a row of v1 products.
type Product struct {
	ID                 int64
	SKU, Barcode, Name string
	CategoryID         sql.NullInt64
	Price              float64
	Cost               sql.NullFloat64
	TaxRate            float64
	Stock, MinStock    int64
	Unit               string
	Active             bool
	CreatedAt          string
}

// Sale is a row of v1 sales.
type Sale struct {
	ID                                   int64
	Invoice                              string
	UserID                               sql.NullInt64
	Subtotal, TaxAmount, Discount, Total float64
	Method                               string
	AmountPaid, ChangeGiven              sql.NullFloat64
	Status                               string
	CreatedAt                            string
}

// Item is a row of v1 sale_items.
type Item struct {
	ID, SaleID, ProductID                  int64
	Quantity, UnitPrice, Discount, TaxRate float64
	Subtotal                               float64
}

// Payment is a row of v1 payments.
type Payment struct {
	ID, SaleID int64
	Method     string
	Amount     float64
}

// Movement is a row of v1 inventory_movements.
type Movement struct {
	ID, ProductID     int64
	Type              string
	Quantity          float64
	Reference, Reason string
	UserID            sql.NullInt64
	CreatedAt         string
}

// FileIdentity returns the SHA-256 of the file at path, hex-encoded.
func FileIdentity(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", fmt.Errorf("read %s: %w", path, err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// Read loads the v1 file at path, read-only (the file is evidence: it is never written).
func Read(ctx context.Context, path string) (*Source, error) {
	id, err := FileIdentity(path)
	if err != nil {
		return nil, err
	}
	q := url.Values{"mode": {"ro"}, "immutable": {"1"}}
	db, err := sql.Open("sqlite", "file:"+path+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	defer db.Close()
	src := &Source{Identity: id, Settings: map[string]string{}}
	r := reader{ctx: ctx, db: db}
	r.rows(`SELECT key, COALESCE(value, '') FROM settings`, func(s scanner) error {
		var k, v string
		err := s.Scan(&k, &v)
		src.Settings[k] = v
		return err
	})
	r.rows(`SELECT id, username, COALESCE(email,''), COALESCE(full_name,''), hashed_password, role, is_active, CAST(created_at AS TEXT) FROM users ORDER BY id`, func(s scanner) error {
		var u User
		err := s.Scan(&u.ID, &u.Username, &u.Email, &u.FullName, &u.Hash, &u.Role, &u.Active, &u.CreatedAt)
		src.Users = append(src.Users, u)
		return err
	})
	r.rows(`SELECT id, name FROM categories ORDER BY id`, func(s scanner) error {
		var c Category
		err := s.Scan(&c.ID, &c.Name)
		src.Categories = append(src.Categories, c)
		return err
	})
	r.rows(`SELECT id, sku, COALESCE(barcode,''), name, category_id, price, cost, tax_rate, stock, min_stock, unit, is_active, CAST(created_at AS TEXT) FROM products ORDER BY id`, func(s scanner) error {
		var p Product
		err := s.Scan(&p.ID, &p.SKU, &p.Barcode, &p.Name, &p.CategoryID, &p.Price, &p.Cost, &p.TaxRate, &p.Stock, &p.MinStock, &p.Unit, &p.Active, &p.CreatedAt)
		src.Products = append(src.Products, p)
		return err
	})
	r.rows(`SELECT id, invoice_number, user_id, subtotal, tax_amount, discount_amount, total, payment_method, amount_paid, change_given, status, CAST(created_at AS TEXT) FROM sales ORDER BY id`, func(s scanner) error {
		var x Sale
		err := s.Scan(&x.ID, &x.Invoice, &x.UserID, &x.Subtotal, &x.TaxAmount, &x.Discount, &x.Total, &x.Method, &x.AmountPaid, &x.ChangeGiven, &x.Status, &x.CreatedAt)
		src.Sales = append(src.Sales, x)
		return err
	})
	r.rows(`SELECT id, sale_id, product_id, quantity, unit_price, discount, tax_rate, subtotal FROM sale_items ORDER BY sale_id, id`, func(s scanner) error {
		var it Item
		err := s.Scan(&it.ID, &it.SaleID, &it.ProductID, &it.Quantity, &it.UnitPrice, &it.Discount, &it.TaxRate, &it.Subtotal)
		src.Items = append(src.Items, it)
		return err
	})
	r.rows(`SELECT id, sale_id, method, amount FROM payments ORDER BY sale_id, id`, func(s scanner) error {
		var p Payment
		err := s.Scan(&p.ID, &p.SaleID, &p.Method, &p.Amount)
		src.Payments = append(src.Payments, p)
		return err
	})
	r.rows(`SELECT id, product_id, movement_type, quantity, COALESCE(reference,''), COALESCE(reason,''), user_id, CAST(created_at AS TEXT) FROM inventory_movements ORDER BY id`, func(s scanner) error {
		var m Movement
		err := s.Scan(&m.ID, &m.ProductID, &m.Type, &m.Quantity, &m.Reference, &m.Reason, &m.UserID, &m.CreatedAt)
		src.Movements = append(src.Movements, m)
		return err
	})
	if r.err != nil {
		return nil, fmt.Errorf("read %s: %w", path, r.err)
	}
	return src, nil
}

type scanner interface{ Scan(...any) error }

// reader runs queries until the first error.
type reader struct {
	ctx context.Context
	db  *sql.DB
	err error
}

func (r *reader) rows(query string, each func(scanner) error) {
	if r.err != nil {
		return
	}
	rows, err := r.db.QueryContext(r.ctx, query)
	if err != nil {
		r.err = err
		return
	}
	defer rows.Close()
	for rows.Next() {
		if err := each(rows); err != nil {
			r.err = fmt.Errorf("%s: %w", query[:40], err)
			return
		}
	}
	r.err = rows.Err()
}
