// Package register is the register (till) aggregate. It holds what must be sequential and
// unique per register:
//
//   - which shift is open (one open shift per register);
//   - Z numbers, assigned in order when a shift closes, final;
//   - receipt numbers, gap-free and sequential, assigned only to sales that complete.
//
// Completing a sale spans the sale stream and the register stream. The commands layer does it
// in three idempotent steps, so that a number is never lost and never given twice:
//
//  1. sale.StartCheckout on the sale stream: checks the sale can complete and locks it (no more
//     lines, payments or voids), so nothing can make it incompletable after step 2;
//  2. ReserveReceiptNumber{SaleID} on the register stream, with an event ID derived from the sale
//     ID: the next number, or the one already reserved for that sale on a retry;
//  3. sale.CompleteSale{ReceiptNumber} on the sale stream.
//
// Closing a shift is the same with Z numbers: CloseShift here (idempotent per shift ID, so a
// retry reuses the Z number) and then shift.Close on the shift stream.
//
// State keeps the sale→receipt and shift→Z maps so that a retry at any later time finds its
// number. The maps are updated in place by Evolve: treat a State passed to Evolve as consumed.
package register
