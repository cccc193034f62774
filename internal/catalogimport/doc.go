// Package catalogimport onboards a shop's catalog with its opening stock from a CSV file
// (posctl import products): it reads and checks every row first, and only a file without a
// bad row is written, through the catalog and inventory command handlers with deterministic
// command IDs, so that running it again writes only what changed.
package catalogimport
