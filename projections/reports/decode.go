package reports

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/odata-pos/pos/domain/money"
	"github.com/odata-pos/pos/domain/quantity"
	"github.com/odata-pos/pos/domain/returns"
	"github.com/odata-pos/pos/domain/sale"
	"github.com/odata-pos/pos/domain/stock"
	"github.com/odata-pos/pos/eventstore"
)

// The frequent events (sales, returns, stock movements and counts) are decoded into the slim
// views below: the same JSON fields as the domain events, but only those the reports read, so
// the fold does not pay for the rest (IDs, names, prices, flags). Decoding the domain event
// and keeping these fields gives the same values (FuzzSlimDecode checks it). The rare events
// (stores, products, shifts) are decoded by the codec into their domain types.

// amount is the minor-unit amount of a money.Money, without its currency.
type amount struct {
	Amount int64 `json:"amount"`
}

// saleCompleted is what the reports read of a sale.SaleCompleted.
type saleCompleted struct {
	StoreID     uuid.UUID      `json:"store_id"`
	ShiftID     uuid.UUID      `json:"shift_id"`
	CashierID   string         `json:"cashier_id"`
	Lines       []saleLine     `json:"lines"`
	Totals      saleTotals     `json:"totals"`
	Payments    []tenderAmount `json:"payments"`
	CompletedAt time.Time      `json:"completed_at"`
}

// saleLine is what the reports read of a sale.PricedLine.
type saleLine struct {
	ProductID uuid.UUID         `json:"product_id"`
	Category  string            `json:"category"`
	Quantity  quantity.Quantity `json:"quantity"`
	Discount  amount            `json:"discount"`
	Tax       amount            `json:"tax"`
	Total     amount            `json:"total"`
}

// saleTotals is what the reports read of a sale.Totals.
type saleTotals struct {
	Total  money.Money `json:"total"`
	Change amount      `json:"change"`
}

// tenderAmount is what the reports read of a sale.Payment or a returns.Refund.
type tenderAmount struct {
	Tender string `json:"tender"`
	Amount amount `json:"amount"`
}

// returnRecorded is what the reports read of a returns.ReturnRecorded.
type returnRecorded struct {
	StoreID    uuid.UUID      `json:"store_id"`
	ShiftID    uuid.UUID      `json:"shift_id"`
	Lines      []returnLine   `json:"lines"`
	Refunds    []tenderAmount `json:"refunds"`
	Total      money.Money    `json:"total"`
	ReturnedAt time.Time      `json:"returned_at"`
}

// returnLine is what the reports read of a returns.ReturnedLine.
type returnLine struct {
	ProductID uuid.UUID         `json:"product_id"`
	Category  string            `json:"category"`
	Quantity  quantity.Quantity `json:"quantity"`
	Restock   bool              `json:"restock"`
	Reason    string            `json:"reason"`
	Tax       amount            `json:"tax"`
	Refund    amount            `json:"refund"`
}

// stockMoved is what the reports read of a stock.StockMoved.
type stockMoved struct {
	LocationID uuid.UUID         `json:"location_id"`
	ProductID  uuid.UUID         `json:"product_id"`
	Kind       string            `json:"kind"`
	Delta      quantity.Quantity `json:"delta"`
	OnHand     quantity.Quantity `json:"on_hand"`
	UnitCost   *money.Money      `json:"unit_cost"`
	At         time.Time         `json:"at"`
}

// stockCounted is what the reports read of a stock.StockCounted.
type stockCounted struct {
	LocationID uuid.UUID         `json:"location_id"`
	ProductID  uuid.UUID         `json:"product_id"`
	Counted    quantity.Quantity `json:"counted"`
	At         time.Time         `json:"at"`
}

// decode returns the value the fold reads of e: a slim view of a frequent event (read by the
// lexer, else by json.Unmarshal), else the domain event the codec decodes.
func (p *Projection) decode(e eventstore.RecordedEvent) (any, error) {
	var v any
	var err error
	switch e.Type {
	case sale.TypeSaleCompleted:
		v, err = unmarshal(e.Data, (*lexer).saleCompleted)
	case returns.TypeReturnRecorded:
		v, err = unmarshal(e.Data, (*lexer).returnRecorded)
	case stock.TypeStockMoved:
		v, err = unmarshal(e.Data, (*lexer).stockMoved)
	case stock.TypeStockCounted:
		v, err = unmarshal(e.Data, (*lexer).stockCounted)
	default:
		return p.codec.DecodeEvent(e)
	}
	if err != nil {
		return nil, fmt.Errorf("decode %s: %w", e.Type, err)
	}
	return v, nil
}

// unmarshal reads data with read, or with json.Unmarshal when the lexer gives up.
func unmarshal[T any](data []byte, read func(*lexer, *T)) (any, error) {
	var v T
	l := lexer{b: data}
	if read(&l, &v); l.done() {
		return v, nil
	}
	var w T
	err := json.Unmarshal(data, &w)
	return w, err
}
