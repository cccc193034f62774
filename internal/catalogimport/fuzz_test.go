package catalogimport

import (
	"bytes"
	"testing"
)

// FuzzParse: no file makes Parse panic, and every row it accepts has a SKU, a name and a
// price in the currency asked for.
func FuzzParse(f *testing.F) {
	f.Add([]byte("sku,name,price,stock\nA,Apple,1.00,3\n"))
	f.Add([]byte("\ufeffItem #;Title;Retail Price (EUR);Qty;UoM\nB;Bread;2,99;1.5;kg\n"))
	f.Add([]byte("sku\tname\tprice\n\"x\"\"\t\"y\t1,299\n"))
	f.Fuzz(func(t *testing.T, file []byte) {
		fl, _, err := Parse(bytes.NewReader(file), "EUR")
		if err != nil {
			return
		}
		for _, r := range fl.Rows {
			if r.SKU == "" || r.Name == "" || r.Price.Currency != "EUR" || r.Price.Amount < 0 {
				t.Fatalf("accepted row %+v", r)
			}
		}
	})
}
