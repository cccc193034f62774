package reports

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/odata-pos/pos/api/consistency"

	"github.com/jackc/pgx/v5"

	"github.com/odata-pos/pos/api/httpx"
	"github.com/odata-pos/pos/projections/reports"
)

// Headers of report answers.
const (
	// HeaderReportPosition is the checkpoint of the report tables the answer was computed at.
	HeaderReportPosition = "X-Report-Position"
	// HeaderCache says whether the answer came from the cache ("hit") or not ("miss").
	HeaderCache = "X-Cache"
)

const csvType = "text/csv; charset=utf-8"

// answer is a rendered report: its body and content type.
type answer struct {
	ContentType string `json:"t"`
	Body        []byte `json:"b"`
}

// query computes a report inside tx; wantCSV asks for CSV.
type query func(ctx context.Context, tx pgx.Tx, wantCSV bool) (answer, error)

// wantsCSV reports whether the client asked for CSV (Accept: text/csv).
func wantsCSV(r *http.Request) bool {
	return strings.Contains(strings.ToLower(r.Header.Get("Accept")), "text/csv")
}

// serve waits for X-Consistent-With, opens a read-only repeatable-read transaction, reads the
// live checkpoint in it, and answers from the cache entry of that checkpoint or by running q
// (and caching the result when cacheable).
// cacheID names the report and the caller's scope; "" means never cache.
func (h *Handlers) serve(w http.ResponseWriter, r *http.Request, cacheID string, q query) error {
	ctx := r.Context()
	if err := consistency.Wait(r, h.Projections, reports.Name, h.ConsistencyTimeout); err != nil {
		return err
	}
	tx, err := h.DB.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return httpx.Unavailable("database_unavailable", "the report database is unavailable", err)
	}
	defer func() { _ = tx.Rollback(context.WithoutCancel(ctx)) }()
	var schema string
	var position int64
	err = tx.QueryRow(ctx, `SELECT schema_name, position FROM projection_checkpoints WHERE name = $1 AND live`,
		reports.Name).Scan(&schema, &position)
	if errors.Is(err, pgx.ErrNoRows) || isUndefinedTable(err) {
		return httpx.Unavailable("reports_not_ready", "the report tables are not built yet; retry later", err)
	}
	if err != nil {
		return fmt.Errorf("read report checkpoint: %w", err)
	}
	wantCSV := wantsCSV(r)
	cacheable := cacheID != ""
	key := ""
	if cacheable {
		key = h.cacheKey(r, cacheID, schema, position, wantCSV)
		if a, ok := h.cacheGet(ctx, key); ok {
			write(w, a, position, "hit")
			return nil
		}
	}
	// The report statements filter with "$n IS NULL OR …" so that one statement serves every
	// combination of parameters. After five runs on a connection PostgreSQL may switch such a
	// prepared statement to a generic plan, which cannot know which filters are set: it
	// misjudged a year of one store's sales by product 200-fold and answered in 1.6–2.8 s
	// instead of 0.2–0.5 s. Plan each report for its own parameters.
	if _, err := tx.Exec(ctx, "SET LOCAL plan_cache_mode = force_custom_plan"); err != nil {
		return fmt.Errorf("report plan mode: %w", err)
	}
	a, err := q(ctx, tx, wantCSV)
	if err != nil {
		return err
	}
	if cacheable {
		h.cacheSet(ctx, key, a)
	}
	write(w, a, position, "miss")
	return nil
}

func write(w http.ResponseWriter, a answer, position int64, cache string) {
	w.Header().Set("Content-Type", a.ContentType)
	w.Header().Set(HeaderReportPosition, strconv.FormatInt(position, 10))
	w.Header().Set(HeaderCache, cache)
	w.Header().Add("Vary", "Accept")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(a.Body)
}

// cacheKey holds everything the answer depends on: the report and the caller's store scope
// (cacheID), the query string (sorted), the format, and the generation and checkpoint of the
// tables.
func (h *Handlers) cacheKey(r *http.Request, cacheID, schema string, position int64, wantCSV bool) string {
	format := "json"
	if wantCSV {
		format = "csv"
	}
	sum := sha256.Sum256([]byte(cacheID + "\x00" + r.URL.Query().Encode() + "\x00" + format))
	return fmt.Sprintf("%sreports:%s:%d:%s", h.KeyPrefix, schema, position, hex.EncodeToString(sum[:16]))
}

// table renders a report table as {"items": [...], "next_cursor": "…"} or CSV.
func table(t *reports.Table, next string, wantCSV bool) (answer, error) {
	if wantCSV {
		var buf bytes.Buffer
		if err := t.WriteCSV(csv.NewWriter(&buf)); err != nil {
			return answer{}, fmt.Errorf("write csv: %w", err)
		}
		return answer{ContentType: csvType, Body: buf.Bytes()}, nil
	}
	body := struct {
		Items      *reports.Table `json:"items"`
		NextCursor string         `json:"next_cursor,omitempty"`
	}{Items: t, NextCursor: next}
	b, err := json.Marshal(body)
	if err != nil {
		return answer{}, fmt.Errorf("encode report: %w", err)
	}
	return answer{ContentType: "application/json", Body: b}, nil
}
