// Package reports serves the report routes of the HTTP API from the report tables of
// projections/reports: GET /reports/sales (group_by day, product, category, cashier, tender,
// hour), /reports/returns, /reports/inventory-valuation, /reports/top-products,
// /reports/shifts and /stats.
//
// Answers are {"items": [...], "next_cursor": "…"} rows, or CSV with a header row when the
// client sends Accept: text/csv. from and to are business days (inclusive) in each store's
// time zone, or RFC 3339 times. Callers bound to stores see only their stores.
//
// X-Consistent-With: <position> waits (at most ConsistencyTimeout, 5 s by default) until the
// report projection has applied that position, else 503 consistency_timeout. Each answer is
// computed in one read-only repeatable-read transaction that also reads the live checkpoint,
// and is cached in Redis under a key holding that checkpoint (and the generation's schema), so a
// cached answer is exactly the tables at that checkpoint: a request whose wait ended at
// checkpoint c can only find answers computed at c, never older ones. Without Redis, or with
// Redis down, answers are computed every time (counted in pos_redis_fallbacks_total).
package reports
