package v1import

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/odata-pos/pos/domain/money"
	"github.com/odata-pos/pos/domain/quantity"
)

// cents turns a v1 REAL amount in currency units into minor units, rounding half away from
// zero: 0.1+0.2 (0.30000000000000004) is 30, 19.985 stored as 19.98499999 is 1998.
func cents(f float64) int64 { return int64(math.Round(f * 100)) }

// money of a v1 amount in cur.
func amount(f float64, cur string) money.Money { return money.New(cents(f), cur) }

// milli turns a v1 REAL quantity into thousandths (3 decimals, as v1 wrote weighed goods).
func milli(f float64) quantity.Quantity { return quantity.FromMilli(int64(math.Round(f * 1000))) }

// rateBP turns a v1 percent rate (21.0) into basis points (2100).
func rateBP(f float64) int64 { return int64(math.Round(f * 100)) }

// v1 time layouts, as different v1 versions wrote them.
var v1Layouts = []string{"2006-01-02 15:04:05.999999999", "2006-01-02T15:04:05.999999999", "2006-01-02 15:04", "2006-01-02"}

// LocalResolution says how a naive local time was placed on the time line.
type LocalResolution string

// How a v1 local time was resolved.
const (
	// LocalExact: the local time exists once.
	LocalExact LocalResolution = ""
	// LocalGap: the local time does not exist (clocks went forward over it); it is read with
	// the offset in force before the change, so 02:30 on a spring-forward night is 03:30 of
	// the new offset: the same elapsed time after the last valid instant.
	LocalGap LocalResolution = "nonexistent"
	// LocalAmbiguous: the local time happened twice (clocks went back); the first, earlier
	// occurrence (the offset in force before the change) is taken.
	LocalAmbiguous LocalResolution = "ambiguous"
)

// parseLocal reads a v1 naive local time in loc and resolves gaps and repeats by the rules
// of LocalResolution.
func parseLocal(s string, loc *time.Location) (time.Time, LocalResolution, error) {
	s = strings.TrimSpace(s)
	var naive time.Time
	var err error
	for _, layout := range v1Layouts {
		if naive, err = time.Parse(layout, s); err == nil {
			break
		}
	}
	if err != nil {
		return time.Time{}, LocalExact, fmt.Errorf("unreadable time %q", s)
	}
	// naive as if it were UTC; the offsets around it are those of a day before and after.
	before := offsetAt(naive.Add(-24*time.Hour), loc)
	after := offsetAt(naive.Add(24*time.Hour), loc)
	var valid []time.Time
	for _, off := range []int{before, after} {
		t := naive.Add(-time.Duration(off) * time.Second).In(loc)
		if sameWall(t, naive) && (len(valid) == 0 || !valid[0].Equal(t)) {
			valid = append(valid, t)
		}
	}
	switch len(valid) {
	case 1:
		return valid[0], LocalExact, nil
	case 2:
		first := valid[0]
		if valid[1].Before(first) {
			first = valid[1]
		}
		return first, LocalAmbiguous, nil
	}
	return naive.Add(-time.Duration(before) * time.Second).In(loc), LocalGap, nil
}

func offsetAt(t time.Time, loc *time.Location) int {
	_, off := t.In(loc).Zone()
	return off
}

func sameWall(t, naive time.Time) bool {
	y, mo, d := t.Date()
	ny, nmo, nd := naive.Date()
	return y == ny && mo == nmo && d == nd && t.Hour() == naive.Hour() && t.Minute() == naive.Minute() &&
		t.Second() == naive.Second() && t.Nanosecond() == naive.Nanosecond()
}
