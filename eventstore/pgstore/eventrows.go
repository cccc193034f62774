package pgstore

import "github.com/jackc/pgx/v5/pgtype"

// eventRows are the events of several appends as the multi-append statements take them, one
// array per column in the order of their parameters: stream, revision, ID, type, data,
// metadata, chain hash (appendKnownBatchSQL's $6…$12, newStreamsSQL's $4…$10, atomicOneSQL's
// $9…$15).
type eventRows struct {
	streams   []string
	revisions []int64
	ids       []pgtype.UUID
	types     []string
	data      []string
	meta      []string
	hashes    [][]byte
}

// newEventRows returns eventRows with room for n events.
func newEventRows(n int) *eventRows {
	return &eventRows{streams: make([]string, 0, n), revisions: make([]int64, 0, n), ids: make([]pgtype.UUID, 0, n),
		types: make([]string, 0, n), data: make([]string, 0, n), meta: make([]string, 0, n), hashes: make([][]byte, 0, n)}
}

// add appends the events of args (as appendArgs returns them), written to stream after base,
// with their chain hashes.
func (e *eventRows) add(stream string, base tip, args []any, hashes [][]byte) {
	for r := range hashes {
		e.streams, e.revisions = append(e.streams, stream), append(e.revisions, base.revision+1+int64(r))
	}
	e.ids = append(e.ids, args[2].([]pgtype.UUID)...)
	e.types = append(e.types, args[3].([]string)...)
	e.data = append(e.data, args[4].([]string)...)
	e.meta = append(e.meta, args[5].([]string)...)
	e.hashes = append(e.hashes, hashes...)
}

// params returns the arrays in the order of the statements' parameters.
func (e *eventRows) params() []any {
	return []any{e.streams, e.revisions, e.ids, e.types, e.data, e.meta, e.hashes}
}
