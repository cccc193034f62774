// Package sale is the sale aggregate: a cart of lines (price and tax frozen when each line is
// added), line and sale discounts, payments in several tenders, and its completion with a
// receipt number or its void.
//
// Invariants, held after every accepted command (and checked by FuzzSaleInvariants):
//
//	total = Σ line amounts − discounts + exclusive tax = Σ line totals
//	Σ tenders − change = total (on completion); change ≥ 0 and comes only from cash
//	a completed or voided sale never changes
//
// Non-cash tenders never exceed the amount due, so any overpayment is cash and becomes change.
// Completing spans the register stream (receipt numbers); see package register for the three
// steps StartCheckout → register.ReserveReceiptNumber → CompleteSale.
//
// A cashier's discount limit holds for each discount rule on its base and for the sale's
// effective discount, line and sale discounts together as a share of the undiscounted gross
// (see raisesBeyond): a command that raises it beyond the limit needs a sale.discount
// approval, whose approver its event records.
//
// An offline upload (OpenSale with Upload set and a past OccurredAt) is judged at OccurredAt:
// the caller passes the price and activity in force then and the shift that was open then. It is
// never refused for arriving late; what it makes inconsistent now (a shift closed since, stock
// below zero) is recorded in the events' Flags.
package sale
