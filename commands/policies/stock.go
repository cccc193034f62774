package policies

import (
	"context"
	"fmt"
	"strconv"

	"github.com/google/uuid"

	"github.com/odata-pos/pos/commands"
	"github.com/odata-pos/pos/domain/returns"
	"github.com/odata-pos/pos/domain/sale"
	"github.com/odata-pos/pos/domain/stock"
	"github.com/odata-pos/pos/domain/transfer"
	"github.com/odata-pos/pos/eventstore"
)

// Names of the default policies (also their checkpoint names).
const (
	SaleStock     = "sale-stock"
	ReturnStock   = "return-stock"
	TransferStock = "transfer-stock"
)

// Default returns the policies of the write side, appending through h.
func Default(h *commands.Handler) []Policy {
	sales := &saleStock{h: h, writer: newStockWriter(h, stock.KindSale)}
	restock := newStockWriter(h, stock.KindReturn)
	return []Policy{
		{Name: SaleStock, Filter: eventstore.Filter{Types: []string{sale.TypeSaleCompleted}}, HandleBatch: sales.handle},
		{Name: ReturnStock, Filter: eventstore.Filter{Types: []string{returns.TypeReturnBooked, returns.TypeReturnRecorded}},
			Handle: func(ctx context.Context, e eventstore.RecordedEvent) error { return returnStock(ctx, h, restock, e) }},
		{Name: TransferStock, Filter: eventstore.Filter{Types: []string{transfer.TypeTransferReceived}},
			Handle: func(ctx context.Context, e eventstore.RecordedEvent) error { return transferStock(ctx, h, e) }},
	}
}

// FollowUp is the command context of the part-th follow-up of source by policy: its ID, hence
// its event IDs, derive from the source event's ID and the part; it keeps the source's
// correlation and names the source as its cause.
func FollowUp(policy string, source eventstore.RecordedEvent, part string) commands.Context {
	m := source.Metadata
	return commands.Context{
		ID:            "policy:" + policy + ":" + source.ID.String() + ":" + part,
		CorrelationID: m.CorrelationID,
		CausationID:   source.ID.String(),
		UserID:        m.UserID,
		ApproverID:    m.ApproverID,
		StoreID:       m.StoreID,
		RegisterID:    m.RegisterID,
		OccurredAt:    m.OccurredAt,
		Extra:         map[string]string{"policy": policy},
		// The policy acts only once the source has committed: what it wrote before, if it
		// ran already, follows the source in $all (found there behind a snapshot, where the
		// stream's source mark cannot tell).
		After: source.Position,
	}
}

func decode[T any](h *commands.Handler, e eventstore.RecordedEvent) (T, error) {
	var zero T
	v, err := h.Codec().DecodeEvent(e)
	if err != nil {
		return zero, fmt.Errorf("decode %s %s: %w", e.Type, e.ID, err)
	}
	t, ok := v.(T)
	if !ok {
		return zero, fmt.Errorf("event %s: %s is not a %T", e.ID, e.Type, zero)
	}
	return t, nil
}

// saleStock takes each stock-tracked line of a completed sale out of its store's stock.
type saleStock struct {
	h      *commands.Handler
	writer *stockWriter
}

// handle records the movements of a batch of completed sales: the store's settings are read
// once per store, and each stock stream gets one append.
func (p *saleStock) handle(ctx context.Context, events []eventstore.RecordedEvent) error {
	allowNeg := map[uuid.UUID]bool{}
	var work stockWork
	for _, e := range events {
		s, err := decode[sale.SaleCompleted](p.h, e)
		if err != nil {
			return err
		}
		if _, ok := allowNeg[s.StoreID]; !ok {
			st, err := commands.Load(ctx, p.h, commands.StoreStream(s.StoreID), commands.StoreAggregate)
			if err != nil {
				return err
			}
			allowNeg[s.StoreID] = st.State.Settings.AllowNegativeStock
		}
		for i, l := range s.Lines {
			if !l.TrackStock || l.Quantity <= 0 {
				continue
			}
			c := stock.RecordSale{Key: stock.Key{LocationID: s.StoreID, ProductID: l.ProductID, MovementID: "sale:" + s.SaleID.String() + ":" + l.ID.String()},
				Quantity: l.Quantity, AllowNegative: allowNeg[s.StoreID], Source: uint64(e.Position)}
			work.add(commands.StockStream(s.StoreID, l.ProductID), stockStep{Cmd: FollowUp(SaleStock, e, strconv.Itoa(i)),
				Decide: func(st stock.State) ([]stock.Event, error) { return stock.Decide(st, c, s.CompletedAt) }})
		}
	}
	return p.writer.write(ctx, work)
}

// returnStock completes booked returns and restocks the restocking lines of recorded ones.
func returnStock(ctx context.Context, h *commands.Handler, restock *stockWriter, e eventstore.RecordedEvent) error {
	if e.Type == returns.TypeReturnBooked {
		b, err := decode[returns.ReturnBooked](h, e)
		if err != nil {
			return err
		}
		cmd := FollowUp(ReturnStock, e, "record")
		_, err = commands.Execute(ctx, h, commands.ReturnStream(b.Return.ReturnID), commands.ReturnAggregate, cmd,
			func(s returns.State) ([]returns.Event, error) {
				if s.Exists() {
					return nil, nil
				}
				return []returns.Event{b.Return}, nil
			})
		return err
	}
	r, err := decode[returns.ReturnRecorded](h, e)
	if err != nil {
		return err
	}
	if err := commands.RecordReturnCash(ctx, h, FollowUp(ReturnStock, e, "cash"), r); err != nil {
		return fmt.Errorf("return %s cash: %w", r.ReturnID, err)
	}
	var work stockWork
	for i, l := range r.Lines {
		if !l.Restock || l.Quantity <= 0 || l.ProductID == uuid.Nil {
			continue
		}
		p, err := commands.Load(ctx, h, commands.ProductStream(l.ProductID), commands.ProductAggregate)
		if err != nil {
			return err
		}
		if p.State.Exists() && !p.State.Created.TrackStock {
			continue
		}
		c := stock.RecordReturn{Key: stock.Key{LocationID: r.StoreID, ProductID: l.ProductID, MovementID: "return:" + r.ReturnID.String() + ":" + strconv.Itoa(i)},
			Quantity: l.Quantity, Source: uint64(e.Position)}
		work.add(commands.StockStream(r.StoreID, l.ProductID), stockStep{Cmd: FollowUp(ReturnStock, e, strconv.Itoa(i)),
			Decide: func(st stock.State) ([]stock.Event, error) { return stock.Decide(st, c, r.ReturnedAt) }})
	}
	if err := restock.write(ctx, work); err != nil {
		return fmt.Errorf("return %s: %w", r.ReturnID, err)
	}
	return nil
}

// transferStock books the incoming legs of a received transfer.
func transferStock(ctx context.Context, h *commands.Handler, e eventstore.RecordedEvent) error {
	t, err := decode[transfer.TransferReceived](h, e)
	if err != nil {
		return err
	}
	state := transfer.State{ID: t.TransferID, FromLocationID: t.FromLocationID, ToLocationID: t.ToLocationID, Lines: t.Lines, Status: transfer.StatusReceived}
	_, err = commands.TransferInLegs(ctx, h, FollowUp(TransferStock, e, "in"), state, t.ReceivedAt)
	return err
}
