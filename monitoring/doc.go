// Package monitoring defines the Prometheus metrics of O'Data POS (names, labels, buckets) in
// one place, registered on a registry the caller owns (never the global one). The directory
// also holds the operator files: Prometheus scrape configuration and alert rules, Alertmanager
// configuration, and the Grafana provisioning and dashboards used by docker-compose.yml; the
// package's tests check that they parse and that the alerts and dashboards only use metrics
// defined here.
package monitoring
