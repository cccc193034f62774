// Package policies runs the process managers of the write side: each policy follows $all from
// its own checkpoint and turns events into follow-up commands on other streams.
//
//   - sale-stock: a completed sale takes each stock-tracked line out of the stock of the sale's
//     store (RecordSale; never refused, flagged when it goes negative where forbidden);
//   - return-stock: a return booked on a sale's ledger is recorded on its own stream and its
//     cash refund on its shift (completing what the request did, after a crash), and each
//     restocking line of a recorded return goes back into the store's stock (RecordReturn);
//   - transfer-stock: a received transfer's incoming legs enter the destination's stock.
//
// Follow-up commands have IDs derived from the source event's ID and the line, so their event
// IDs are deterministic. A sale or return movement carries its source's position, and the
// stock stream keeps the highest one recorded (its source mark): a policy handles $all in order,
// so a movement at or before the mark is already written, and a policy that runs twice (two
// replicas, a replay after a restart) writes once, reading only the stream's snapshot and tail.
// A stream whose last such movement has no source (written before the marks) is read back to
// the source instead, as before.
//
// Each policy takes the events its subscription has ready (up to Config.BatchSize, waiting
// briefly for more), calls its handler directly and saves its checkpoint once per batch, only
// after the batch's follow-ups were appended; a failing batch (or event) is retried with
// backoff until it succeeds or the policy stops, so it never drops an event. The sale-stock
// policy appends a batch's movements with one append per stock stream, streams in parallel,
// from the streams' states as it left them. Runner.Progress reports each policy's lag.
package policies
