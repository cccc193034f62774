// Package shift is the shift (cash drawer session) aggregate: the opening float, paid in and
// paid out movements, the cash taken by sales and given back by refunds, and the close with
// counted cash, expected cash, over/short and the Z number.
//
//	expected = float + cash sales − cash refunds + paid in − paid out
//	over/short = counted − expected
//
// One open shift per register is enforced by the register aggregate (package register), which
// also assigns Z numbers. A sale's cash reaches the shift from the sale's completion, before
// the sale takes its receipt number, so the shift stream orders every sale against the close.
// Refunds and paid in/out movements are remembered by ID, so a repeat is a no-op; sales are
// not (a shift may take thousands): the command layer finds a repeated sale by its event ID
// after the sale's checkout. The state is therefore small enough to snapshot
// (MarshalSnapshot). A sale or refund recorded after the close (an offline upload rung up
// while the shift was open) is kept with AfterClose set and reported, never lost and never
// changing the final Z figures.
package shift
