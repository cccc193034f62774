// Package catalog is the read model of the chain's master data: stores, their registers, tax
// codes and products, with product search by name (pg_trgm trigram similarity, so a typo like
// "cofee" still finds "Coffee"), SKU and barcode.
//
// Tables (stable views in schema "catalog"):
//
//	stores     id, code, name, currency, timezone, prices_include_tax, rounding,
//	           allow_negative_stock, created_at
//	registers  id, store_id, code, name, open_shift_id, last_z_number, created_at
//	tax_codes  id, code, name, rate_bp, effective_at, created_at
//	products   id, sku, barcodes, name, category, price, cost, currency, tax_code, track_stock,
//	           low_stock_threshold (thousandths), sold_by_weight, active, created_at, updated_at
//
// [Projection] folds the store, register, tax code and product events; [Queries] lists them.
package catalog
