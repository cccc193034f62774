// Package readkit is what the operational read models (projections/catalog, stock, sales,
// returns, shifts, users) share: decoding an event batch with the write side's codec, and
// answering list queries with keyset pagination behind opaque cursors.
//
// # Lists
//
// Every list is ordered by one of a few declared sort keys plus the row's ID, so a page is the
// rows strictly after the (key, id) pair of the previous page's last row: pages stay stable
// while rows are inserted (a row inserted before the cursor is not shown again, none is
// skipped or repeated). The cursor is opaque to clients (base64url of the sort name, key and
// ID) and is only valid with the sort it was issued for. Invalid filters, sorts, limits and
// cursors are reported as *FilterError values, which the API answers with 400.
//
// Queries read the stable views of a projection (schema named after it), never a physical
// generation, so they keep answering from the old tables while a rebuild runs.
package readkit
