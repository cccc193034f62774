// Package returns is the read model of returns for lists and search: one row per recorded
// return (with or without receipt) and its lines.
//
// Tables (stable views in schema "returns"):
//
//	returns       id, sale_id, store_id, register_id, shift_id, cashier_id (the user who
//	              recorded it), no_receipt, currency, net, tax, total, cash_out (minor units),
//	              refunds (jsonb [{id, tender, amount}]), approved_by, line_count, returned_at
//	return_lines  return_id, idx, sale_line_id, product_id, sku, category, quantity (thousandths),
//	              unit_price, net, tax, refund, restock, reason
//
// Only returns.return_recorded.v1 is folded (the sale ledger's return_booked repeats it).
package returns
