// Package grafana holds O'Data POS's Grafana dashboards as code, built with the Grafana
// Foundation SDK. `go generate ./monitoring/grafana` writes them as the JSON files Grafana
// provisions from dashboards/ (see provisioning/dashboards/posd.yml); a test in
// monitoring/ fails when a committed file differs from a fresh generation, or when a query
// names a metric that neither posd nor a configured exporter exports.
package grafana

//go:generate go run ./gen
