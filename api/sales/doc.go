// Package sales serves the /sales routes of the HTTP API: opening a cart or recording a whole
// sale in one call (including offline uploads with a past occurred_at), lines, discounts,
// payments, completion with a gap-free receipt number, voids, and the sale folded from the
// write side. Client IDs (sale, line, payment) become command IDs, so a retried request never
// records anything twice, with or without Idempotency-Key. Manager approvals (sale.discount,
// sale.price_override, sale.void) come as X-Approval-Token, one token per action (see
// cmdhttp.ApprovalTokens), and are spent only when the deciders ask for them.
package sales
