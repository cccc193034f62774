package pgstore

// keyLookupPlanner are the planner settings of the store's connections (unless the database
// URL sets them): no sequential scans, hash joins or merge joins while a plan can do without.
//
// Every statement of the store finds its rows by key (a stream by name, events by stream and
// revision, by ID or from a position on) in tables that only grow, and the plans PostgreSQL
// caches for a connection (pgx prepares every statement; after five calls the generic plan is
// kept) are made from the table sizes of the moment. Made while streams and events were small
// — a new shop, a new database, the first minute before autovacuum's first ANALYZE — a plan
// that scans them whole is the cheaper one, and it stays with the connection: the atomic
// statement of a one-shot sale (atomic_one.go) found the streams of its UPDATE by scanning the
// streams table, whose every sale adds a row, so the sale's write cost grew with the number
// of sales (80-128 buffers a call after 11,000-22,000 sales, against 63 with these settings;
// 0.85-2.2 ms a call). With these settings the cheapest plan is the one by keys at any size,
// the plan read_streams forces for itself (migration 0005). They only move the planner's
// costs: a statement with no other way still scans. Migrations run without them.
var keyLookupPlanner = map[string]string{
	"enable_seqscan":   "off",
	"enable_hashjoin":  "off",
	"enable_mergejoin": "off",
}
