// Package audit serves the history API for auditors and admins (permission audit.read):
//
//	GET /audit/events                  the $all feed, filtered and paged by position
//	GET /audit/streams/{stream}        one stream's events with full metadata, revision order
//	GET /audit/streams/{stream}/state  the aggregate folded up to a time or a revision
//	GET /audit/streams/{stream}/diff   the events between two revisions and a JSON diff
//	GET /audit/verify                  eventstore/audit.Verify over the whole log
//
// Events render as {id, type, stream, revision, position, data, metadata, occurred_at,
// recorded_at, hash, upload_delay_seconds}: data and metadata exactly as stored, occurred_at the
// client's time (metadata) and recorded_at the store's, so offline uploads show as events that
// occurred long before they were recorded.
//
// Every audit query is itself recorded as an event "audit.query_performed.v1" in the stream
// "auditlog-<YYYY-MM-DD>" (UTC day): who (user ID), what (route and query string) and when. It is
// thereby hash-chained and sealed by checkpoints like every other event, so nobody can
// quietly erase the trace of having looked. A query whose record cannot be written fails
// (503): an unrecorded look is not allowed.
package audit
