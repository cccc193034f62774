// Package shift is the shift (cash drawer session) aggregate: the opening float, paid in and
// paid out movements, the cash taken by sales and given back by refunds, and the close with
// counted cash, expected cash, over/short and the Z number.
//
//	expected = float + cash sales − cash refunds + paid in − paid out
//	over/short = counted − expected
//
// One open shift per register is enforced by the register aggregate (package register), which
// also assigns Z numbers. Cash sales and refunds reach the shift through a policy of the
// commands layer (idempotent per sale and return ID); the close handler must let that policy
// catch up before it closes. A sale or refund recorded after the close (an offline upload rung up
// while the shift was open) is kept with AfterClose set and reported, never lost and never
// changing the final Z figures.
package shift
