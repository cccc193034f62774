// Package inventory serves the /inventory routes: receipts, adjustments, counts and transfers
// as stock documents over the write side, and the stock level of one product at one location
// read from the write side (GET /inventory/stock/{location_id}/{product_id}); the filtered list
// of levels, GET /inventory, belongs to the inventory read model (api/queries).
package inventory
