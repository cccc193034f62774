// Package reports is the analysts' read model: report tables of sales, returns, tenders,
// inventory valuation and shifts, folded from $all by the projection runner and exposed in the
// stable PostgreSQL schema "reports" (one view per table, re-pointed on every rebuild), which
// the read-only role pos_analyst may SELECT. docs/reports.md documents every table and column.
//
// Business days and hours follow the store's time zone: an event counts on the local day
// (and hour) of its occurred_at metadata in the zone of its store, which the projection learns
// from the store's StoreCreated event. A late (offline) event lands on the day it occurred.
// The fold is deterministic: no wall clock, no reads of other read models.
//
// Apply folds a whole batch in memory first (decode, look up the store, product and stock rows
// the batch touches in one round trip, aggregate per report row) and then writes each table
// with one unnest upsert that adds to the row, all pipelined in one pgx.Batch. Decoding reads
// only the fields the reports use of the frequent events (slim views, read by a one-pass lexer
// and in parallel), and the store and product rows once read stay in a per-schema cache that
// holds only rows committed before the batch (masterCache), so it survives rollbacks as is.
//
// The package also holds the queries of the report API (api/reports): Sales, Returns,
// InventoryValuation, TopProducts, Shifts and Counts.
package reports
