package monitoring_test

import (
	"testing"

	"github.com/odata-pos/pos/monitoring"
)

func TestRouteClass(t *testing.T) {
	for _, tc := range []struct{ method, route, want string }{
		{"POST", "/api/v1/sales", monitoring.ClassCommands},
		{"DELETE", "/api/v1/sales/{id}/lines/{line_id}", monitoring.ClassCommands},
		{"GET", "/api/v1/sales/{id}", monitoring.ClassQueries},
		{"HEAD", "/api/v1/products", monitoring.ClassQueries},
		{"GET", "/api/v1/reports/sales", monitoring.ClassReports},
		{"GET", "/api/v1/audit/verify", monitoring.ClassReports},
		{"POST", "/api/v1/auth/login", monitoring.ClassAuth},
		{"POST", "/api/v1/auth/refresh", monitoring.ClassAuth},
		{"GET", "/readyz", monitoring.ClassOps},
		{"GET", "/metrics", monitoring.ClassOps},
		{"HEAD", "/healthz", monitoring.ClassOps},
		{"GET", "unmatched", monitoring.ClassOther},
		{"OTHER", "/api/v1/sales", monitoring.ClassOther},
	} {
		if got := monitoring.RouteClass(tc.method, tc.route); got != tc.want {
			t.Errorf("RouteClass(%s, %s) = %s, want %s", tc.method, tc.route, got, tc.want)
		}
	}
}
