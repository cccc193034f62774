// Package returns is the return aggregate: a document of its own that references the original
// sale (or none, for a no-receipt return) and records what came back, whether it goes back to
// stock, and the refunds by tender.
//
// Rules: per original line, returned ≤ sold − already returned; the refund of a line is its
// apportioned share of what the customer paid for it (net after line and sale discounts, plus
// tax), never the list price, and returning a line in several parts refunds exactly its total;
// refunds ≤ what was paid, per tender (store credit may always be issued); cash refunds need an
// open shift; no-receipt returns, and refunds above the user's limit, need a manager's approval
// each (a no-receipt return above the limit both, asked for at once).
//
// The decider takes the completed sale's state and what earlier returns of it took back
// (quantities per line, refunds per tender) as input; the commands layer must read those with
// optimistic concurrency (for example from a per-sale ledger stream) so that two concurrent
// returns of one sale cannot both take the last item.
package returns
