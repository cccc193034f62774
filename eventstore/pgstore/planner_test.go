package pgstore_test

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/odata-pos/pos/eventstore"
	"github.com/odata-pos/pos/eventstore/pgstore"
)

// TestPlansMadeOnAnEmptyStoreFindRowsByKey checks the plans the store's connections cache for
// its statements while its tables are empty, as a new shop's are: made then, a plan that scans
// streams or events whole, or hashes or merges them, would be kept by the connection however
// large the tables grow (planner.go). Each statement is planned generic, as PostgreSQL plans
// it from its sixth call on, on one of the store's own connections.
func TestPlansMadeOnAnEmptyStoreFindRowsByKey(t *testing.T) {
	s, _ := newStore(t, pgstore.Options{})
	ctx := ctxT(t, time.Minute)
	conn, err := s.AcquireConn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, `SET plan_cache_mode = force_generic_plan`); err != nil {
		t.Fatal(err)
	}
	defer func() { _, _ = conn.Exec(ctx, `RESET plan_cache_mode`) }()
	for _, streams := range []int{0, 300} {
		// A few hundred streams of one event each, not analyzed: a shop's first minute.
		for i := range streams {
			mustAppend(t, s, fmt.Sprintf("filler-%d", i), eventstore.NoStream, events(1))
		}
		for name, plan := range keyedPlans(t, conn) {
			if found := scans.FindAllString(plan, -1); len(found) > 0 {
				t.Errorf("%s, planned with %d streams: the plan has %v:\n%s", name, streams, found, plan)
			}
		}
	}
}

// scans finds what a plan that serves any table size must not have.
var scans = regexp.MustCompile(`Seq Scan on (streams|events)\b|Hash Join|Merge Join`)

// keyedPlans returns the generic plan of each of the store's keyed statements on conn, by name.
func keyedPlans(t *testing.T, conn *pgxpool.Conn) map[string]string {
	t.Helper()
	ctx := ctxT(t, time.Minute)
	param := regexp.MustCompile(`\$(\d+)`)
	plans := map[string]string{}
	for name, sql := range pgstore.KeyedStatements {
		params := 0
		for _, m := range param.FindAllStringSubmatch(sql, -1) {
			n, _ := strconv.Atoi(m[1])
			params = max(params, n)
		}
		if _, err := conn.Exec(ctx, `PREPARE keyed AS `+sql); err != nil {
			t.Fatalf("%s: prepare: %v", name, err)
		}
		nulls := strings.TrimSuffix(strings.Repeat("NULL, ", params), ", ")
		rows, err := conn.Query(ctx, fmt.Sprintf(`EXPLAIN EXECUTE keyed(%s)`, nulls), pgx.QueryExecModeSimpleProtocol)
		if err != nil {
			t.Fatalf("%s: explain: %v", name, err)
		}
		lines, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			t.Fatalf("%s: explain: %v", name, err)
		}
		plans[name] = strings.Join(lines, "\n")
		if _, err := conn.Exec(ctx, `DEALLOCATE keyed`); err != nil {
			t.Fatal(err)
		}
	}
	return plans
}
