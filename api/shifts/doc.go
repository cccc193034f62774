// Package shifts serves the /shifts routes of the HTTP API: opening a shift on a register
// with its float (one open shift per register), paid in and paid out, the close with counted
// cash → expected cash, over/short and the register's next Z number (a manager's
// shift.close_over_short approval beyond the store's tolerance), and the X/Z report folded from
// the write side. Sales record their cash on the shift themselves as they complete (see
// commands.Sales.Complete), so the close's expected cash is exact without waiting on a policy.
package shifts
