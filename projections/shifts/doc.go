// Package shifts is the read model of register shifts with the figures of their X report
// (while open) and Z report (once closed).
//
// Tables (stable views in schema "shifts"):
//
//	shifts         id, store_id, register_id, cashier_id, status (open, closing, closed),
//	               currency, opening_float, cash_sales, cash_refunds, paid_in, paid_out,
//	               expected_cash (the close's; NULL while open, computed by queries),
//	               counted_cash, over_short, z_number, sales_count, late_sales, late_refunds,
//	               approved_by, completed_sales, gross_sales, sales_tax, sales_discount,
//	               returns_count, returns_total, opened_at, closed_at
//	shift_tenders  shift_id, tender, sales (net of change), refunds, count
//
// The cash figures fold the shift's own events exactly as the write side does (a sale or
// refund that reached the shift after its close counts as late, never changing the Z figures);
// the sales and tender figures fold completed sales and recorded returns of the shift.
package shifts
