// Package catalog is the product aggregate: SKU, barcodes, name, category, price with its
// history (so a sale can take the price in force at any moment, for offline uploads), cost,
// tax code, stock tracking, and whether the product is sold by weight (only those accept
// fractional quantities). A deactivated product cannot be sold. SKU and barcode uniqueness are
// reservations (package reservation) claimed by the commands layer before creating a product.
package catalog
