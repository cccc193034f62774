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
// IDs are deterministic and the aggregates deduplicate the movement IDs: a policy that runs
// twice (two replicas, a replay after a restart) writes once. A policy saves its checkpoint
// only after an event's follow-ups were appended, and retries a failing follow-up with backoff
// until it succeeds or the policy stops, so it never drops an event: after a restart it resumes
// from the checkpoint and re-handles at most the events after it.
//
// Events reach the handlers through a watermill router (retry and recoverer middleware) fed by
// an in-process subscriber; each policy hands over one event and waits for its ack before the
// next, so a policy sees its events in $all order.
package policies
