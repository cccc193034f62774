package commands

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/odata-pos/pos/domain/money"
	"github.com/odata-pos/pos/domain/quantity"
	"github.com/odata-pos/pos/domain/rules"
	"github.com/odata-pos/pos/domain/sale"
	"github.com/odata-pos/pos/domain/shift"
)

// MaxClockSkew is how far in the future a client's occurred_at may lie.
const MaxClockSkew = 5 * time.Minute

// Sales handles the sale commands. Every command loads what its decider needs from the
// write side (store settings, register, shift, and each product with its tax code as in force
// at the sale's time) and decides on the sale stream; completion spans the sale, shift and
// register streams (see Complete).
type Sales struct {
	h        *Handler
	now      func() time.Time
	taxCodes *taxCodeIDs
}

// NewSales returns the sale command handlers.
func NewSales(h *Handler, now func() time.Time) *Sales {
	return &Sales{h: h, now: now, taxCodes: &taxCodeIDs{}}
}

// SaleLine is a line to add to a sale.
type SaleLine struct {
	LineID    uuid.UUID         `json:"id"`
	ProductID uuid.UUID         `json:"product_id"`
	Quantity  quantity.Quantity `json:"quantity"`
	// UnitPrice, when set and not the catalog price, is a price override.
	UnitPrice *money.Money  `json:"unit_price,omitempty"`
	Discount  sale.Discount `json:"discount,omitzero"`
}

// CreateSale is the input of Sales.Create: a cart to open, or (Complete) a whole sale.
type CreateSale struct {
	SaleID     uuid.UUID      `json:"id"`
	StoreID    uuid.UUID      `json:"store_id"`
	RegisterID uuid.UUID      `json:"register_id"`
	ShiftID    uuid.UUID      `json:"shift_id"`
	Lines      []SaleLine     `json:"lines"`
	Discount   *sale.Discount `json:"discount,omitempty"`
	Payments   []sale.Payment `json:"payments"`
	Complete   bool           `json:"complete"`
	// OccurredAt, when set, makes the sale an offline upload judged at that time: the shift
	// open then, the prices and activity then. It is never refused for arriving late.
	OccurredAt time.Time `json:"occurred_at,omitzero"`
	// Unlimited lifts the cashier limits (managers and admins).
	Unlimited bool `json:"-"`
	// Approvals are managers' approvals, each applied where a decider asks for its action.
	Approvals rules.Approvals `json:"-"`
}

// SaleResult is what a sale command wrote and the sale as it left it, so that the caller
// renders Sale instead of reading the stream again.
type SaleResult struct {
	Result
	Sale Loaded[sale.State]
}

// step is a sale command and the request field its validation errors belong to.
type step struct {
	cmd   sale.Command
	field string
}

// Get returns a sale folded from its stream, or rules.ErrNotFound.
func (s *Sales) Get(ctx context.Context, saleID uuid.UUID) (Loaded[sale.State], error) {
	l, err := Load(ctx, s.h, SaleStream(saleID), SaleAggregate)
	if err != nil {
		return l, err
	}
	if !l.Exists {
		return l, rules.ErrNotFound
	}
	return l, nil
}

// Create opens a sale with its lines, discount and payments, in one append; with Complete it
// then completes it (see Complete). The lines are priced as at the sale's time.
func (s *Sales) Create(ctx context.Context, cmd Context, c CreateSale) (SaleResult, error) {
	return s.create(ctx, cmd, c, newSaleLoads(s.h, s.taxCodes))
}

// create is Create loading through ls.
func (s *Sales) create(ctx context.Context, cmd Context, c CreateSale, ls *saleLoads) (SaleResult, error) {
	if res, answered, err := s.createTrusted(ctx, cmd, c, ls); answered {
		return res, err
	}
	p, err := s.plan(ctx, cmd, c, ls, nil, nil)
	if err != nil {
		return SaleResult{}, err
	}
	return s.createPlanned(ctx, p)
}

// salePlan is a new sale ready to be decided: its command, what it was loaded with and the
// decision of its first append (open).
type salePlan struct {
	cmd  Context
	c    CreateSale
	now  time.Time
	sc   saleContext
	info sale.ShiftInfo
	open func(sale.State) ([]sale.Event, error)
}

// plan loads what c is decided on (through ls; read, when set, is its context read already)
// and prices its lines. The streams ahead holds (a batch's sales decided but not written yet,
// see SaleBatch) stand in for those read.
func (s *Sales) plan(ctx context.Context, cmd Context, c CreateSale, ls *saleLoads, read *contextRead, ahead *unwritten) (salePlan, error) {
	now := s.now()
	upload := !c.OccurredAt.IsZero()
	at := now
	if upload {
		if c.OccurredAt.After(now.Add(MaxClockSkew)) {
			return salePlan{}, fieldError("occurred_at", "lies in the future")
		}
		at = c.OccurredAt
	}
	var sc saleContext
	var err error
	if read != nil {
		sc, err = read.sc, read.err
	} else {
		sc, err = loadSaleContext(ctx, s.h, c, ls)
	}
	if err != nil {
		return salePlan{}, err
	}
	ahead.standIn(&sc, c)
	st, reg, sh := sc.store, sc.register, sc.shift
	info := shiftInfo(sh.State, reg.State, now)
	limits := limitsOf(st, c.Unlimited)
	steps := []step{{cmd: sale.OpenSale{SaleID: c.SaleID, Store: storeInfo(st), RegisterID: c.RegisterID, Shift: info,
		CashierID: cmd.UserID, OccurredAt: c.OccurredAt, Upload: upload}}}
	for i, l := range c.Lines {
		f := fmt.Sprintf("lines[%d]", i)
		p, err := ls.product(ctx, st, at, l.ProductID, f+".product_id")
		if err != nil {
			return salePlan{}, err
		}
		steps = append(steps, step{sale.AddLine{LineID: l.LineID, Product: p, Quantity: l.Quantity, UnitPrice: l.UnitPrice,
			Discount: l.Discount, Limits: limits, Approvals: c.Approvals}, f})
	}
	if c.Discount != nil {
		steps = append(steps, step{sale.ApplyDiscount{Discount: *c.Discount, Limits: limits, Approvals: c.Approvals}, ""})
	}
	for i, p := range c.Payments {
		steps = append(steps, step{sale.AddPayment{Payment: p}, fmt.Sprintf("payments[%d]", i)})
	}
	if c.Complete {
		steps = append(steps, step{cmd: sale.StartCheckout{Shift: info}})
	}
	// The sale stream is read even for a new sale (with the rest, see loadSaleContext): a
	// retry appending at no-stream would not fail but succeed as an idempotent append, and the
	// sale decided now (its times) would be answered instead of the one stored; reading it
	// finds the original (Replayed).
	open := func(sl sale.State) ([]sale.Event, error) {
		if sl.Exists() {
			// Not this command's events (a replay is found before deciding): the ID was
			// used for a sale with other content.
			return nil, rules.ErrIDReused.With("sale " + c.SaleID.String() + " was created with other content")
		}
		return decideSteps(sl, steps, now)
	}
	return salePlan{cmd: cmd, c: c, now: now, sc: sc, info: info, open: open}, nil
}

// createPlanned writes the sale p plans: at once where it can (createAtOnce), else step by
// step.
func (s *Sales) createPlanned(ctx context.Context, p salePlan) (SaleResult, error) {
	if res, answered, err := s.createAtOnce(ctx, p); answered {
		return res, err
	}
	cmd, c, sc, info, now := p.cmd, p.c, p.sc, p.info, p.now
	sh, reg := sc.shift, sc.register
	res, created, err := execute(ctx, s.h, SaleStream(c.SaleID), SaleAggregate, cmd, &sc.sale, p.open)
	if err != nil || !c.Complete {
		return SaleResult{res, created}, err
	}
	if res.Replayed {
		return s.complete(ctx, cmd, created, now)
	}
	if _, ok := res.Events[len(res.Events)-1].(sale.CheckoutStarted); !ok {
		return SaleResult{}, fmt.Errorf("sale %s: a complete sale was written without its checkout", c.SaleID)
	}
	// This call wrote the checkout (its position is the append's), after it read the register
	// and the shift: both can go on from those reads (see finish).
	return s.finish(ctx, cmd, created, res.Position, &sh, &reg, info, now)
}

// decideSteps decides steps one after the other (as sale.DecideAll), naming the request field
// of a step's validation errors ("lines[1].quantity"). A step refused only for want of
// approvals is decided on as if approved (sale.DecideAsApproved), so that when the steps fail
// for nothing else the one rules.ApprovalRequired names every approval they need: the client
// asks for them all at once and no token is spent on a command that would still be refused.
func decideSteps(s sale.State, steps []step, now time.Time) ([]sale.Event, error) {
	var all []sale.Event
	var needs []string
	for _, st := range steps {
		evs, more, err := sale.DecideAsApproved(s, st.cmd, now)
		if err != nil {
			return nil, prefixFields(err, st.field)
		}
		needs = append(needs, more...)
		for _, e := range evs {
			s = sale.Evolve(s, e)
		}
		all = append(all, evs...)
	}
	if len(needs) > 0 {
		return nil, rules.ApprovalRequired(needs...)
	}
	return all, nil
}

// prefixFields puts prefix before the field paths of a validation error.
func prefixFields(err error, prefix string) error {
	var verr *rules.ValidationError
	if prefix == "" || !errors.As(err, &verr) {
		return err
	}
	fields := make([]rules.FieldError, len(verr.Fields))
	for i, f := range verr.Fields {
		fields[i] = rules.FieldError{Field: prefix + "." + f.Field, Message: f.Message}
	}
	return &rules.ValidationError{Fields: fields}
}

// decideOn runs one sale command on the sale l, as its caller loaded it (execute's known: the
// append at l's revision proves it current, or the stream is read again).
func (s *Sales) decideOn(ctx context.Context, cmd Context, l Loaded[sale.State], c sale.Command, field string) (SaleResult, error) {
	now := s.now()
	if !l.Exists {
		return SaleResult{}, rules.ErrNotFound
	}
	res, after, err := execute(ctx, s.h, SaleStream(l.State.ID), SaleAggregate, cmd, &l, func(sl sale.State) ([]sale.Event, error) {
		return decideSteps(sl, []step{{c, field}}, now)
	})
	return SaleResult{res, after}, err
}

// AddLine adds a line to the sale l (as its caller loaded it, see decideOn), priced as at the
// sale's time (an upload's occurred_at, else now).
func (s *Sales) AddLine(ctx context.Context, cmd Context, l Loaded[sale.State], line SaleLine, unlimited bool, approvals rules.Approvals) (SaleResult, error) {
	ls := newSaleLoads(s.h, s.taxCodes)
	var ra readAhead
	storeOfRead := ls.storeAhead(ctx, &ra, l.State.StoreID, "store_id")
	ls.prefetch(ctx, &ra, []SaleLine{line}) // runs ra: the store, product and tax code in one round trip
	st, err := storeOfRead()
	if err != nil {
		return SaleResult{}, err
	}
	at := s.now()
	if l.State.Upload {
		at = l.State.OpenedAt
	}
	p, err := ls.product(ctx, st, at, line.ProductID, "product_id")
	if err != nil {
		return SaleResult{}, err
	}
	return s.decideOn(ctx, cmd, l, sale.AddLine{LineID: line.LineID, Product: p, Quantity: line.Quantity, UnitPrice: line.UnitPrice,
		Discount: line.Discount, Limits: limitsOf(st, unlimited), Approvals: approvals}, "")
}

// RemoveLine voids a line of the sale l; after a payment it needs a sale.void approval, and
// one of sale.discount when it lifts the sale's effective discount beyond the cashier's limit.
func (s *Sales) RemoveLine(ctx context.Context, cmd Context, l Loaded[sale.State], lineID uuid.UUID, unlimited bool, approvals rules.Approvals) (SaleResult, error) {
	st, err := loadStoreState(ctx, s.h, l.State.StoreID, "store_id")
	if err != nil {
		return SaleResult{}, err
	}
	return s.decideOn(ctx, cmd, l, sale.RemoveLine{LineID: lineID, Limits: limitsOf(st, unlimited), Approvals: approvals}, "")
}

// ApplyDiscount sets the discount of a line (lineID set) or of the whole sale l.
func (s *Sales) ApplyDiscount(ctx context.Context, cmd Context, l Loaded[sale.State], lineID uuid.UUID, d sale.Discount, unlimited bool, approvals rules.Approvals) (SaleResult, error) {
	st, err := loadStoreState(ctx, s.h, l.State.StoreID, "store_id")
	if err != nil {
		return SaleResult{}, err
	}
	return s.decideOn(ctx, cmd, l, sale.ApplyDiscount{LineID: lineID, Discount: d, Limits: limitsOf(st, unlimited), Approvals: approvals}, "")
}

// AddPayment takes a tender on the sale l.
func (s *Sales) AddPayment(ctx context.Context, cmd Context, l Loaded[sale.State], p sale.Payment) (SaleResult, error) {
	return s.decideOn(ctx, cmd, l, sale.AddPayment{Payment: p}, "")
}

// Void cancels the open sale l; with payments taken it needs a sale.void approval. A sale
// locked in checkout is voided only when its shift closed without recording its cash (see
// sale.VoidSale): the shift stream is read first to tell. That answer cannot go stale in the
// dangerous direction: completion never records a live sale's cash on a closed shift, so a
// shift found closed without it stays so; a shift found open or holding the cash refuses.
func (s *Sales) Void(ctx context.Context, cmd Context, l Loaded[sale.State], reason string, approvals rules.Approvals) (SaleResult, error) {
	var cash sale.ShiftCash
	if l.State.Status == sale.StatusCheckout {
		sh, err := Load(ctx, s.h, ShiftStream(l.State.ShiftID), shiftCashOf(l.State.ID))
		if err != nil {
			return SaleResult{}, err
		}
		cash = sh.State
	}
	return s.decideOn(ctx, cmd, l, sale.VoidSale{Reason: reason, Approvals: approvals, Shift: cash}, "")
}

// shiftCashOf folds a shift stream into what it says of one sale: whether the shift closed and
// whether it recorded the sale's cash.
func shiftCashOf(saleID uuid.UUID) Aggregate[sale.ShiftCash, shift.Event] {
	return Aggregate[sale.ShiftCash, shift.Event]{Initial: zero[sale.ShiftCash], Evolve: func(c sale.ShiftCash, e shift.Event) sale.ShiftCash {
		switch e := e.(type) {
		case shift.ShiftOpened:
			c.ShiftID = e.ShiftID
		case shift.CashSaleRecorded:
			c.Recorded = c.Recorded || e.SaleID == saleID
		case shift.ShiftClosed:
			c.Closed = true
		}
		return c
	}}
}
