package reports

import (
	"encoding/json"
	"reflect"
	"strconv"
	"strings"

	"github.com/google/uuid"

	"github.com/odata-pos/pos/domain/money"
)

// The lexer's readers of values and of the slim views. Field i of a view is the view's i-th
// struct field (the names come from its JSON tags), so a field added to a view needs a case
// here too; FuzzFastDecode and TestLexerReadsWhatTheCodecWrites fail until it has one. A null
// leaves a value as it is, as json.Unmarshal does (a slice or pointer becomes nil).

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

// string reads a string; one with escapes or invalid UTF-8 encoding/json unquotes.
func (l *lexer) string(s *string) {
	if l.bad || l.null() {
		return
	}
	start := l.i
	if b := l.stringBytes(); !l.bad {
		*s = string(b)
		return
	}
	l.i, l.bad = start, false
	l.skipString()
	if !l.bad && json.Unmarshal(l.b[start:l.i], s) != nil {
		l.bad = true
	}
}

func (l *lexer) int64(n *int64) {
	if l.null() {
		return
	}
	tok := l.number()
	if l.bad {
		return
	}
	v, err := strconv.ParseInt(string(tok), 10, 64)
	if err != nil {
		l.bad = true
		return
	}
	*n = v
}

func (l *lexer) bool(b *bool) {
	switch {
	case l.literal("true"):
		*b = true
	case l.literal("false"):
		*b = false
	case !l.null():
		l.bad = true
	}
}

func (l *lexer) uuid(u *uuid.UUID) {
	if l.null() {
		return
	}
	if b := l.stringBytes(); l.bad || u.UnmarshalText(b) != nil {
		l.bad = true
	}
}

// unmarshaler hands the next string, number or null token to v, as json.Unmarshal does.
func (l *lexer) unmarshaler(v json.Unmarshaler) {
	l.ws()
	start := l.i
	switch {
	case l.null():
	case l.i < len(l.b) && l.b[l.i] == '"':
		l.stringBytes()
	default:
		l.number()
	}
	if l.bad || v.UnmarshalJSON(l.b[start:l.i]) != nil {
		l.bad = true
	}
}

// jsonNames lists the JSON names of the fields of the struct v points to, in order.
func jsonNames(v any) []string {
	t := reflect.TypeOf(v).Elem()
	names := make([]string, t.NumField())
	for i := range names {
		names[i], _, _ = strings.Cut(t.Field(i).Tag.Get("json"), ",")
	}
	return names
}
