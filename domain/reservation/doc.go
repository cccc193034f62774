// Package reservation is a tiny aggregate that makes a key unique across streams: one stream
// per key (for example "reservation-sku:ABC-1"), claimed by one owner at a time. The commands
// layer claims the key before creating the owner (product, user, register) and releases it when
// the owner gives the key up, so SKU, barcode and username uniqueness never depend on a read
// model.
package reservation
