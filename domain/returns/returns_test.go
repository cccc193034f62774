package returns

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/odata-pos/pos/domain/money"
	"github.com/odata-pos/pos/domain/quantity"
	"github.com/odata-pos/pos/domain/rules"
	"github.com/odata-pos/pos/domain/sale"
)

var (
	now                 = time.Date(2025, 3, 2, 10, 0, 0, 0, time.UTC)
	storeID, regID      = id(2), id(3)
	shift               = sale.ShiftInfo{ID: id(4), RegisterID: regID, OpenedAt: now.Add(-48 * time.Hour)}
	breadLine, soapLine = id(20), id(21)
	cashier             = rules.Limits{MaxDiscountBP: 1000, MaxRefund: 5000}
)

func id(n byte) uuid.UUID            { var u uuid.UUID; u[15] = n; return u }
func eur(a int64) money.Money        { return money.New(a, "EUR") }
func qty(s string) quantity.Quantity { return quantity.MustParse(s) }

// completedSale: 3 bread at 2.99 (9 %) and 1 soap at 5.00 (21 %), prices incl. tax, 1.00 off the
// sale (apportioned 0.64 : 0.36), nets 8.33 and 4.64, total 12.97; paid 10.00 card + 5.00 cash,
// change 2.03, so 2.97 cash stayed in the drawer.
func completedSale(t *testing.T) *sale.State {
	t.Helper()
	st := sale.StoreInfo{ID: storeID, Currency: "EUR", PricesIncludeTax: true, Rounding: money.HalfUp}
	bread := sale.Product{ID: id(10), SKU: "BRD", Active: true, Price: eur(299), TaxRateBP: 900}
	soap := sale.Product{ID: id(11), SKU: "SOP", Active: true, Price: eur(500), TaxRateBP: 2100}
	_, s, err := sale.DecideAll(sale.State{}, []sale.Command{
		sale.OpenSale{SaleID: id(1), Store: st, RegisterID: regID, Shift: shift},
		sale.AddLine{LineID: breadLine, Product: bread, Quantity: qty("3")},
		sale.AddLine{LineID: soapLine, Product: soap, Quantity: qty("1")},
		sale.ApplyDiscount{Discount: sale.Discount{Amount: eur(100)}, Limits: rules.Limits{Unlimited: true}},
		sale.AddPayment{Payment: sale.Payment{ID: id(30), Tender: sale.TenderCard, Amount: eur(1000)}},
		sale.AddPayment{Payment: sale.Payment{ID: id(31), Tender: sale.TenderCash, Amount: eur(500)}},
		sale.CompleteSale{ReceiptNumber: 1, Shift: shift},
	}, now.Add(-24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	return &s
}

func TestReturnRules(t *testing.T) {
	s := completedSale(t)
	ret := func(lines []Line, refunds []Refund, mod func(*CreateReturn)) CreateReturn {
		c := CreateReturn{ReturnID: id(40), Sale: s, ShiftID: shift.ID, ShiftOpen: true, Lines: lines, Refunds: refunds, Limits: cashier}
		if mod != nil {
			mod(&c)
		}
		return c
	}
	oneBread := []Line{{SaleLineID: breadLine, Quantity: qty("1"), Restock: true, Reason: "stale"}}
	bread1 := ReturnedLine{SaleLineID: breadLine, ProductID: id(10), SKU: "BRD", Quantity: qty("1"), UnitPrice: eur(299), TaxRateBP: 900,
		Restock: true, Reason: "stale", Net: eur(278), Tax: eur(23), Refund: eur(278)}
	noReceipt := func(c *CreateReturn) {
		c.Sale, c.Lines, c.Store = nil, nil, sale.StoreInfo{ID: storeID, Currency: "EUR", PricesIncludeTax: true, Rounding: money.HalfUp}
		c.NoReceiptLines = []NoReceiptLine{{Product: sale.Product{ID: id(10), SKU: "BRD", Price: eur(299), TaxRateBP: 900}, Quantity: qty("1"), Reason: "gift"}}
	}
	tests := []struct {
		name        string
		when        CreateReturn
		check       func(t *testing.T, e ReturnRecorded)
		wantErr     error
		wantActions []string // the approvals a refusal names
	}{
		{name: "refund is the apportioned net plus tax, not the list price; non-cash tenders first",
			when: ret(oneBread, nil, nil),
			check: func(t *testing.T, e ReturnRecorded) {
				if len(e.Lines) != 1 || e.Lines[0] != bread1 || e.Total != eur(278) || e.CashOut != eur(0) {
					t.Fatalf("%+v", e)
				}
				if len(e.Refunds) != 1 || e.Refunds[0].Tender != sale.TenderCard || e.Refunds[0].Amount != eur(278) || e.Refunds[0].ID != refundID(id(40), 0) {
					t.Fatalf("refunds %+v", e.Refunds)
				}
			}},
		{name: "returning the rest refunds exactly what is left of the line",
			when: ret([]Line{{SaleLineID: breadLine, Quantity: qty("2")}}, nil, func(c *CreateReturn) {
				c.Returned = map[uuid.UUID]quantity.Quantity{breadLine: qty("1")}
			}),
			check: func(t *testing.T, e ReturnRecorded) {
				if e.Total != eur(833-278) || e.Lines[0].Tax != eur(69-23) {
					t.Fatalf("%+v", e)
				}
			}},
		{name: "returned ≤ sold − already returned", when: ret([]Line{{SaleLineID: breadLine, Quantity: qty("3")}}, nil, func(c *CreateReturn) {
			c.Returned = map[uuid.UUID]quantity.Quantity{breadLine: qty("1")}
		}), wantErr: ErrExceedsSold},
		{name: "an unknown sale line", when: ret([]Line{{SaleLineID: id(99), Quantity: qty("1")}}, nil, nil), wantErr: rules.ErrValidation},
		{name: "cash refund within what cash paid (2.97)", when: ret(oneBread, []Refund{{ID: id(50), Tender: sale.TenderCash, Amount: eur(278)}}, nil),
			check: func(t *testing.T, e ReturnRecorded) {
				if e.CashOut != eur(278) {
					t.Fatalf("cash out %v", e.CashOut)
				}
			}},
		{name: "a refund beyond money.MaxAmount is refused (issue 11.1)", when: ret(oneBread, []Refund{{ID: id(50), Tender: sale.TenderCard, Amount: eur(money.MaxAmount + 1)}}, nil), wantErr: rules.ErrValidation},
		{name: "a quantity beyond quantity.Max is refused (issue 11.1)", when: ret([]Line{{SaleLineID: breadLine, Quantity: quantity.Max + 1000}}, nil, nil), wantErr: rules.ErrValidation},
		{name: "a no-receipt return whose total passes money.MaxAmount is refused (issue 11.1)", when: ret(nil, nil, func(c *CreateReturn) {
			noReceipt(c)
			c.NoReceiptLines[0].Product.Price, c.NoReceiptLines[0].Quantity = eur(money.MaxAmount), qty("2")
		}), wantErr: rules.ErrOutOfRange},
		{name: "a no-receipt return whose amount overflows is refused with a rule error (issue 11.1)", when: ret(nil, nil, func(c *CreateReturn) {
			noReceipt(c)
			c.NoReceiptLines[0].Product.Price, c.NoReceiptLines[0].Quantity = eur(1<<62), qty("1000")
		}), wantErr: rules.ErrOutOfRange},
		{name: "refunds must add up to the return", when: ret(oneBread, []Refund{{ID: id(50), Tender: sale.TenderCash, Amount: eur(299)}}, nil), wantErr: ErrRefundMismatch},
		{name: "refunds ≤ what was paid, by tender (cash net of change)",
			when: ret([]Line{{SaleLineID: soapLine, Quantity: qty("1")}}, []Refund{{ID: id(50), Tender: sale.TenderCash, Amount: eur(464)}}, nil), wantErr: ErrRefundExceedsPaid},
		{name: "earlier refunds count against the tender",
			when: ret(oneBread, []Refund{{ID: id(50), Tender: sale.TenderCash, Amount: eur(278)}}, func(c *CreateReturn) {
				c.Refunded = map[string]money.Money{sale.TenderCash: eur(100)}
			}), wantErr: ErrRefundExceedsPaid},
		{name: "a tender the sale was not paid in", when: ret(oneBread, []Refund{{ID: id(50), Tender: sale.TenderGiftCard, Amount: eur(278)}}, nil), wantErr: ErrRefundExceedsPaid},
		{name: "store credit may always be issued", when: ret(oneBread, []Refund{{ID: id(50), Tender: sale.TenderStoreCredit, Amount: eur(278)}}, nil)},
		{name: "cash refunds need an open shift", when: ret(oneBread, []Refund{{ID: id(50), Tender: sale.TenderCash, Amount: eur(278)}}, func(c *CreateReturn) { c.ShiftOpen = false }), wantErr: ErrShiftNotOpen},
		{name: "card refunds need no shift", when: ret(oneBread, nil, func(c *CreateReturn) { c.ShiftOpen = false })},
		{name: "a refund above the cashier's limit needs an approval", when: ret(oneBread, nil, func(c *CreateReturn) { c.Limits.MaxRefund = 200 }),
			wantErr: rules.ErrApprovalRequired, wantActions: []string{rules.ActionReturnOverLimit}},
		{name: "an approval of another action does not do", when: ret(oneBread, nil, func(c *CreateReturn) {
			c.Limits.MaxRefund = 200
			c.Approvals = approved(rules.ActionReturnNoReceipt)
		}), wantErr: rules.ErrApprovalRequired, wantActions: []string{rules.ActionReturnOverLimit}},
		{name: "an approved refund above the limit records the approver", when: ret(oneBread, nil, func(c *CreateReturn) {
			c.Limits.MaxRefund = 200
			c.Approvals = approved(rules.ActionReturnOverLimit)
		}), check: wantApprovers("mgr-"+rules.ActionReturnOverLimit, rules.ActionReturnOverLimit)},
		{name: "a return within the limit records no approval, even when given one", when: ret(oneBread, nil, func(c *CreateReturn) {
			c.Approvals = approved(rules.ActionReturnOverLimit, rules.ActionReturnNoReceipt)
		}), check: wantApprovers("")},
		{name: "a manager has no refund limit", when: ret(oneBread, nil, func(c *CreateReturn) { c.Limits = rules.Limits{Unlimited: true} }),
			check: wantApprovers("")},
		{name: "a no-receipt return needs an approval", when: ret(nil, nil, noReceipt),
			wantErr: rules.ErrApprovalRequired, wantActions: []string{rules.ActionReturnNoReceipt}},
		{name: "a no-receipt return needs its approval from a manager too", when: ret(nil, nil, func(c *CreateReturn) {
			noReceipt(c)
			c.Limits = rules.Limits{Unlimited: true}
		}), wantErr: rules.ErrApprovalRequired, wantActions: []string{rules.ActionReturnNoReceipt}},
		{name: "an approved no-receipt return refunds the current price in store credit", when: ret(nil, nil, func(c *CreateReturn) {
			noReceipt(c)
			c.Approvals = approved(rules.ActionReturnNoReceipt)
		}), check: func(t *testing.T, e ReturnRecorded) {
			if !e.NoReceipt || e.Total != eur(299) || e.Tax != eur(25) || e.Refunds[0].Tender != sale.TenderStoreCredit {
				t.Fatalf("%+v", e)
			}
			wantApprovers("mgr-"+rules.ActionReturnNoReceipt, rules.ActionReturnNoReceipt)(t, e)
		}},
		{name: "a no-receipt return above the limit names both approvals at once", when: ret(nil, nil, func(c *CreateReturn) {
			noReceipt(c)
			c.Limits.MaxRefund = 200
		}), wantErr: rules.ErrApprovalRequired, wantActions: []string{rules.ActionReturnNoReceipt, rules.ActionReturnOverLimit}},
		{name: "a no-receipt return above the limit with one approval names the other", when: ret(nil, nil, func(c *CreateReturn) {
			noReceipt(c)
			c.Limits.MaxRefund = 200
			c.Approvals = approved(rules.ActionReturnNoReceipt)
		}), wantErr: rules.ErrApprovalRequired, wantActions: []string{rules.ActionReturnOverLimit}},
		{name: "a no-receipt return above the limit with both approvals records both approvers", when: ret(nil, nil, func(c *CreateReturn) {
			noReceipt(c)
			c.Limits.MaxRefund = 200
			c.Approvals = approved(rules.ActionReturnOverLimit, rules.ActionReturnNoReceipt)
		}), check: wantApprovers("mgr-"+rules.ActionReturnNoReceipt+",mgr-"+rules.ActionReturnOverLimit,
			rules.ActionReturnNoReceipt, rules.ActionReturnOverLimit)},
		{name: "one manager approving both is recorded once", when: ret(nil, nil, func(c *CreateReturn) {
			noReceipt(c)
			c.Limits.MaxRefund = 200
			c.Approvals = rules.ApprovalsOf(rules.Approval{ApproverID: "mgr", Action: rules.ActionReturnNoReceipt},
				rules.Approval{ApproverID: "mgr", Action: rules.ActionReturnOverLimit})
		}), check: func(t *testing.T, e ReturnRecorded) {
			if e.ApprovedBy != "mgr" || len(e.Approvals) != 2 {
				t.Fatalf("approved by %q, approvals %+v", e.ApprovedBy, e.Approvals)
			}
		}},
		{name: "a return against an open sale", when: ret(oneBread, nil, func(c *CreateReturn) {
			open := *s
			open.Status = sale.StatusOpen
			c.Sale = &open
		}), wantErr: ErrSaleNotCompleted},
		{name: "bread is not sold by weight", when: ret([]Line{{SaleLineID: breadLine, Quantity: qty("0.5")}}, nil, nil), wantErr: rules.ErrValidation},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			evs, err := Decide(State{}, tt.when, now)
			if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil && err != nil) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			if got := rules.RequiredApprovals(err); !slices.Equal(got, tt.wantActions) {
				t.Fatalf("approvals asked %v, want %v", got, tt.wantActions)
			}
			if err != nil {
				return
			}
			e := evs[0].(ReturnRecorded)
			var refunded int64
			for _, r := range e.Refunds {
				refunded += r.Amount.Amount
			}
			if refunded != e.Total.Amount {
				t.Fatalf("refunds %d ≠ total %d", refunded, e.Total.Amount)
			}
			if tt.check != nil {
				tt.check(t, e)
			}
			if again, err := Decide(Evolve(State{}, e), tt.when, now); err != nil || len(again) != 0 {
				t.Fatalf("a retried return was not a no-op: %v %v", again, err)
			}
		})
	}
}

// approved returns approvals of actions, each by the manager "mgr-<action>".
func approved(actions ...string) rules.Approvals {
	var as rules.Approvals
	for _, a := range actions {
		as = as.With(rules.Approval{ApproverID: "mgr-" + a, Action: a})
	}
	return as
}

// wantApprovers checks that a return records approvedBy, and an approval of each of actions
// in order, each by approved's manager of it.
func wantApprovers(approvedBy string, actions ...string) func(*testing.T, ReturnRecorded) {
	return func(t *testing.T, e ReturnRecorded) {
		t.Helper()
		if e.ApprovedBy != approvedBy || len(e.Approvals) != len(actions) {
			t.Fatalf("approved by %q, approvals %+v; want %q, %v", e.ApprovedBy, e.Approvals, approvedBy, actions)
		}
		for i, a := range actions {
			if e.Approvals[i] != (rules.Approval{ApproverID: "mgr-" + a, Action: a}) {
				t.Fatalf("approvals %+v, want %v", e.Approvals, actions)
			}
		}
	}
}
