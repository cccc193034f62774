package catalogimport

import (
	"strings"
	"unicode"
)

// Column is one field of the import.
type Column string

// The columns of an import file. Only SKU, Name and Price are required.
const (
	ColSKU      Column = "sku"
	ColName     Column = "name"
	ColBarcode  Column = "barcode"
	ColCategory Column = "category"
	ColPrice    Column = "price"
	ColCost     Column = "cost"
	ColTax      Column = "tax"
	ColUnit     Column = "unit"
	ColStock    Column = "stock"
)

// requiredColumns must be in every header.
var requiredColumns = []Column{ColSKU, ColName, ColPrice}

// headerAliases are the header names (normalised by normHeader) that big POS and shop
// exports use for each column (Shopify, Square, Lightspeed, Vend, WooCommerce, Loyverse and
// spreadsheets of the like). Documented in the README.
var headerAliases = map[Column][]string{
	ColSKU:      {"sku", "variant sku", "item code", "product code", "article number", "article no", "item number", "item no", "plu", "code", "reference"},
	ColName:     {"name", "title", "product name", "item name", "item", "product", "description"},
	ColBarcode:  {"barcode", "barcodes", "variant barcode", "ean", "ean13", "upc", "gtin", "gtin13"},
	ColCategory: {"category", "categories", "product category", "department", "product type", "type", "group"},
	ColPrice:    {"price", "retail price", "sell price", "selling price", "sale price", "unit price", "variant price", "regular price", "price incl tax"},
	ColCost:     {"cost", "cost price", "unit cost", "cost per item", "purchase price", "supply price", "buy price", "default cost"},
	ColTax:      {"tax", "tax code", "tax rate", "tax class", "vat", "vat rate", "vat code", "gst", "sales tax"},
	ColUnit:     {"unit", "uom", "unit of measure", "sold by", "sold by weight", "measure"},
	ColStock:    {"stock", "quantity", "qty", "on hand", "in stock", "stock level", "current stock", "inventory", "quantity on hand", "variant inventory qty", "stock quantity"},
}

// normHeader lowercases a header cell, drops a byte order mark and a parenthesised or
// bracketed suffix ("Price (EUR)"), reads "#" as "no" ("Item #") and collapses everything that
// is not a letter or digit to single spaces.
func normHeader(h string) string {
	h = strings.TrimPrefix(h, "\ufeff")
	if i := strings.IndexAny(h, "(["); i > 0 {
		h = h[:i]
	}
	h = strings.ReplaceAll(h, "#", " no ")
	h = strings.Map(func(r rune) rune {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			return unicode.ToLower(r)
		}
		return ' '
	}, h)
	return strings.Join(strings.Fields(h), " ")
}

// aliasOf returns the column of a normalised header and its rank among the column's aliases
// (0 is the column's own name): when two headers name one column, the lower rank wins.
func aliasOf(h string) (Column, int, bool) {
	for c, names := range headerAliases {
		for i, n := range names {
			if n == h {
				return c, i, true
			}
		}
	}
	return "", 0, false
}
