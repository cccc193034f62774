package sales

import (
	"strconv"
	"strings"

	"github.com/odata-pos/pos/projections"
	"github.com/odata-pos/pos/projections/readkit"
)

// search narrows l to the sales that q finds, the way support staff look a sale up: its
// receipt number, its total (12.50 or 12,50 in major units), a line's product name or SKU
// (substring, any case), or a cashier among cashierIDs (the users whose names match q).
func search(l *readkit.List[Sale], q string, cashierIDs []string) {
	q = strings.TrimSpace(q)
	sub := l.Arg(q)
	or := []string{"EXISTS (SELECT 1 FROM " + projections.Table(Name, "sale_lines") + " sl WHERE sl.sale_id = id AND " +
		"(strpos(lower(sl.name), lower(" + sub + ")) > 0 OR strpos(lower(sl.sku), lower(" + sub + ")) > 0))"}
	if n, err := strconv.ParseInt(q, 10, 64); err == nil && n >= 0 {
		or = append(or, "receipt_number = "+l.Arg(n))
	}
	if minor, ok := minorUnits(q); ok {
		or = append(or, "total = "+l.Arg(minor))
	}
	if len(cashierIDs) > 0 {
		or = append(or, "cashier_id = ANY("+l.Arg(cashierIDs)+")")
	}
	l.Where("(" + strings.Join(or, " OR ") + ")")
}

// minorUnits reads an amount in major units with at most two decimals ("12", "12.5", "12,50")
// as minor units (1250).
func minorUnits(q string) (int64, bool) {
	whole, frac, _ := strings.Cut(strings.Replace(q, ",", ".", 1), ".")
	if whole == "" || len(frac) > 2 || strings.ContainsAny(whole+frac, "+-") {
		return 0, false
	}
	w, err := strconv.ParseInt(whole, 10, 64)
	if err != nil || w > 1<<50 {
		return 0, false
	}
	f := int64(0)
	if frac != "" {
		if f, err = strconv.ParseInt((frac + "0")[:2], 10, 64); err != nil {
			return 0, false
		}
	}
	return w*100 + f, true
}
