// Package stock is the read model of stock levels per location × product: on hand (from the
// level each stock movement and count records), in transit (what left the location in
// transfers not yet received at their destination, as the write side counts it) and low stock
// (on hand below zero, or at or below the product's threshold for products that track stock).
// On hand goes negative where a store sells goods it has not received (the default); the
// NegativeLevels collector counts those levels for an alert.
//
// Tables (stable views in schema "stock"):
//
//	levels    location_id, product_id, on_hand, in_transit (thousandths), updated_at
//	products  product_id, track_stock, low_stock_threshold (thousandths): the product data
//	          low stock needs, folded here so the projection reads no other read model
package stock
