package grafana

import (
	"strings"

	"github.com/grafana/grafana-foundation-sdk/go/cog"
	"github.com/grafana/grafana-foundation-sdk/go/common"
	"github.com/grafana/grafana-foundation-sdk/go/dashboard"
	"github.com/grafana/grafana-foundation-sdk/go/prometheus"
	"github.com/grafana/grafana-foundation-sdk/go/stat"
	"github.com/grafana/grafana-foundation-sdk/go/timeseries"
)

// The provisioned datasources (provisioning/datasources/).
const (
	PrometheusUID  = "prometheus"
	PrometheusType = "prometheus"
	PostgresUID    = "postgres-reports"
	PostgresType   = "grafana-postgresql-datasource"
)

// Prometheus and Postgres reference the provisioned datasources.
var (
	Prometheus = ref(PrometheusType, PrometheusUID)
	Postgres   = ref(PostgresType, PostgresUID)
)

func ref(typ, uid string) common.DataSourceRef {
	return common.DataSourceRef{Type: cog.ToPtr(typ), Uid: cog.ToPtr(uid)}
}

// opsRoutes are posd's operational endpoints: never counted as API traffic.
const opsRoutes = `/metrics|/healthz|/readyz`

// RouteClass is a group of API routes with one objective: the RED panels show each class
// on its own, so argon2 logins do not hide in (or inflate) the commands' latency.
type RouteClass struct {
	Name string
	// Selector is the label matchers of pos_http_request_duration_seconds for the class
	// (without instance).
	Selector string
}

// RouteClasses: commands (writes), queries (reads), reports, auth (login, refresh, …);
// the ops endpoints are in none.
var RouteClasses = []RouteClass{
	{"commands", `method=~"POST|PUT|PATCH|DELETE",route=~"/api/v1/.*",route!~"/api/v1/(auth|reports)/.*"`},
	{"queries", `method=~"GET|HEAD",route=~"/api/v1/.*",route!~"/api/v1/(auth|reports)/.*"`},
	{"reports", `route=~"/api/v1/reports/.*"`},
	{"auth", `route=~"/api/v1/auth/.*"`},
}

// instanceVariable is the $instance selector over the posd processes.
func instanceVariable() *dashboard.QueryVariableBuilder {
	return dashboard.NewQueryVariableBuilder("instance").
		Label("instance").
		Datasource(Prometheus).
		Query(dashboard.StringOrMap{String: cog.ToPtr("label_values(pos_build_info, instance)")}).
		Definition("label_values(pos_build_info, instance)").
		Refresh(dashboard.VariableRefreshOnTimeRangeChanged).
		IncludeAll(true).
		Multi(true).
		AllValue(".*").
		Current(dashboard.VariableOption{Text: dashboard.StringOrArrayOfString{String: cog.ToPtr("All")},
			Value: dashboard.StringOrArrayOfString{String: cog.ToPtr("$__all")}})
}

// promQueryBuilder is the SDK's builder of a PromQL target.
type promQueryBuilder = prometheus.DataqueryBuilder

// promQuery is one PromQL target with its legend.
func promQuery(expr, legend string) *prometheus.DataqueryBuilder {
	return prometheus.NewDataqueryBuilder().Datasource(Prometheus).Expr(expr).LegendFormat(legend)
}

// sel joins label matchers into a selector body, skipping empty ones.
func sel(matchers ...string) string {
	var out []string
	for _, m := range matchers {
		if m != "" {
			out = append(out, m)
		}
	}
	return strings.Join(out, ",")
}

// graph is a Prometheus time series panel of width span.
func graph(title, description, unit string, span uint32, targets ...*prometheus.DataqueryBuilder) *timeseries.PanelBuilder {
	p := timeseries.NewPanelBuilder().Title(title).Description(description).Datasource(Prometheus).
		Unit(unit).Span(span).Height(8).FillOpacity(10).Legend(legend()).Tooltip(tooltip())
	for i, t := range targets {
		p.WithTarget(t.RefId(refID(i)))
	}
	return p
}

// single is a Prometheus stat panel of width span.
func single(title, description, unit string, span uint32, targets ...*prometheus.DataqueryBuilder) *stat.PanelBuilder {
	p := stat.NewPanelBuilder().Title(title).Description(description).Datasource(Prometheus).
		Unit(unit).Span(span).Height(4).
		ReduceOptions(common.NewReduceDataOptionsBuilder().Calcs([]string{"lastNotNull"}))
	for i, t := range targets {
		p.WithTarget(t.RefId(refID(i)))
	}
	return p
}

// refID names the i-th target of a panel: A, B, …
func refID(i int) string { return string(rune('A' + i)) }

// legend is the legend of the time series panels: a list below the graph.
func legend() *common.VizLegendOptionsBuilder {
	return common.NewVizLegendOptionsBuilder().DisplayMode(common.LegendDisplayModeList).
		Placement(common.LegendPlacementBottom).ShowLegend(true)
}

// tooltip shows every series at the cursor, largest first.
func tooltip() *common.VizTooltipOptionsBuilder {
	return common.NewVizTooltipOptionsBuilder().Mode(common.TooltipDisplayModeMulti).Sort(common.SortOrderDescending)
}

// atLeast colours a stat red below green (and green from it): for "up" values.
func atLeast(green float64) *dashboard.ThresholdsConfigBuilder {
	return dashboard.NewThresholdsConfigBuilder().Mode(dashboard.ThresholdsModeAbsolute).Steps([]dashboard.Threshold{
		{Value: nil, Color: "red"},
		{Value: cog.ToPtr(green), Color: "green"},
	})
}

// thresholds colours a stat green below red (and red from it).
func thresholds(red float64) *dashboard.ThresholdsConfigBuilder {
	return dashboard.NewThresholdsConfigBuilder().Mode(dashboard.ThresholdsModeAbsolute).Steps([]dashboard.Threshold{
		{Value: nil, Color: "green"},
		{Value: cog.ToPtr(red), Color: "red"},
	})
}

// board starts a dashboard with the house settings.
func board(uid, title, description string, tags ...string) *dashboard.DashboardBuilder {
	return dashboard.NewDashboardBuilder(title).
		Uid(uid).
		Description(description).
		Tags(append([]string{"odata-pos"}, tags...)).
		Refresh("30s").
		Time("now-6h", "now").
		Timezone(common.TimeZoneBrowser).
		Tooltip(dashboard.DashboardCursorSyncCrosshair).
		Readonly()
}
