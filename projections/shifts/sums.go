package shifts

import (
	"slices"
	"strconv"
	"strings"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
)

// The counters of a shift that events add to, in the column order of counterColumns.
const (
	cashSales = iota
	cashRefunds
	paidIn
	paidOut
	salesCount
	lateSales
	lateRefunds
	completedSales
	grossSales
	salesTax
	salesDiscount
	returnsCount
	returnsTotal
	nCounters
)

var counterColumns = [nCounters]string{"cash_sales", "cash_refunds", "paid_in", "paid_out", "sales_count", "late_sales",
	"late_refunds", "completed_sales", "gross_sales", "sales_tax", "sales_discount", "returns_count", "returns_total"}

type tenderKey struct {
	shift  uuid.UUID
	tender string
}

type tenderSum struct{ sales, refunds, count int64 }

// sums adds up one batch's counter and tender changes per shift.
type sums struct {
	shifts  []uuid.UUID
	by      map[uuid.UUID]*[nCounters]int64
	tenders []tenderKey
	byT     map[tenderKey]*tenderSum
}

func newSums() *sums {
	return &sums{by: map[uuid.UUID]*[nCounters]int64{}, byT: map[tenderKey]*tenderSum{}}
}

func (s *sums) of(id uuid.UUID) *[nCounters]int64 {
	c := s.by[id]
	if c == nil {
		c = &[nCounters]int64{}
		s.by[id] = c
		s.shifts = append(s.shifts, id)
	}
	return c
}

// tender adds one transaction's amounts by tender (refunds or sales).
func (s *sums) tender(id uuid.UUID, amounts map[string]int64, refund bool) {
	names := make([]string, 0, len(amounts))
	for t := range amounts {
		names = append(names, t)
	}
	slices.Sort(names)
	for _, t := range names {
		k := tenderKey{id, t}
		ts := s.byT[k]
		if ts == nil {
			ts = &tenderSum{}
			s.byT[k] = ts
			s.tenders = append(s.tenders, k)
		}
		if refund {
			ts.refunds += amounts[t]
		} else {
			ts.sales += amounts[t]
		}
		ts.count++
	}
}

// flush queues one update of every touched shift's counters and one upsert of its tenders.
func (s *sums) flush(b *pgx.Batch, shifts, tenders string) {
	if len(s.shifts) > 0 {
		cols := make([][]int64, nCounters)
		for _, id := range s.shifts {
			for i, v := range s.by[id] {
				cols[i] = append(cols[i], v)
			}
		}
		sets := make([]string, nCounters)
		unnest := make([]string, nCounters)
		args := []any{s.shifts}
		for i, c := range counterColumns {
			sets[i] = c + " = s." + c + " + u." + c
			unnest[i] = "$" + strconv.Itoa(i+2) + "::bigint[]"
			args = append(args, cols[i])
		}
		b.Queue(`UPDATE `+shifts+` AS s SET `+strings.Join(sets, ", ")+`
			FROM unnest($1::uuid[], `+strings.Join(unnest, ", ")+`) AS u (id, `+strings.Join(counterColumns[:], ", ")+`)
			WHERE s.id = u.id`, args...)
	}
	if len(s.tenders) > 0 {
		n := len(s.tenders)
		ids, names, sales, refunds, counts := make([]uuid.UUID, n), make([]string, n), make([]int64, n), make([]int64, n), make([]int64, n)
		for i, k := range s.tenders {
			t := s.byT[k]
			ids[i], names[i], sales[i], refunds[i], counts[i] = k.shift, k.tender, t.sales, t.refunds, t.count
		}
		b.Queue(`INSERT INTO `+tenders+` AS t (shift_id, tender, sales, refunds, count)
			SELECT * FROM unnest($1::uuid[], $2::text[], $3::bigint[], $4::bigint[], $5::bigint[])
			ON CONFLICT (shift_id, tender) DO UPDATE SET sales = t.sales + excluded.sales, refunds = t.refunds + excluded.refunds,
				count = t.count + excluded.count`, ids, names, sales, refunds, counts)
	}
}
