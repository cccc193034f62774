package commands

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/odata-pos/pos/domain/catalog"
	"github.com/odata-pos/pos/domain/money"
	"github.com/odata-pos/pos/domain/quantity"
	"github.com/odata-pos/pos/domain/rules"
	"github.com/odata-pos/pos/domain/stock"
	"github.com/odata-pos/pos/domain/transfer"
	"github.com/odata-pos/pos/eventstore"
)

// Inventory handles the stock documents: receipts, adjustments, counts and transfers.
//
// A document names one location and several products; stock has one stream per (location,
// product), so a document appends once to each of its lines' stock streams. Every line is
// decided against the current state of every stream before the first append, so a document
// that breaks a rule (stock below zero where the store forbids it) writes nothing. Each append
// is keyed by the document ID and the stream (deterministic event IDs, and the document ID as
// the movement ID the stock aggregate deduplicates on), so a retried document, or one that
// lost a race after some lines were written, completes the missing lines and never writes a
// line twice. A transfer also has its own stream: it is dispatched after its outgoing legs
// are written, and received before its incoming legs (which a policy completes after a crash).
type Inventory struct {
	h   *Handler
	now func() time.Time
}

// NewInventory returns the inventory handlers.
func NewInventory(h *Handler, now func() time.Time) *Inventory {
	return &Inventory{h: h, now: now}
}

// Line kinds of the stock documents.
const (
	docReceipt    = "receipt"
	docAdjustment = "adjustment"
	docCount      = "count"
	docTransfer   = "transfer"
)

// ErrUnknownLocation: a stock location is not a known store.
var ErrUnknownLocation = &rules.RuleError{Code: "location_not_found", Msg: "no such stock location"}

// ReceiptLine books Quantity of a product in, at UnitCost when given.
type ReceiptLine struct {
	ProductID uuid.UUID
	Quantity  quantity.Quantity
	UnitCost  *money.Money
}

// AdjustmentLine corrects a product's stock by Delta with a reason code.
type AdjustmentLine struct {
	ProductID uuid.UUID
	Delta     quantity.Quantity
	Reason    string
}

// CountLine records the counted quantity of a product.
type CountLine struct {
	ProductID uuid.UUID
	Counted   quantity.Quantity
}

// LineResult is where one line of a document landed.
type LineResult struct {
	ProductID uuid.UUID
	Result    Result
	// Event is the line's stock.StockMoved or stock.StockCounted (nil when it was written by
	// an earlier attempt under another command).
	Event stock.Event
	// Stock is the line's stock as the command left it (on a replay, as it is now).
	Stock stock.State
}

// DocumentResult reports what a stock document wrote.
type DocumentResult struct {
	Lines []LineResult
	// Document is the outcome of the document's own stream (transfers only): the transfer as
	// the command left it (on a replay, as it is now).
	Document Outcome[transfer.State]
	// Position is the highest commit position the document reached.
	Position eventstore.Position
}

// MovementID is the movement ID of a document's lines on the stock streams ("receipt:<id>").
func MovementID(kind string, docID uuid.UUID) string { return kind + ":" + docID.String() }

// stockLine is one line of a document, made into a stock command.
type stockLine struct {
	product uuid.UUID
	cmd     stock.Command
}

// Receive books goods in at a location.
func (iv *Inventory) Receive(ctx context.Context, cmd Context, docID, locationID uuid.UUID, lines []ReceiptLine) (DocumentResult, error) {
	out := make([]stockLine, len(lines))
	for i, l := range lines {
		k := stock.Key{LocationID: locationID, ProductID: l.ProductID, MovementID: MovementID(docReceipt, docID)}
		out[i] = stockLine{l.ProductID, stock.Receive{Key: k, Quantity: l.Quantity, UnitCost: l.UnitCost}}
	}
	return iv.document(ctx, cmd, docReceipt, docID, locationID, out, nil)
}

// Adjust corrects stock at a location, each line with a reason code. A line that would take
// stock below zero where the location's store forbids it refuses the whole document.
func (iv *Inventory) Adjust(ctx context.Context, cmd Context, docID, locationID uuid.UUID, lines []AdjustmentLine) (DocumentResult, error) {
	out := make([]stockLine, len(lines))
	for i, l := range lines {
		k := stock.Key{LocationID: locationID, ProductID: l.ProductID, MovementID: MovementID(docAdjustment, docID)}
		out[i] = stockLine{l.ProductID, stock.Adjust{Key: k, Delta: l.Delta, Reason: l.Reason}}
	}
	return iv.document(ctx, cmd, docAdjustment, docID, locationID, out, nil)
}

// Count records a physical count at a location; each line records its variance.
func (iv *Inventory) Count(ctx context.Context, cmd Context, docID, locationID uuid.UUID, lines []CountLine) (DocumentResult, error) {
	out := make([]stockLine, len(lines))
	for i, l := range lines {
		k := stock.Key{LocationID: locationID, ProductID: l.ProductID, MovementID: MovementID(docCount, docID)}
		out[i] = stockLine{l.ProductID, stock.Count{Key: k, Counted: l.Counted}}
	}
	return iv.document(ctx, cmd, docCount, docID, locationID, out, nil)
}

// Dispatch sends goods from one location to another: the outgoing legs leave the source's
// stock, then the transfer is recorded as in transit.
func (iv *Inventory) Dispatch(ctx context.Context, cmd Context, c transfer.Dispatch) (DocumentResult, error) {
	cmd.IfMatch = nil
	now := iv.at(cmd)
	t, err := Load(ctx, iv.h, TransferStream(c.TransferID), TransferAggregate)
	if err != nil {
		return DocumentResult{}, err
	}
	if _, err := transfer.Decide(t.State, c, now); err != nil {
		return DocumentResult{}, err
	}
	if _, err := iv.location(ctx, c.ToLocationID, "to_location_id"); err != nil {
		return DocumentResult{}, err
	}
	out := make([]stockLine, len(c.Lines))
	for i, l := range c.Lines {
		k := stock.Key{LocationID: c.FromLocationID, ProductID: l.ProductID, MovementID: MovementID(docTransfer, c.TransferID)}
		out[i] = stockLine{l.ProductID, stock.TransferOut{Key: k, Quantity: l.Quantity}}
	}
	return iv.document(ctx, cmd, docTransfer, c.TransferID, c.FromLocationID, out, func(res *DocumentResult) error {
		doc, err := run(ctx, iv.h, TransferStream(c.TransferID), TransferAggregate, cmd, func(s transfer.State) ([]transfer.Event, error) {
			return transfer.Decide(s, c, now)
		})
		res.Document = doc
		return err
	})
}

// ReceiveTransfer books a dispatched transfer in at its destination: the transfer is marked
// received, then the incoming legs enter the destination's stock. Receiving again completes
// missing legs and writes nothing else.
func (iv *Inventory) ReceiveTransfer(ctx context.Context, cmd Context, transferID uuid.UUID) (DocumentResult, error) {
	cmd.IfMatch = nil
	doc, err := run(ctx, iv.h, TransferStream(transferID), TransferAggregate, cmd, func(s transfer.State) ([]transfer.Event, error) {
		return transfer.Decide(s, transfer.Receive{}, iv.at(cmd))
	})
	if err != nil {
		return DocumentResult{}, err
	}
	res, err := TransferInLegs(ctx, iv.h, cmd, doc.State.State, iv.at(cmd))
	res.Document = doc
	res.Position = max(res.Position, doc.Position)
	return res, err
}

// TransferInLegs books the incoming legs of a received transfer (idempotent; also used by the
// transfer policy).
func TransferInLegs(ctx context.Context, h *Handler, cmd Context, t transfer.State, now time.Time) (DocumentResult, error) {
	var res DocumentResult
	for _, l := range t.Lines {
		k := stock.Key{LocationID: t.ToLocationID, ProductID: l.ProductID, MovementID: MovementID(docTransfer, t.ID)}
		r, err := run(ctx, h, StockStream(t.ToLocationID, l.ProductID), StockAggregate, cmd, func(s stock.State) ([]stock.Event, error) {
			return stock.Decide(s, stock.TransferIn{Key: k, Quantity: l.Quantity}, now)
		})
		if err != nil {
			return res, err
		}
		res.Lines = append(res.Lines, lineResult(l.ProductID, r))
		res.Position = max(res.Position, r.Position)
	}
	return res, nil
}

// Transfer returns a transfer from the write side; rules.ErrNotFound when there is none.
func (iv *Inventory) Transfer(ctx context.Context, id uuid.UUID) (Loaded[transfer.State], error) {
	l, err := Load(ctx, iv.h, TransferStream(id), TransferAggregate)
	if err == nil && l.State.Status == transfer.StatusNone {
		err = rules.ErrNotFound.With("transfer " + id.String())
	}
	return l, err
}

func (iv *Inventory) at(cmd Context) time.Time {
	if !cmd.OccurredAt.IsZero() {
		return cmd.OccurredAt
	}
	return iv.now()
}

// location returns the store settings' AllowNegativeStock of a location, which must be a store.
func (iv *Inventory) location(ctx context.Context, id uuid.UUID, field string) (bool, error) {
	if id == uuid.Nil {
		return false, &rules.ValidationError{Fields: []rules.FieldError{{Field: field, Message: "is required"}}}
	}
	st, err := Load(ctx, iv.h, StoreStream(id), StoreAggregate)
	if err != nil {
		return false, err
	}
	if !st.State.Exists() {
		return false, ErrUnknownLocation.With(field + " " + id.String())
	}
	return st.State.Settings.AllowNegativeStock, nil
}

// document checks every line of a document, then appends each, then runs after (the
// document's own stream, if any).
func (iv *Inventory) document(ctx context.Context, cmd Context, kind string, docID, locationID uuid.UUID, lines []stockLine, after func(*DocumentResult) error) (DocumentResult, error) {
	var v rules.Validator
	v.Check(docID != uuid.Nil, "id", "is required")
	v.Check(len(lines) > 0, "lines", "at least one line is required")
	if len(lines) > 1 {
		cmd.IfMatch = nil // a revision names one stream; only single-line documents are conditional
	}
	seen := map[uuid.UUID]bool{}
	for i, l := range lines {
		f := fmt.Sprintf("lines[%d].product_id", i)
		v.Check(l.product != uuid.Nil, f, "is required")
		v.Check(!seen[l.product], f, "is listed twice")
		seen[l.product] = true
	}
	if err := v.Err(); err != nil {
		return DocumentResult{}, err
	}
	field := "location_id"
	if kind == docTransfer {
		field = "from_location_id"
	}
	allowNeg, err := iv.location(ctx, locationID, field)
	if err != nil {
		return DocumentResult{}, err
	}
	now := iv.at(cmd)
	for i, l := range lines {
		lines[i].cmd = withAllowNegative(l.cmd, allowNeg)
		p, err := Load(ctx, iv.h, ProductStream(l.product), ProductAggregate)
		if err != nil {
			return DocumentResult{}, err
		}
		v.Check(p.State.Exists(), fmt.Sprintf("lines[%d].product_id", i), "is not a known product")
	}
	if err := v.Err(); err != nil {
		return DocumentResult{}, err
	}
	// Decide every line before writing any.
	for i, l := range lines {
		s, err := Load(ctx, iv.h, StockStream(locationID, l.product), StockAggregate)
		if err != nil {
			return DocumentResult{}, err
		}
		if _, err := stock.Decide(s.State, l.cmd, now); err != nil {
			return DocumentResult{}, lineError(i, l.product, err)
		}
	}
	var res DocumentResult
	for i, l := range lines {
		r, err := run(ctx, iv.h, StockStream(locationID, l.product), StockAggregate, cmd, func(s stock.State) ([]stock.Event, error) {
			return stock.Decide(s, l.cmd, now)
		})
		if err != nil {
			return res, lineError(i, l.product, err)
		}
		res.Lines = append(res.Lines, lineResult(l.product, r))
		res.Position = max(res.Position, r.Position)
	}
	if after != nil {
		if err := after(&res); err != nil {
			return res, err
		}
		res.Position = max(res.Position, res.Document.Position)
	}
	return res, nil
}

func withAllowNegative(c stock.Command, allow bool) stock.Command {
	switch c := c.(type) {
	case stock.Adjust:
		c.AllowNegative = allow
		return c
	case stock.TransferOut:
		c.AllowNegative = allow
		return c
	}
	return c
}

// lineError puts a line's field errors under lines[i] and names the line in rule errors.
func lineError(i int, product uuid.UUID, err error) error {
	var verr *rules.ValidationError
	if errors.As(err, &verr) {
		out := &rules.ValidationError{}
		for _, f := range verr.Fields {
			out.Fields = append(out.Fields, rules.FieldError{Field: fmt.Sprintf("lines[%d].%s", i, f.Field), Message: f.Message})
		}
		return out
	}
	var rerr *rules.RuleError
	if errors.As(err, &rerr) {
		return rerr.With(fmt.Sprintf("lines[%d] (product %s)", i, product))
	}
	return fmt.Errorf("lines[%d]: %w", i, err)
}

// lineResult is where a line landed and the stock it left.
func lineResult(product uuid.UUID, o Outcome[stock.State]) LineResult {
	return LineResult{ProductID: product, Result: o.Result, Event: firstStockEvent(o.Result), Stock: o.State.State}
}

func firstStockEvent(r Result) stock.Event {
	for _, e := range r.Events {
		if se, ok := e.(stock.Event); ok {
			return se
		}
	}
	return nil
}

// StockLevel is one product's stock at one location, read from the write side.
type StockLevel struct {
	LocationID uuid.UUID
	ProductID  uuid.UUID
	OnHand     quantity.Quantity
	// InTransit is what left this location in transfers not yet received at their destination.
	InTransit quantity.Quantity
	// LowStock is true when OnHand is at or below the product's low-stock threshold.
	LowStock bool
	// Exists is false when the stream has no events; Revision and Position are its last event's.
	Exists   bool
	Revision uint64
	Position eventstore.Position
}

// Level returns the stock of a product at a location from the write side (the list of levels
// is a read model).
func (iv *Inventory) Level(ctx context.Context, locationID, productID uuid.UUID) (StockLevel, error) {
	l, err := Load(ctx, iv.h, StockStream(locationID, productID), StockAggregate)
	if err != nil {
		return StockLevel{}, err
	}
	out := StockLevel{LocationID: locationID, ProductID: productID, OnHand: l.State.OnHand(), Exists: l.Exists, Revision: l.Revision, Position: l.Position}
	for _, m := range l.State.TransfersOut() {
		id, err := uuid.Parse(m[len(docTransfer)+1:])
		if err != nil {
			continue
		}
		t, err := Load(ctx, iv.h, TransferStream(id), TransferAggregate)
		if err != nil {
			return StockLevel{}, err
		}
		for _, tl := range t.State.InTransit() {
			if tl.ProductID == productID {
				out.InTransit += tl.Quantity
			}
		}
	}
	p, err := Load(ctx, iv.h, ProductStream(productID), ProductAggregate)
	if err != nil {
		return StockLevel{}, err
	}
	out.LowStock = lowStock(p.State, out.OnHand)
	return out, nil
}

func lowStock(p catalog.State, onHand quantity.Quantity) bool {
	t := p.Created.LowStockThreshold
	return p.Exists() && p.Created.TrackStock && t != nil && onHand <= *t
}
