package reports

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// Querier runs queries: a pool, a connection or a transaction (the API uses a read-only
// repeatable-read transaction, so the rows and the checkpoint it reports agree).
type Querier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
}

// Table is a report answer: named columns and rows of values (string, int64, json.Number for
// quantities, time.Time, or nil), in column order.
type Table struct {
	Columns []string
	Rows    [][]any
	// More is true when rows beyond the page exist (the caller asks again with a larger offset).
	More bool
}

// MarshalJSON writes the rows as an array of objects whose keys follow the column order.
func (t *Table) MarshalJSON() ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteByte('[')
	for i, row := range t.Rows {
		if i > 0 {
			buf.WriteByte(',')
		}
		buf.WriteByte('{')
		for j, col := range t.Columns {
			if j > 0 {
				buf.WriteByte(',')
			}
			k, _ := json.Marshal(col)
			v, err := json.Marshal(row[j])
			if err != nil {
				return nil, fmt.Errorf("encode %s: %w", col, err)
			}
			buf.Write(k)
			buf.WriteByte(':')
			buf.Write(v)
		}
		buf.WriteByte('}')
	}
	buf.WriteByte(']')
	return buf.Bytes(), nil
}

// WriteCSV writes a header row and the rows with encoding/csv; nil is an empty cell, times
// are RFC 3339.
func (t *Table) WriteCSV(w *csv.Writer) error {
	if err := w.Write(t.Columns); err != nil {
		return err
	}
	rec := make([]string, len(t.Columns))
	for _, row := range t.Rows {
		for j, v := range row {
			rec[j] = cell(v)
		}
		if err := w.Write(rec); err != nil {
			return err
		}
	}
	w.Flush()
	return w.Error()
}

func cell(v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case string:
		return v
	case int64:
		return strconv.FormatInt(v, 10)
	case json.Number:
		return string(v)
	case time.Time:
		return v.UTC().Format(time.RFC3339Nano)
	default:
		return fmt.Sprint(v)
	}
}

// collect reads rows into a Table; columns of the given names become json.Number (quantities,
// read as numeric text) and days become "2006-01-02" strings.
func collect(rows pgx.Rows, limit int) (*Table, error) {
	defer rows.Close()
	fields := rows.FieldDescriptions()
	t := &Table{Columns: make([]string, len(fields))}
	for i, f := range fields {
		t.Columns[i] = f.Name
	}
	for rows.Next() {
		if limit > 0 && len(t.Rows) == limit {
			t.More = true
			break
		}
		vals, err := rows.Values()
		if err != nil {
			return nil, err
		}
		for i, v := range vals {
			vals[i] = normalize(t.Columns[i], v)
		}
		t.Rows = append(t.Rows, vals)
	}
	return t, rows.Err()
}

// quantityColumns hold numeric quantities, returned as exact JSON numbers.
var quantityColumns = map[string]bool{
	"quantity": true, "returned_quantity": true, "restocked_quantity": true, "on_hand": true,
}

func normalize(col string, v any) any {
	switch x := v.(type) {
	case [16]byte:
		return fmt.Sprintf("%x-%x-%x-%x-%x", x[0:4], x[4:6], x[6:8], x[8:10], x[10:16])
	case int16:
		return int64(x)
	case int32:
		return int64(x)
	case time.Time:
		if col == "day" {
			return x.Format(time.DateOnly)
		}
		return x
	case string:
		if quantityColumns[col] {
			return json.Number(trimDecimal(x))
		}
	}
	return v
}

// trimDecimal drops trailing zeros of a decimal: "2.500" → "2.5", "3.000" → "3".
func trimDecimal(s string) string {
	if !strings.Contains(s, ".") {
		return s
	}
	s = strings.TrimRight(s, "0")
	return strings.TrimSuffix(s, ".")
}
