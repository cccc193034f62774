// Package inventory serves the /inventory routes: receipts, adjustments, counts and transfers
// as stock documents over the write side, and the stock level of one product at one location
// read from the write side (the filtered list of levels belongs to the inventory read model).
package inventory
