package v1import

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/odata-pos/pos/commands"
	"github.com/odata-pos/pos/domain/catalog"
	"github.com/odata-pos/pos/domain/money"
	"github.com/odata-pos/pos/domain/quantity"
	"github.com/odata-pos/pos/domain/rules"
	"github.com/odata-pos/pos/domain/sale"
	"github.com/odata-pos/pos/domain/user"
)

// product is a v1 product (or a stand-in for one v1 deleted) as imported.
type product struct {
	v1ID     int64
	id       uuid.UUID
	sku      string
	name     string
	category string
	price    money.Money
	taxBP    int64
	weighed  bool
	track    bool
	// deactivate: v1 had it inactive, or it stands in for a deleted one; it is deactivated
	// once the history that sold it is imported.
	deactivate bool
	deleted    bool
}

// saleProduct is p as a sale line sees it, at the tax rate v1 charged.
func (im *Importer) saleProduct(p *product, taxBP int64) sale.Product {
	return sale.Product{ID: p.id, SKU: p.sku, Name: p.name, Category: p.category, Active: true, SoldByWeight: p.weighed,
		Price: p.price, TaxCode: im.taxCodes[taxBP], TaxRateBP: taxBP, TrackStock: p.track}
}

// importProducts creates the products. Rules (docs/import-v1.md): SKUs that differ only in
// case clash (SKUs are unique without regard to case): the lowest v1 ID keeps the SKU, later
// ones get "<sku>-V1-<id>". A barcode held by an earlier product (v1 barcodes are not unique)
// is left off the later one. Products sale items or movements refer to that v1 deleted get a
// stand-in "V1-DELETED-<id>" that tracks no stock.
func (im *Importer) importProducts(ctx context.Context) error {
	im.rep.read("products", len(im.src.Products))
	skus, barcodes := map[string]int64{}, map[string]int64{}
	for _, vp := range im.src.Products {
		at, res, err := parseLocal(vp.CreatedAt, im.loc)
		if err != nil {
			at = time.Time{}
			im.rep.list("products", "products", vp.ID, OutcomeListed, "created_at %q unreadable", vp.CreatedAt)
		} else if res != LocalExact {
			im.rep.list("products", "products", vp.ID, OutcomeListed, "created_at %s is %s local time, read as %s", vp.CreatedAt, res, at.Format(time.RFC3339))
		}
		p := &product{v1ID: vp.ID, id: im.id("products", vp.ID), sku: strings.TrimSpace(vp.SKU), name: vp.Name,
			price: amount(vp.Price, im.currency), taxBP: rateBP(vp.TaxRate), weighed: vp.Unit == "kg", track: true, deactivate: !vp.Active}
		var adjusted []string
		if vp.CategoryID.Valid {
			name, ok := im.categories[vp.CategoryID.Int64]
			if !ok {
				adjusted = append(adjusted, fmt.Sprintf("category_id %d does not exist: uncategorized", vp.CategoryID.Int64))
			}
			p.category = name
		}
		if vp.Unit != "kg" && vp.Unit != "unit" {
			im.rep.list("products", "products", vp.ID, OutcomeListed, "unit %q read as sold by the unit", vp.Unit)
		}
		if first, ok := skus[strings.ToUpper(p.sku)]; ok {
			adjusted = append(adjusted, fmt.Sprintf("SKU %q clashes with product %d: imported as %q", p.sku, first, p.sku+"-V1-"+strconv.FormatInt(vp.ID, 10)))
			p.sku += "-V1-" + strconv.FormatInt(vp.ID, 10)
		} else {
			skus[strings.ToUpper(p.sku)] = vp.ID
		}
		var codes []string
		if b := strings.TrimSpace(vp.Barcode); b != "" {
			if first, ok := barcodes[b]; ok {
				adjusted = append(adjusted, fmt.Sprintf("barcode %q is product %d's: left off", b, first))
			} else {
				barcodes[b] = vp.ID
				codes = []string{b}
			}
		}
		var cost *money.Money
		if vp.Cost.Valid {
			c := amount(vp.Cost.Float64, im.currency)
			if c.Amount >= 0 {
				cost = &c
			}
		}
		var low *quantity.Quantity
		if vp.MinStock > 0 {
			q := quantity.FromInt(vp.MinStock)
			low = &q
		}
		if im.opts.DryRun {
			kept, owner, err := im.productClash(ctx, p, codes)
			if err != nil {
				return fmt.Errorf("product %d: %w", vp.ID, err)
			}
			if owner != "" {
				im.rep.list("products", "products", vp.ID, OutcomeRefused, "SKU %q is held by another product of the chain (%s) in the event store", p.sku, owner)
				continue
			}
			if len(kept) < len(codes) {
				adjusted = append(adjusted, fmt.Sprintf("barcode %q is held by another product of the chain: left off", codes[0]))
				codes = kept
			}
		}
		if err := im.createProduct(ctx, p, codes, cost, low, at); err != nil {
			if errors.Is(err, rules.ErrDuplicate) && len(codes) > 0 {
				// The barcode belongs to a product outside this file: import without it.
				adjusted = append(adjusted, fmt.Sprintf("barcode %q is held by another product of the chain: left off", codes[0]))
				err = im.createProduct(ctx, p, nil, cost, low, at)
			}
			if err != nil {
				if refused(err) {
					im.rep.list("products", "products", vp.ID, OutcomeRefused, "%v", err)
					continue
				}
				return fmt.Errorf("product %d: %w", vp.ID, err)
			}
		}
		im.products[vp.ID] = p
		if len(adjusted) > 0 {
			im.rep.list("products", "products", vp.ID, OutcomeAdjusted, "%s", strings.Join(adjusted, "; "))
		} else {
			im.rep.imported("products")
		}
	}
	return im.standIns(ctx)
}

// createProduct creates p at its v1 creation time.
func (im *Importer) createProduct(ctx context.Context, p *product, barcodes []string, cost *money.Money, low *quantity.Quantity, at time.Time) error {
	c := catalog.CreateProduct{ProductID: p.id, SKU: p.sku, Barcodes: barcodes, Name: p.name, Category: p.category, Price: p.price,
		Cost: cost, TaxCode: im.taxCodes[p.taxBP], TrackStock: p.track, LowStockThreshold: low, SoldByWeight: p.weighed}
	if im.opts.DryRun {
		_, err := catalog.Decide(catalog.State{}, c, at)
		return err
	}
	if at.IsZero() {
		at = time.Now()
	}
	im.clock.set(at)
	res, err := im.catalog.CreateProduct(ctx, im.cmd("products", p.v1ID, "create", at, ""), c)
	im.wrote(res.Result)
	return err
}

// standIns creates a stand-in for every product that sale items or movements name but v1
// deleted, and the product of difference lines.
func (im *Importer) standIns(ctx context.Context) error {
	firstItem := map[int64]Item{}
	for _, it := range im.src.Items {
		if _, ok := im.products[it.ProductID]; !ok {
			if _, seen := firstItem[it.ProductID]; !seen {
				firstItem[it.ProductID] = it
			}
		}
	}
	for _, m := range im.src.Movements {
		if _, ok := im.products[m.ProductID]; !ok {
			if _, seen := firstItem[m.ProductID]; !seen {
				firstItem[m.ProductID] = Item{ProductID: m.ProductID}
			}
		}
	}
	for id, it := range firstItem {
		if id <= 0 {
			continue
		}
		p := &product{v1ID: id, id: im.id("products", id, "deleted"), sku: "V1-DELETED-" + strconv.FormatInt(id, 10),
			name: fmt.Sprintf("v1 product %d (deleted in v1)", id), category: "v1 deleted", price: amount(it.UnitPrice, im.currency),
			taxBP: rateBP(it.TaxRate), weighed: it.Quantity != float64(int64(it.Quantity)), deactivate: true, deleted: true}
		if _, ok := im.taxCodes[p.taxBP]; !ok {
			p.taxBP = 0
		}
		if err := im.createProduct(ctx, p, nil, nil, nil, time.Time{}); err != nil {
			return fmt.Errorf("stand-in for deleted product %d: %w", id, err)
		}
		im.products[id] = p
		im.rep.list("products", "products", id, OutcomeAdjusted, "referenced but deleted in v1: stand-in %s created (no stock tracked), deactivated after the import", p.sku)
	}
	im.diffProd = &product{v1ID: 0, id: im.id("sales", 0, "difference-product"), sku: "V1-DIFFERENCE", name: "v1 total difference",
		category: "v1 import", price: money.New(1, im.currency), taxBP: 0, deactivate: true}
	if err := im.createProduct(ctx, im.diffProd, nil, nil, nil, time.Time{}); err != nil {
		return fmt.Errorf("difference product: %w", err)
	}
	return nil
}

// roleOf maps a v1 role; unknown roles become read-only (analyst) and are listed.
func roleOf(v1 string) (string, bool) {
	switch strings.ToLower(strings.TrimSpace(v1)) {
	case "admin":
		return user.RoleAdmin, true
	case "manager":
		return user.RoleManager, true
	case "cashier":
		return user.RoleCashier, true
	case "viewer":
		return user.RoleAnalyst, true // read-only: reports, no audit trail
	}
	return user.RoleAnalyst, false
}

// importUsers creates the users with their v1 bcrypt hashes (accepted at login and replaced
// by the product's own hash at the first successful one). A username already held by a user
// outside this file is imported as "<username>.v1".
func (im *Importer) importUsers(ctx context.Context) error {
	im.rep.read("users", len(im.src.Users))
	for _, vu := range im.src.Users {
		userID := im.id("users", vu.ID).String()
		im.cashiers[vu.ID] = userID
		var adjusted []string
		role, known := roleOf(vu.Role)
		if !known {
			adjusted = append(adjusted, fmt.Sprintf("unknown role %q: read-only (%s)", vu.Role, role))
		} else if strings.EqualFold(vu.Role, "viewer") {
			im.rep.list("users", "users", vu.ID, OutcomeListed, "role viewer imported as %s (read-only)", role)
		}
		if !strings.HasPrefix(vu.Hash, "$2") {
			adjusted = append(adjusted, "password hash is not bcrypt: the user must be given a new password")
		}
		username := vu.Username
		owner, err := commands.Owner(ctx, im.handler, commands.UsernameKey(username))
		if err != nil {
			return err
		}
		if owner != "" && owner != userID {
			username += ".v1"
			adjusted = append(adjusted, fmt.Sprintf("username %q is taken in the chain: imported as %q", vu.Username, username))
		}
		c := user.RegisterUser{UserID: userID, Username: username, Roles: []string{role}, StoreIDs: []string{im.storeID.String()}}
		at, _, err := parseLocal(vu.CreatedAt, im.loc)
		if err != nil {
			at = time.Now()
		}
		if im.opts.DryRun {
			if _, err := user.Decide(user.State{}, c, at); err != nil {
				im.rep.list("users", "users", vu.ID, OutcomeRefused, "%v", err)
				continue
			}
		} else {
			im.clock.set(at)
			res, err := im.users.Register(ctx, im.cmd("users", vu.ID, "register", at, ""), c, vu.Hash)
			im.wrote(res.Result)
			if err != nil {
				if refused(err) {
					im.rep.list("users", "users", vu.ID, OutcomeRefused, "%v", err)
					continue
				}
				return fmt.Errorf("user %d: %w", vu.ID, err)
			}
			if !vu.Active {
				res, err := im.users.Disable(ctx, im.cmd("users", vu.ID, "disable", at, ""), userID, user.Disable{Reason: "inactive in v1"})
				im.wrote(res.Result)
				if err != nil {
					return fmt.Errorf("disable user %d: %w", vu.ID, err)
				}
			}
		}
		if !vu.Active {
			adjusted = append(adjusted, "inactive in v1: imported disabled")
		}
		if len(adjusted) > 0 {
			im.rep.list("users", "users", vu.ID, OutcomeAdjusted, "%s", strings.Join(adjusted, "; "))
		} else {
			im.rep.imported("users")
		}
	}
	return nil
}

// deactivate deactivates the products v1 had inactive, the stand-ins and the difference
// product, once the history that sold them is in.
func (im *Importer) deactivate(ctx context.Context) error {
	if im.opts.DryRun {
		return nil
	}
	im.clock.set(time.Now())
	all := []*product{im.diffProd}
	for _, p := range im.products {
		all = append(all, p)
	}
	for _, p := range all {
		if !p.deactivate {
			continue
		}
		res, err := im.catalog.Deactivate(ctx, im.cmd("products", p.v1ID, "deactivate:"+p.id.String(), time.Time{}, ""), p.id, catalog.Deactivate{Reason: "inactive or deleted in v1"})
		im.wrote(res.Result)
		if err != nil && !errors.Is(err, rules.ErrNotFound) {
			var rerr *rules.RuleError
			if errors.As(err, &rerr) {
				continue // already inactive
			}
			return fmt.Errorf("deactivate %s: %w", p.sku, err)
		}
	}
	return nil
}
