// Package register is the register (till) aggregate. It holds what must be sequential and
// unique per register:
//
//   - which shift is open (one open shift per register);
//   - Z numbers, assigned in order when a shift closes, final;
//   - receipt numbers, gap-free and sequential, assigned only to sales that complete.
//
// Completing a sale spans the sale stream and the register stream. The commands layer does it
// in idempotent steps, so that a number is never lost and never given twice:
//
//  1. sale.StartCheckout on the sale stream: checks the sale can complete and locks it (no more
//     lines, payments or voids), so nothing can make it incompletable after the number;
//  2. ReserveReceiptNumber{SaleID} on the register stream, with an event ID derived from the sale
//     ID: the next number. A retry finds the reservation by that event ID among the register's
//     events after the checkout (the reservation can only follow it), so it never decides again;
//  3. sale.CompleteSale{ReceiptNumber} on the sale stream.
//
// Closing a shift is the same with Z numbers: CloseShift here (idempotent per shift ID, so a
// retry reuses the Z number) and then shift.Close on the shift stream.
//
// The register stream grows with every sale, so its state is small and snapshotted (see
// MarshalSnapshot): the last numbers, the open shift and the shift→Z map (a few entries a
// day). It keeps no sale→receipt map, which would grow with every sale ever rung. The map is
// updated in place by Evolve: treat a State passed to Evolve as consumed.
package register
