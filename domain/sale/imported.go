package sale

import "github.com/odata-pos/pos/domain/money"

// Imported says where a sale imported from another system's history came from, and what
// its total needed to equal the source's to the cent.
type Imported struct {
	// Source names the system ("v1"); Reference is the sale's number there, as written.
	Source    string `json:"source"`
	Reference string `json:"reference"`
	// Difference is the source's total minus what the source's items and discounts add up
	// to under this product's rules (float drift, cents lost by the old system). It is part
	// of the sale, never silently absorbed: a positive difference is a line of its own, a
	// negative one is added to the sale discount (see docs/import-v1.md).
	Difference money.Money `json:"difference,omitzero"`
}
