package reports

import "github.com/odata-pos/pos/domain/money"

// The lexer's readers of the slim views: field i of a view is the view's i-th struct field
// (the names come from its JSON tags), so a field added to a view needs a case here too.
// FuzzFastDecode fails when they do not agree with json.Unmarshal.

var (
	saleCompletedFields  = jsonNames(&saleCompleted{})
	saleLineFields       = jsonNames(&saleLine{})
	saleTotalsFields     = jsonNames(&saleTotals{})
	tenderAmountFields   = jsonNames(&tenderAmount{})
	returnRecordedFields = jsonNames(&returnRecorded{})
	returnLineFields     = jsonNames(&returnLine{})
	stockMovedFields     = jsonNames(&stockMoved{})
	stockCountedFields   = jsonNames(&stockCounted{})
	amountFields         = jsonNames(&amount{})
	moneyFields          = jsonNames(&money.Money{})
)

func (l *lexer) saleCompleted(v *saleCompleted) {
	l.object(saleCompletedFields, func(i int) {
		switch i {
		case 0:
			l.uuid(&v.StoreID)
		case 1:
			l.uuid(&v.ShiftID)
		case 2:
			l.string(&v.CashierID)
		case 3:
			slice(l, &v.Lines, (*lexer).saleLine)
		case 4:
			l.object(saleTotalsFields, func(i int) {
				if i == 0 {
					l.money(&v.Totals.Total)
				} else {
					l.amount(&v.Totals.Change)
				}
			})
		case 5:
			slice(l, &v.Payments, (*lexer).tenderAmount)
		case 6:
			l.unmarshaler(&v.CompletedAt)
		}
	})
}

func (l *lexer) saleLine(v *saleLine) {
	l.object(saleLineFields, func(i int) {
		switch i {
		case 0:
			l.uuid(&v.ProductID)
		case 1:
			l.string(&v.Category)
		case 2:
			l.unmarshaler(&v.Quantity)
		case 3:
			l.amount(&v.Discount)
		case 4:
			l.amount(&v.Tax)
		case 5:
			l.amount(&v.Total)
		}
	})
}

func (l *lexer) tenderAmount(v *tenderAmount) {
	l.object(tenderAmountFields, func(i int) {
		if i == 0 {
			l.string(&v.Tender)
		} else {
			l.amount(&v.Amount)
		}
	})
}

func (l *lexer) returnRecorded(v *returnRecorded) {
	l.object(returnRecordedFields, func(i int) {
		switch i {
		case 0:
			l.uuid(&v.StoreID)
		case 1:
			l.uuid(&v.ShiftID)
		case 2:
			slice(l, &v.Lines, (*lexer).returnLine)
		case 3:
			slice(l, &v.Refunds, (*lexer).tenderAmount)
		case 4:
			l.money(&v.Total)
		case 5:
			l.unmarshaler(&v.ReturnedAt)
		}
	})
}

func (l *lexer) returnLine(v *returnLine) {
	l.object(returnLineFields, func(i int) {
		switch i {
		case 0:
			l.uuid(&v.ProductID)
		case 1:
			l.string(&v.Category)
		case 2:
			l.unmarshaler(&v.Quantity)
		case 3:
			l.bool(&v.Restock)
		case 4:
			l.string(&v.Reason)
		case 5:
			l.amount(&v.Tax)
		case 6:
			l.amount(&v.Refund)
		}
	})
}

func (l *lexer) stockMoved(v *stockMoved) {
	l.object(stockMovedFields, func(i int) {
		switch i {
		case 0:
			l.uuid(&v.LocationID)
		case 1:
			l.uuid(&v.ProductID)
		case 2:
			l.string(&v.Kind)
		case 3:
			l.unmarshaler(&v.Delta)
		case 4:
			l.unmarshaler(&v.OnHand)
		case 5:
			if l.null() {
				v.UnitCost = nil
				return
			}
			v.UnitCost = &money.Money{}
			l.money(v.UnitCost)
		case 6:
			l.unmarshaler(&v.At)
		}
	})
}

func (l *lexer) stockCounted(v *stockCounted) {
	l.object(stockCountedFields, func(i int) {
		switch i {
		case 0:
			l.uuid(&v.LocationID)
		case 1:
			l.uuid(&v.ProductID)
		case 2:
			l.unmarshaler(&v.Counted)
		case 3:
			l.unmarshaler(&v.At)
		}
	})
}

func (l *lexer) amount(v *amount) {
	l.object(amountFields, func(int) { l.int64(&v.Amount) })
}

func (l *lexer) money(v *money.Money) {
	l.object(moneyFields, func(i int) {
		if i == 0 {
			l.int64(&v.Amount)
		} else {
			l.string(&v.Currency)
		}
	})
}
