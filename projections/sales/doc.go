// Package sales is the read model of sales for lists and search: one row per sale with its
// status, store, register, shift, cashier (the user who rang it up), receipt number, times and
// totals, and its lines.
//
// Tables (stable views in schema "sales"):
//
//	sales       id, status (open, checkout, completed, voided), store_id, register_id, shift_id,
//	            cashier_id, receipt_number, currency, subtotal, discount, tax, total, paid,
//	            change (minor units), line_count, opened_at, completed_at, voided_at,
//	            occurred_at (completed_at once completed, else opened_at), void_reason, upload
//	sale_lines  sale_id, line_id, seq, product_id, sku, name, category, quantity (thousandths),
//	            unit_price, discount, tax, total, priced
//
// Totals are the write side's from checkout on; before, only paid moves. Lines of an open
// sale carry their undiscounted amount as total and priced = false; completion replaces them
// with the priced lines (discount, tax, total) the sale was completed with.
package sales
