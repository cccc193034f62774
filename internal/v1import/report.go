package v1import

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"sort"
	"sync"

	"github.com/odata-pos/pos/domain/money"
	"github.com/odata-pos/pos/domain/rules"
)

// Outcomes of a listed row.
const (
	OutcomeAdjusted = "adjusted" // imported, with something changed or added that the reason names
	OutcomeRefused  = "refused"  // not imported; the reason says why
	OutcomeListed   = "listed"   // imported as v1 recorded it, listed because it is irregular
)

// Listed is one v1 row that was adjusted, refused or is irregular.
type Listed struct {
	Entity  string `json:"entity"`
	Table   string `json:"v1_table"`
	ID      int64  `json:"v1_id"`
	Outcome string `json:"outcome"`
	Reason  string `json:"reason"`
}

// Count is what happened to the rows of one entity.
type Count struct {
	Entity   string `json:"entity"`
	Read     int    `json:"read"`
	Imported int    `json:"imported"`
	Adjusted int    `json:"adjusted"`
	Refused  int    `json:"refused"`
}

// Day is the reconciliation of one local day: v1's sold amount (totals of its sales that were
// not cancelled) against the imported one, in minor units.
type Day struct {
	Day      string `json:"day"`
	V1Sold   int64  `json:"v1_sold"`
	Imported int64  `json:"imported"`
	Diff     int64  `json:"diff"`
}

// Period is the whole-period reconciliation, in minor units: sold, refunded and net (sold −
// refunded) of v1 and of the import.
type Period struct {
	V1Sold           int64 `json:"v1_sold"`
	ImportedSold     int64 `json:"imported_sold"`
	V1Refunded       int64 `json:"v1_refunded"`
	ImportedRefunded int64 `json:"imported_refunded"`
	V1Net            int64 `json:"v1_net"`
	ImportedNet      int64 `json:"imported_net"`
	Diff             int64 `json:"diff"`
}

// Report says what an import read, imported, adjusted and refused, and whether the money
// reconciles.
type Report struct {
	File      string   `json:"file"`
	Identity  string   `json:"identity"`
	StoreCode string   `json:"store_code"`
	StoreID   string   `json:"store_id"`
	Currency  string   `json:"currency"`
	Timezone  string   `json:"timezone"`
	DryRun    bool     `json:"dry_run"`
	Counts    []Count  `json:"counts"`
	Listed    []Listed `json:"listed"`
	Days      []Day    `json:"days"`
	Period    Period   `json:"period"`
	// Reconciled is true when every day and the period match to the cent.
	Reconciled bool `json:"reconciled"`
	// Complete is true when nothing was refused.
	Complete bool `json:"complete"`
	// Seconds, SalesPerSecond and Events measure the run.
	Seconds        float64 `json:"seconds"`
	SalesPerSecond float64 `json:"sales_per_second"`
	Events         int64   `json:"events"`
	// StepSeconds is the time each step took.
	StepSeconds map[string]float64 `json:"step_seconds"`

	mu     sync.Mutex
	counts map[string]*Count
	days   map[string]*Day
}

func newReport() *Report {
	return &Report{counts: map[string]*Count{}, days: map[string]*Day{}}
}

func (r *Report) count(entity string) *Count {
	c, ok := r.counts[entity]
	if !ok {
		c = &Count{Entity: entity}
		r.counts[entity] = c
	}
	return c
}

// read counts n rows read of entity.
func (r *Report) read(entity string, n int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.count(entity).Read += n
}

// imported counts a row imported as is.
func (r *Report) imported(entity string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.count(entity).Imported++
}

// importedN counts n rows imported as part of another (the items and payments of a sale).
func (r *Report) importedN(entity string, n int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.count(entity).Imported += n
}

// list records an irregular row; adjusted and refused rows are counted as such (an adjusted
// row is imported too).
func (r *Report) list(entity, table string, id int64, outcome, format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.Listed = append(r.Listed, Listed{Entity: entity, Table: table, ID: id, Outcome: outcome, Reason: fmt.Sprintf(format, args...)})
	c := r.count(entity)
	switch outcome {
	case OutcomeAdjusted:
		c.Adjusted++
	case OutcomeRefused:
		c.Refused++
	}
}

// sold adds a sale's amounts to a day: v1's and the imported one.
func (r *Report) sold(day string, v1, imported int64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	d, ok := r.days[day]
	if !ok {
		d = &Day{Day: day}
		r.days[day] = d
	}
	d.V1Sold += v1
	d.Imported += imported
	r.Period.V1Sold += v1
	r.Period.ImportedSold += imported
}

// refunded adds a refund to the period.
func (r *Report) refunded(v1, imported int64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.Period.V1Refunded += v1
	r.Period.ImportedRefunded += imported
}

// finish orders the report and decides Reconciled and Complete.
func (r *Report) finish() {
	r.Counts = r.Counts[:0]
	for _, c := range r.counts {
		r.Counts = append(r.Counts, *c)
	}
	sort.Slice(r.Counts, func(i, j int) bool { return r.Counts[i].Entity < r.Counts[j].Entity })
	r.Days = r.Days[:0]
	r.Reconciled = true
	for _, d := range r.days {
		d.Diff = d.Imported - d.V1Sold
		r.Reconciled = r.Reconciled && d.Diff == 0
		r.Days = append(r.Days, *d)
	}
	sort.Slice(r.Days, func(i, j int) bool { return r.Days[i].Day < r.Days[j].Day })
	slices.SortStableFunc(r.Listed, func(a, b Listed) int {
		if a.Table != b.Table {
			if a.Table < b.Table {
				return -1
			}
			return 1
		}
		return int(a.ID - b.ID)
	})
	p := &r.Period
	p.V1Net, p.ImportedNet = p.V1Sold-p.V1Refunded, p.ImportedSold-p.ImportedRefunded
	p.Diff = p.ImportedNet - p.V1Net
	r.Reconciled = r.Reconciled && p.Diff == 0 && p.V1Sold == p.ImportedSold
	r.Complete = true
	for _, c := range r.Counts {
		r.Complete = r.Complete && c.Refused == 0
	}
}

// OK reports whether the import may exit 0: everything imported or explained, and the money
// reconciles to the cent.
func (r *Report) OK() bool { return r.Complete && r.Reconciled }

// WriteText prints the report for an operator.
func (r *Report) WriteText(w io.Writer) {
	m := func(n int64) string { return money.New(n, r.Currency).String() }
	mode := ""
	if r.DryRun {
		mode = " (dry run: nothing written)"
	}
	fmt.Fprintf(w, "v1 import of %s into store %s%s\nfile identity %s, timezone %s, currency %s\n\n", r.File, r.StoreCode, mode, r.Identity, r.Timezone, r.Currency)
	fmt.Fprintf(w, "%-14s %9s %9s %9s %9s\n", "entity", "read", "imported", "adjusted", "refused")
	for _, c := range r.Counts {
		fmt.Fprintf(w, "%-14s %9d %9d %9d %9d\n", c.Entity, c.Read, c.Imported, c.Adjusted, c.Refused)
	}
	if len(r.Listed) > 0 {
		fmt.Fprintf(w, "\nlisted rows (%d):\n", len(r.Listed))
		for _, l := range r.Listed {
			fmt.Fprintf(w, "  %-9s %s id %d: %s\n", l.Outcome, l.Table, l.ID, l.Reason)
		}
	}
	fmt.Fprintf(w, "\nreconciliation per local day (v1 sold, imported, difference):\n")
	bad := 0
	for _, d := range r.Days {
		if d.Diff != 0 {
			bad++
			fmt.Fprintf(w, "  %s  %s  %s  %s  MISMATCH\n", d.Day, m(d.V1Sold), m(d.Imported), m(d.Diff))
		}
	}
	fmt.Fprintf(w, "  %d days, %d with a difference\n", len(r.Days), bad)
	p := r.Period
	fmt.Fprintf(w, "whole period: v1 sold %s refunded %s net %s; imported sold %s refunded %s net %s; difference %s\n",
		m(p.V1Sold), m(p.V1Refunded), m(p.V1Net), m(p.ImportedSold), m(p.ImportedRefunded), m(p.ImportedNet), m(p.Diff))
	fmt.Fprintf(w, "%.1f s, %.0f v1 sales/s, %d events\n", r.Seconds, r.SalesPerSecond, r.Events)
	switch {
	case r.OK():
		fmt.Fprintln(w, "result: everything imported or explained; the money reconciles to the cent")
	case !r.Complete:
		fmt.Fprintln(w, "result: some rows were refused (see the list)")
	default:
		fmt.Fprintln(w, "result: the money does not reconcile")
	}
}

// WriteJSON writes the report as JSON to path.
func (r *Report) WriteJSON(path string) error {
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}

// refused reports whether err is the domain refusing a command (a rule or a validation):
// the row is then refused and listed; any other error stops the import.
func refused(err error) bool {
	var rerr *rules.RuleError
	var verr *rules.ValidationError
	return errors.As(err, &rerr) || errors.As(err, &verr)
}
