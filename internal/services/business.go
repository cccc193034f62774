package services

import (
	"github.com/odata-pos/pos/commands"
	"github.com/odata-pos/pos/domain/money"
	"github.com/odata-pos/pos/domain/returns"
	"github.com/odata-pos/pos/domain/sale"
	"github.com/odata-pos/pos/domain/shift"
	"github.com/odata-pos/pos/monitoring"
)

// businessObserver feeds the business metrics from the events the command side appends:
// completed and voided sales, returns and shift closes, each counted for its store. A void and a
// close do not name their store; the aggregate's state after them does.
func businessObserver(m *monitoring.BusinessMetrics) commands.Observer {
	return func(events []any, state any) {
		for _, e := range events {
			switch ev := e.(type) {
			case sale.SaleCompleted:
				m.SaleCompleted(ev.StoreID.String(), majorUnits(ev.Totals.Total))
			case sale.SaleVoided:
				if s, ok := state.(sale.State); ok {
					m.SaleVoided(s.StoreID.String())
				}
			case returns.ReturnRecorded:
				m.ReturnRecorded(ev.StoreID.String(), majorUnits(ev.Total))
			case shift.ShiftClosed:
				if s, ok := state.(shift.State); ok {
					m.ShiftClosed(s.StoreID.String(), majorUnits(ev.OverShort))
				}
			}
		}
	}
}

// majorUnits is an amount in major units of its currency (the minor units / 100, as
// money.Money prints it).
func majorUnits(m money.Money) float64 { return float64(m.Amount) / 100 }
