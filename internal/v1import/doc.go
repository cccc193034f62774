// Package v1import brings the history of an O'Data POS v1 SQLite file (one store) into the
// event store through the commands layer: the store, tax codes, products, users, stock and
// every sale, decided by the same domain rules as live commands, with event IDs derived from
// the file's identity and its row IDs (an import run twice writes once, an interrupted one
// completes when run again). Read loads the file; Plan decides, without writing, what each
// row becomes and what must be listed; Run writes the plan; the Report says what was read,
// imported, adjusted and refused, and whether the money reconciles. The rules are in
// docs/import-v1.md.
package v1import
