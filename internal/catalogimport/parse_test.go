package catalogimport

import (
	"strings"
	"testing"
)

func TestCanonicalDecimal(t *testing.T) {
	for in, want := range map[string]string{
		"2.99": "2.99", "2,99": "2.99", "1,299.50": "1299.50", "1.299,50": "1299.50", "€ 9.99": "9.99", "1 299,5": "1299.5",
		"1.299.000": "1299000", "1,299,000": "1299000", "12": "12", "-3": "-3", ".5": "0.5", "0,125": "ERR", "1,299": "ERR",
		"abc": "ERR", "": "ERR", "1.2.3,4,5": "ERR", "1e5": "ERR",
	} {
		got, err := canonicalDecimal(in)
		if err != nil {
			got = "ERR"
		}
		if got != want {
			t.Errorf("canonicalDecimal(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestHeaderAliases(t *testing.T) {
	f, _, probs := mapHeader([]string{"Item #", "Description", "Item Name", "Retail Price (USD)", "Qty", "Department", "UPC", "Supplier"})
	if len(probs) > 0 {
		t.Fatal(probs)
	}
	want := map[Column]string{ColSKU: "Item #", ColName: "Item Name", ColPrice: "Retail Price (USD)", ColStock: "Qty", ColCategory: "Department", ColBarcode: "UPC"}
	for c, h := range want {
		if f.Columns[c] != h {
			t.Errorf("%s read from %q, want %q", c, f.Columns[c], h)
		}
	}
	if strings.Join(f.Ignored, ",") != "Description,Supplier" {
		t.Errorf("ignored %q", f.Ignored)
	}
	_, _, probs = mapHeader([]string{"name", "price"})
	if len(probs) != 1 || probs[0].Column != "sku" {
		t.Errorf("a header without SKU: %+v", probs)
	}
}

// TestParseBrokenQuote: a broken quote is a problem of its line, not a panic, and stops the
// read (what follows cannot be split into fields reliably).
func TestParseBrokenQuote(t *testing.T) {
	f, probs, err := Parse(strings.NewReader("sku,name,price\nA,Apple,1.00\nB,\"Bad\"x,2.00\nC,Cherry,3.00\n"), "EUR")
	if err != nil || len(probs) != 1 || probs[0].Line != 3 || len(f.Rows) != 1 || f.Rows[0].Line != 2 {
		t.Fatalf("rows %+v, problems %+v, %v", f.Rows, probs, err)
	}
}
