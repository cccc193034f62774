package monitoring_test

import (
	"context"
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/odata-pos/pos/eventstore"
	"github.com/odata-pos/pos/monitoring/grafana"
	"github.com/odata-pos/pos/projections"
	"github.com/odata-pos/pos/projections/readmodels/readtest"
	"github.com/odata-pos/pos/projections/reports"
	"github.com/odata-pos/pos/projections/sales"
)

// grafanaMacros replaces the Grafana PostgreSQL macros and variables the business dashboard
// uses with what Grafana sends for a week's range and one store.
var grafanaMacros = strings.NewReplacer(
	"$__timeFrom()", "'2026-11-01T00:00:00Z'",
	"$__timeTo()", "'2026-11-08T00:00:00Z'",
	"$store", "'S1'",
)

// expandTimeFilter replaces $__timeFilter(col) by the range condition Grafana generates.
func expandTimeFilter(sql string) string {
	for {
		i := strings.Index(sql, "$__timeFilter(")
		if i < 0 {
			return sql
		}
		j := strings.Index(sql[i:], ")")
		col := sql[i+len("$__timeFilter(") : i+j]
		sql = sql[:i] + col + " BETWEEN '2026-11-01T00:00:00Z' AND '2026-11-08T00:00:00Z'" + sql[i+j+1:]
	}
}

// TestBusinessSQLRuns runs every SQL query of the provisioned dashboards (panels and
// variables, macros expanded as Grafana does) against the views the reports and sales
// projections create in a real PostgreSQL: a renamed column or view fails here, not in front
// of a store manager.
func TestBusinessSQLRuns(t *testing.T) {
	e := readtest.New(t, func(c *eventstore.Codec) []projections.Projection {
		return []projections.Projection{reports.New(), sales.New(c)}
	})
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	for { // the runner creates the generations and points the stable views at them
		var ready bool
		err := e.Pool.QueryRow(ctx, `SELECT to_regclass('reports.shifts') IS NOT NULL AND to_regclass('sales.sales') IS NOT NULL`).Scan(&ready)
		if err != nil {
			t.Fatal(err)
		}
		if ready {
			break
		}
		select {
		case <-ctx.Done():
			t.Fatal("the reports and sales views were not created within 60s")
		case <-time.After(50 * time.Millisecond):
		}
	}

	var queries []string
	for _, d := range grafana.All() {
		b, err := os.ReadFile("grafana/dashboards/" + d.File)
		if err != nil {
			t.Fatal(err)
		}
		var dash dashboardJSON
		if err := json.Unmarshal(b, &dash); err != nil {
			t.Fatal(err)
		}
		for _, v := range dash.Templating.List {
			if q, ok := v.Query.(string); ok && v.Datasource.UID == grafana.PostgresUID {
				queries = append(queries, q)
			}
		}
		for _, p := range dash.Panels {
			for _, tg := range p.Targets {
				if tg.RawSQL != "" {
					queries = append(queries, tg.RawSQL)
				}
			}
		}
	}
	if len(queries) < 8 {
		t.Fatalf("only %d SQL queries in the dashboards", len(queries))
	}
	for _, q := range queries {
		sql := expandTimeFilter(grafanaMacros.Replace(q))
		rows, err := e.Pool.Query(ctx, sql)
		if err == nil {
			rows.Close()
			err = rows.Err()
		}
		if err != nil {
			t.Errorf("%v\n%s", err, sql)
		}
	}
}
