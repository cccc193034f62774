// Package sales is the read model of sales for lists and search: one row per sale with its
// status, store, register, shift, cashier (the user who rang it up), receipt number, times and
// totals, and its lines.
//
// Tables (stable views in schema "sales"):
//
//	sales       id, status (open, checkout, completed, voided), store_id, register_id, shift_id,
//	            cashier_id, receipt_number, currency, prices_include_tax, rounding,
//	            discount_rule_bp, discount_rule_amount (the sale's discount rule), payments
//	            (jsonb: the tenders taken), subtotal, discount, tax, total, paid, change, due
//	            (minor units), line_count, opened_at, completed_at, voided_at, occurred_at
//	            (completed_at once completed, else opened_at), void_reason, upload
//	sale_lines  sale_id, line_id, seq (the line's index among the sale's lines), product_id, sku, name, category, quantity (thousandths),
//	            unit_price, tax_rate_bp, discount_rule_bp, discount_rule_amount (the line's own
//	            rule), discount, tax, total, priced
//
// Every sale is priced as the write side prices it: an open sale's lines and totals are
// sale.State.Priced of its events so far (folded with sale.Evolve), kept current on every
// line added or removed, discount and payment, and left as they stood when it is voided; a
// completed sale's are those its completion recorded. The tables keep every input the
// domain's pricing needs (the store's tax mode and rounding as the sale was opened with them,
// each line's price, tax rate and discount rule, the sale's discount rule and payments), so
// a sale opened in an earlier batch is loaded back and priced without reading anything but
// these tables. priced is true once the sale is completed (the amounts are then final).
package sales
