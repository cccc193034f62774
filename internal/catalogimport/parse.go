package catalogimport

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/odata-pos/pos/domain/catalog"
	"github.com/odata-pos/pos/domain/money"
	"github.com/odata-pos/pos/domain/quantity"
	"github.com/odata-pos/pos/domain/rules"
)

// Limits of a row's text: the product decider's (catalog.Decide).
const (
	maxCode     = rules.MaxCode // SKUs, barcodes, tax codes
	maxName     = rules.MaxName // names and categories
	maxBarcodes = catalog.MaxBarcodes
)

// Row is one product of the file, parsed.
type Row struct {
	Line     int
	SKU      string
	Name     string
	Barcodes []string // nil when the file gives none
	Category string
	Price    money.Money
	Cost     *money.Money
	// TaxCode or TaxRateBP (when the file gives a rate); both empty when the file gives none.
	TaxCode   string
	TaxRateBP *int64
	// SoldByWeight is set from the unit column; UnitGiven says whether it had a value.
	SoldByWeight bool
	UnitGiven    bool
	// Stock is the quantity on hand to set, nil when the file gives none.
	Stock *quantity.Quantity
}

// Problem is a bad row (or header) of the file and why.
type Problem struct {
	Line   int    `json:"line"`
	SKU    string `json:"sku,omitempty"`
	Column string `json:"column,omitempty"`
	Reason string `json:"reason"`
}

// File is a parsed import file.
type File struct {
	// Columns maps each recognised column to the header cell it was read from.
	Columns map[Column]string `json:"columns"`
	// Ignored are the header cells that name no column (or a column already named).
	Ignored []string `json:"ignored_columns,omitempty"`
	// Read counts the data rows (blank rows aside), good and bad.
	Read int   `json:"rows_read"`
	Rows []Row `json:"-"`
}

// weightUnits and pieceUnits are the unit column's values (normalised with normHeader).
var (
	weightUnits = []string{"kg", "g", "gram", "grams", "kilogram", "kilograms", "lb", "lbs", "oz", "weight", "yes", "true", "1"}
	pieceUnits  = []string{"each", "ea", "pc", "pcs", "piece", "pieces", "unit", "units", "item", "stk", "x", "no", "false", "0"}
)

// Parse reads an import file in the given currency: a header row, then one product per row.
// The delimiter (",", ";" or tab) is taken from the header. It returns every problem of every
// row; a problem of the header (a required column missing) stops it before the rows.
func Parse(r io.Reader, currency string) (File, []Problem, error) {
	scale, err := currencyScale(currency)
	if err != nil {
		return File{}, nil, err
	}
	br := bufio.NewReader(r)
	first, err := br.Peek(4096)
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, bufio.ErrBufferFull) {
		return File{}, nil, err
	}
	cr := csv.NewReader(br)
	cr.Comma = sniffDelimiter(first)
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return File{}, []Problem{{Line: 1, Reason: "the file is empty: a header row is required"}}, nil
	}
	if err != nil {
		return File{}, []Problem{{Line: 1, Reason: err.Error()}}, nil //nolint:nilerr // an unreadable header is a problem of line 1, reported with the others
	}
	f, index, probs := mapHeader(header)
	if len(probs) > 0 {
		return f, probs, nil
	}
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			f.Read++
			probs = append(probs, Problem{Line: pe.Line, Reason: pe.Err.Error()})
			if errors.Is(pe.Err, csv.ErrFieldCount) {
				continue
			}
			return f, probs, nil // a broken quote: the rest cannot be read reliably
		}
		if err != nil {
			return f, probs, err
		}
		line, _ := cr.FieldPos(0) // only after a successful Read: it panics after an error
		if blank(rec) {
			continue
		}
		f.Read++
		row, rowProbs := parseRow(line, rec, index, currency, scale)
		probs = append(probs, rowProbs...)
		if len(rowProbs) == 0 {
			f.Rows = append(f.Rows, row)
		}
	}
	return f, probs, nil
}

// sniffDelimiter picks the most frequent of ",", ";" and tab in the first line.
func sniffDelimiter(head []byte) rune {
	if i := bytes.IndexByte(head, '\n'); i >= 0 {
		head = head[:i]
	}
	best, n := ',', bytes.Count(head, []byte{','})
	for _, d := range []rune{';', '\t'} {
		if c := bytes.Count(head, []byte(string(d))); c > n {
			best, n = d, c
		}
	}
	return best
}

// mapHeader finds each column's cell; when several cells name one column, the lower-ranked
// alias wins and the others are ignored.
func mapHeader(header []string) (File, map[Column]int, []Problem) {
	f := File{Columns: map[Column]string{}}
	index := map[Column]int{}
	rank := map[Column]int{}
	for i, h := range header {
		c, r, ok := aliasOf(normHeader(h))
		if !ok {
			f.Ignored = append(f.Ignored, h)
			continue
		}
		if j, seen := index[c]; seen {
			if r >= rank[c] {
				f.Ignored = append(f.Ignored, h)
				continue
			}
			f.Ignored = append(f.Ignored, header[j])
		}
		index[c], rank[c], f.Columns[c] = i, r, h
	}
	var probs []Problem
	for _, c := range requiredColumns {
		if _, ok := index[c]; !ok {
			probs = append(probs, Problem{Line: 1, Column: string(c), Reason: fmt.Sprintf("the header has no %s column (accepted names: %s)", c, strings.Join(headerAliases[c], ", "))})
		}
	}
	return f, index, probs
}

func blank(rec []string) bool {
	for _, v := range rec {
		if strings.TrimSpace(v) != "" {
			return false
		}
	}
	return true
}

// parseRow reads one record; it reports every problem of the row.
func parseRow(line int, rec []string, index map[Column]int, currency string, scale int) (Row, []Problem) {
	get := func(c Column) string {
		if i, ok := index[c]; ok && i < len(rec) {
			return strings.TrimSpace(rec[i])
		}
		return ""
	}
	row := Row{Line: line, SKU: get(ColSKU), Name: get(ColName), Category: get(ColCategory)}
	var probs []Problem
	bad := func(c Column, format string, args ...any) {
		probs = append(probs, Problem{Line: line, SKU: row.SKU, Column: string(c), Reason: fmt.Sprintf(format, args...)})
	}
	text := func(c Column, v string, max int, required bool) {
		switch {
		case v == "" && required:
			bad(c, "is empty")
		case utf8.RuneCountInString(v) > max:
			bad(c, "is longer than %d characters", max)
		case strings.IndexFunc(v, unicode.IsControl) >= 0:
			bad(c, "contains control characters")
		}
	}
	text(ColSKU, row.SKU, maxCode, true)
	text(ColName, row.Name, maxName, true)
	text(ColCategory, row.Category, maxName, false)
	if v := get(ColBarcode); v != "" {
		for b := range strings.FieldsFuncSeq(v, func(r rune) bool { return r == '|' || r == ';' || r == ' ' }) {
			text(ColBarcode, b, maxCode, false)
			if slices.Contains(row.Barcodes, b) {
				bad(ColBarcode, "lists %s twice", b)
				continue
			}
			row.Barcodes = append(row.Barcodes, b)
		}
		if len(row.Barcodes) > maxBarcodes {
			bad(ColBarcode, "has more than %d barcodes", maxBarcodes)
		}
	}
	amount := func(c Column, v string) *money.Money {
		dec, err := canonicalDecimal(v)
		var n int64
		if err == nil {
			n, err = minorUnits(dec, scale)
		}
		switch {
		case err != nil:
			bad(c, "%q %v", v, err)
		case n < 0:
			bad(c, "%q is negative", v)
		case n > money.MaxAmount:
			bad(c, "%q is above the maximum amount", v)
		default:
			m := money.New(n, currency)
			return &m
		}
		return nil
	}
	if v := get(ColPrice); v == "" {
		bad(ColPrice, "is empty")
	} else if p := amount(ColPrice, v); p != nil {
		row.Price = *p
	}
	if v := get(ColCost); v != "" {
		row.Cost = amount(ColCost, v)
	}
	if v := get(ColTax); v != "" {
		if code, rate, err := parseTax(v); err != nil {
			bad(ColTax, "%q %v", v, err)
		} else {
			row.TaxCode, row.TaxRateBP = code, rate
		}
	}
	if v := normHeader(get(ColUnit)); v != "" {
		row.UnitGiven = true
		switch {
		case slices.Contains(weightUnits, v):
			row.SoldByWeight = true
		case !slices.Contains(pieceUnits, v):
			bad(ColUnit, "%q is not a unit: use each (pcs, unit, …) or a weight (kg, g, lb, oz)", get(ColUnit))
		}
	}
	if v := get(ColStock); v != "" {
		dec, err := canonicalDecimal(v)
		var q quantity.Quantity
		if err == nil {
			q, err = quantity.Parse(dec)
		}
		switch {
		case err != nil:
			bad(ColStock, "%q %v", v, err)
		case !q.InBounds():
			bad(ColStock, "%q is beyond the maximum quantity", v)
		case !row.SoldByWeight && !q.IsWhole():
			bad(ColStock, "%q is not whole, and the product is not sold by weight", v)
		default:
			row.Stock = &q
		}
	}
	return row, probs
}

// parseTax reads a tax rate ("21", "21%", "7.7 %": a percentage) or else a tax code.
func parseTax(v string) (string, *int64, error) {
	pct := strings.TrimSpace(strings.TrimSuffix(v, "%"))
	dec, err := canonicalDecimal(pct)
	if err != nil {
		if strings.HasSuffix(v, "%") {
			return "", nil, errors.New("is not a percentage")
		}
		if utf8.RuneCountInString(v) > maxCode {
			return "", nil, fmt.Errorf("is longer than %d characters", maxCode)
		}
		return v, nil, nil
	}
	bp, err := minorUnits(dec, 2)
	if err != nil || bp < 0 || bp > 10000 {
		return "", nil, errors.New("is not a rate between 0 and 100 % with at most 2 decimals")
	}
	return "", &bp, nil
}
