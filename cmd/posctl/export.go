package main

import (
	"bufio"
	"context"
	"encoding/csv"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"time"

	auditapi "github.com/odata-pos/pos/api/audit"
	"github.com/odata-pos/pos/eventstore"
	evaudit "github.com/odata-pos/pos/eventstore/audit"
)

// csvHeader is the column list of a CSV export.
var csvHeader = []string{"position", "id", "stream", "revision", "type", "occurred_at", "recorded_at",
	"user_id", "approver_id", "correlation_id", "causation_id", "store_id", "register_id", "hash", "data", "metadata"}

func auditExport(ctx context.Context, e env) error {
	fs := flag.NewFlagSet("posctl audit export", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	from := fs.String("from", "", "first `time` (RFC 3339 or 2006-01-02, inclusive)")
	to := fs.String("to", "", "end `time` (RFC 3339 or 2006-01-02, exclusive)")
	format := fs.String("format", "jsonl", "jsonl or csv")
	axis := fs.String("time", evaudit.AxisRecorded, "which time --from and --to bound: recorded (store) or occurred (client)")
	out := fs.String("out", "", "output `file` (default stdout)")
	if err := fs.Parse(e.args); err != nil {
		return err
	}
	q := evaudit.Query{Limit: 1000, Axis: *axis}
	var err error
	if q.From, err = parseTime(*from); err != nil {
		return fmt.Errorf("%w: --from: %w", errUsage, err)
	}
	if q.To, err = parseTime(*to); err != nil {
		return fmt.Errorf("%w: --to: %w", errUsage, err)
	}
	if *format != "jsonl" && *format != "csv" {
		return fmt.Errorf("%w: --format must be jsonl or csv", errUsage)
	}
	if *axis != evaudit.AxisRecorded && *axis != evaudit.AxisOccurred {
		return fmt.Errorf("%w: --time must be recorded or occurred", errUsage)
	}
	b, closeAll, err := open(ctx, e)
	if err != nil {
		return err
	}
	defer closeAll()
	w := e.stdout
	if *out != "" {
		f, err := os.Create(*out)
		if err != nil {
			return err
		}
		defer f.Close()
		w = f
	}
	var reader evaudit.Reader = &evaudit.StoreReader{Store: b.store}
	if b.pg {
		reader = &evaudit.PGReader{DB: b.db, Store: b.store}
	}
	n, err := export(ctx, reader, q, *format, w, e.stderr)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stderr, "exported %d events\n", n)
	return nil
}

// export streams the events of q to w page by page (constant memory).
func export(ctx context.Context, r evaudit.Reader, q evaudit.Query, format string, w io.Writer, progress io.Writer) (int64, error) {
	bw := bufio.NewWriterSize(w, 1<<16)
	enc := json.NewEncoder(bw)
	cw := csv.NewWriter(bw)
	if format == "csv" {
		if err := cw.Write(csvHeader); err != nil {
			return 0, err
		}
	}
	bar := newProgress(progress, "exporting")
	defer func() { _ = bar.Finish() }()
	var n int64
	for {
		page, err := r.Events(ctx, q)
		if err != nil {
			return n, err
		}
		for i := range page.Events {
			if format == "csv" {
				err = cw.Write(csvRow(&page.Events[i]))
			} else {
				err = enc.Encode(auditapi.View(&page.Events[i]))
			}
			if err != nil {
				return n, err
			}
			n++
		}
		_ = bar.Set64(n)
		if page.Next == 0 {
			break
		}
		q.After = page.Next
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return n, err
	}
	return n, bw.Flush()
}

func csvRow(ev *eventstore.RecordedEvent) []string {
	v := auditapi.View(ev)
	m := ev.Metadata
	return []string{
		strconv.FormatUint(uint64(ev.Position), 10), v.ID, v.Stream, strconv.FormatUint(v.Revision, 10), v.Type,
		v.OccurredAt.Format(time.RFC3339Nano), v.RecordedAt.Format(time.RFC3339Nano),
		m.UserID, m.ApproverID, m.CorrelationID, m.CausationID, m.StoreID, m.RegisterID, v.Hash, string(v.Data), string(v.Metadata),
	}
}

func parseTime(v string) (time.Time, error) {
	if v == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339Nano, v); err == nil {
		return t, nil
	}
	return time.Parse(time.DateOnly, v)
}
