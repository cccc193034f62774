// Package stock is the stock aggregate of one product at one location (a store or warehouse):
// one stream per (location, product). On hand = last count + movements since. Movements are
// receipts, adjustments (with a reason code), sales, restocking returns and the two legs of a
// transfer; a count records the variance against what was expected.
//
// Whether stock may go negative is a store setting passed in with each command. Manual
// movements (adjustments, transfers out) that would break it are refused. Sales are never
// refused here: they already happened (an offline upload may arrive long after), so a sale that
// takes stock below zero where that is forbidden is recorded with a negative_stock flag and
// reported. Every movement carries a movement ID. A repeated document ID (receipt, adjustment,
// count, transfer) is a no-op here; a sale or return movement carries the position of its
// source in $all, and one repeated by a policy that runs twice is known by the stream's source
// mark (the highest source recorded per kind; State.Recorded), so the state stays small and can
// be snapshotted (MarshalSnapshot) however many sales the stream records.
package stock
