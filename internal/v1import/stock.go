package v1import

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/odata-pos/pos/commands"
	"github.com/odata-pos/pos/domain/quantity"
	"github.com/odata-pos/pos/domain/stock"
)

// importStock replays the v1 movements that are not sales or returns (those are the imported
// sales' and returns' own stock effects) and then, per tracked product, adjusts once for what
// the history leaves unexplained, so that on hand equals v1's products.stock once the stock
// policy has applied the imported sales and returns.
func (im *Importer) importStock(ctx context.Context) error {
	src := im.src
	im.rep.read("movements", len(src.Movements))
	explained := map[int64]quantity.Quantity{} // v1 product id → on hand the history explains
	last := time.Time{}
	for _, s := range im.sales {
		if s.at.After(last) {
			last = s.at
		}
		if !s.done || s.row.Status == statusCancelled {
			continue
		}
		for _, l := range s.state.Lines {
			if !l.TrackStock {
				continue
			}
			id := im.v1ProductOf(l.ProductID.String())
			explained[id] -= l.Quantity
			if s.row.Status == statusRefunded && (s.returned || im.opts.DryRun) {
				explained[id] += l.Quantity
			}
		}
	}
	for _, m := range src.Movements {
		p, ok := im.products[m.ProductID]
		at, _, err := parseLocal(m.CreatedAt, im.loc)
		if err != nil {
			im.rep.list("movements", "inventory_movements", m.ID, OutcomeListed, "created_at %q unreadable: not replayed, left to the reconciliation", m.CreatedAt)
			continue
		}
		if at.After(last) {
			last = at
		}
		q := milli(m.Quantity)
		switch {
		case m.Type == "sale" || m.Type == "return":
			im.rep.imported("movements") // the imported sale or return carries it
			continue
		case !ok || !p.track:
			im.rep.list("movements", "inventory_movements", m.ID, OutcomeListed, "product %d was deleted in v1: its stock is not tracked", m.ProductID)
			continue
		case q == 0:
			im.rep.list("movements", "inventory_movements", m.ID, OutcomeListed, "quantity 0: nothing to replay")
			continue
		}
		var cmdErr error
		doc := im.id("inventory_movements", m.ID)
		cmd := im.cmd("inventory_movements", m.ID, "replay", at, im.userOf(m))
		var res commands.DocumentResult
		switch m.Type {
		case "in":
			if q < 0 {
				q = -q
			}
			if !im.opts.DryRun {
				res, cmdErr = im.stock.Receive(ctx, cmd, doc, im.storeID, []commands.ReceiptLine{{ProductID: p.id, Quantity: q}})
			}
			explained[m.ProductID] += q
		case "out", "adjustment":
			delta, reason := q, stock.ReasonCorrection
			if m.Type == "out" {
				delta, reason = -abs(q), stock.ReasonOther
			}
			if !im.opts.DryRun {
				res, cmdErr = im.stock.Adjust(ctx, cmd, doc, im.storeID, []commands.AdjustmentLine{{ProductID: p.id, Delta: delta, Reason: reason}})
			}
			explained[m.ProductID] += delta
		default:
			im.rep.list("movements", "inventory_movements", m.ID, OutcomeListed, "movement type %q unknown: not replayed, left to the reconciliation", m.Type)
			continue
		}
		for _, l := range res.Lines {
			im.wrote(l.Result)
		}
		if cmdErr != nil {
			if refused(cmdErr) {
				im.rep.list("movements", "inventory_movements", m.ID, OutcomeRefused, "%v", cmdErr)
				continue
			}
			return fmt.Errorf("movement %d: %w", m.ID, cmdErr)
		}
		im.rep.imported("movements")
	}
	return im.reconcileStock(ctx, explained, last)
}

// reconcileStock adjusts each tracked product once by what v1's stock and its history
// disagree on, at the end of the history.
func (im *Importer) reconcileStock(ctx context.Context, explained map[int64]quantity.Quantity, at time.Time) error {
	im.rep.read("stock", len(im.src.Products))
	products := append([]Product(nil), im.src.Products...)
	sort.Slice(products, func(i, j int) bool { return products[i].ID < products[j].ID })
	for _, vp := range products {
		p, ok := im.products[vp.ID]
		if !ok || !p.track {
			continue
		}
		want := quantity.FromInt(vp.Stock)
		delta := want - explained[vp.ID]
		if delta == 0 {
			im.rep.imported("stock")
			continue
		}
		if !im.opts.DryRun {
			cmd := im.cmd("products", vp.ID, "stock-reconciliation", at, "")
			cmd.Extra["note"] = fmt.Sprintf("v1 stock %s, v1 history explains %s", want, explained[vp.ID])
			res, err := im.stock.Adjust(ctx, cmd, im.id("products", vp.ID, "stock-reconciliation"), im.storeID,
				[]commands.AdjustmentLine{{ProductID: p.id, Delta: delta, Reason: stock.ReasonCorrection}})
			for _, l := range res.Lines {
				im.wrote(l.Result)
			}
			if err != nil {
				if refused(err) {
					im.rep.list("stock", "products", vp.ID, OutcomeRefused, "reconciliation adjustment %s: %v", delta, err)
					continue
				}
				return fmt.Errorf("stock of product %d: %w", vp.ID, err)
			}
		}
		im.rep.list("stock", "products", vp.ID, OutcomeAdjusted, "v1 stock %s, v1 movements and sales explain %s: one correction of %s", want, explained[vp.ID], delta)
	}
	return nil
}

func abs(q quantity.Quantity) quantity.Quantity {
	if q < 0 {
		return -q
	}
	return q
}

// userOf is the user a movement names, if it exists.
func (im *Importer) userOf(m Movement) string {
	if m.UserID.Valid {
		if id, ok := im.cashiers[m.UserID.Int64]; ok {
			return id
		}
	}
	return ""
}

// v1ProductOf finds the v1 ID of an imported product ID.
func (im *Importer) v1ProductOf(id string) int64 {
	if im.byProductID == nil {
		im.byProductID = map[string]int64{}
		for v1, p := range im.products {
			im.byProductID[p.id.String()] = v1
		}
	}
	return im.byProductID[id]
}
