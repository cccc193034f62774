package grafana

import (
	"reflect"

	"github.com/grafana/grafana-foundation-sdk/go/cog"
	"github.com/grafana/grafana-foundation-sdk/go/cog/variants"
	"github.com/grafana/grafana-foundation-sdk/go/common"
)

// SQL result formats of Grafana's PostgreSQL datasource.
const (
	FormatTimeSeries = "time_series"
	FormatTable      = "table"
)

// SQLQuery is a raw SQL target of Grafana's PostgreSQL datasource (the SDK has no type for
// it; this is the JSON Grafana stores).
type SQLQuery struct {
	RefID      string                `json:"refId"`
	Datasource *common.DataSourceRef `json:"datasource,omitempty"`
	EditorMode string                `json:"editorMode"`
	Format     string                `json:"format"`
	RawQuery   bool                  `json:"rawQuery"`
	RawSQL     string                `json:"rawSql"`
}

// ImplementsDataqueryVariant makes SQLQuery a panel target.
func (SQLQuery) ImplementsDataqueryVariant() {}

// DataqueryType names the datasource plugin.
func (SQLQuery) DataqueryType() string { return PostgresType }

// Validate accepts every query; the test in monitoring/ checks the SQL's tables.
func (SQLQuery) Validate() error { return nil }

// Equals compares two targets.
func (q SQLQuery) Equals(other variants.Dataquery) bool {
	o, ok := other.(SQLQuery)
	return ok && reflect.DeepEqual(q, o)
}

// sqlQueryBuilder builds an SQLQuery as a panel target.
type sqlQueryBuilder struct{ q SQLQuery }

var _ cog.Builder[variants.Dataquery] = sqlQueryBuilder{}

// Build implements cog.Builder.
func (b sqlQueryBuilder) Build() (variants.Dataquery, error) { return b.q, nil }

// sqlQuery is a raw SQL target on the provisioned PostgreSQL datasource, in format.
func sqlQuery(refID, format, sql string) sqlQueryBuilder {
	ds := Postgres
	return sqlQueryBuilder{SQLQuery{RefID: refID, Datasource: &ds, EditorMode: "code", Format: format, RawQuery: true, RawSQL: sql}}
}
