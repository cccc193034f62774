package grafana

// ExporterMetrics lists, per configured exporter, the metrics the dashboards may use besides
// posd's own pos_*, go_* and process_* series. The test in monitoring/ fails on a query
// naming a metric in none of these lists (or not exported by posd), and on an exporter
// here that docker-compose.yml does not run. Keep each list to metrics the pinned exporter
// version exports (the image tags in docker-compose.yml); add a name when a panel needs it.
var ExporterMetrics = map[string][]string{
	// Prometheus itself, for every scrape job.
	"prometheus": {"up", "scrape_duration_seconds", "scrape_samples_scraped"},
	// prom/blackbox-exporter (the posd-readyz probe).
	"blackbox": {"probe_success", "probe_duration_seconds", "probe_http_status_code"},
	// prom/node-exporter v1.9: the host.
	"node-exporter": {
		"node_cpu_seconds_total", "node_load1", "node_load5", "node_load15",
		"node_memory_MemAvailable_bytes", "node_memory_MemTotal_bytes",
		"node_filesystem_avail_bytes", "node_filesystem_size_bytes", "node_filesystem_files_free", "node_filesystem_readonly",
		"node_disk_io_time_seconds_total", "node_network_receive_bytes_total", "node_network_transmit_bytes_total",
	},
	// prometheuscommunity/postgres-exporter v0.17: default collectors (database,
	// stat_database, locks, settings, stat_activity via the default queries).
	"postgres-exporter": {
		"pg_up", "pg_settings_max_connections", "pg_database_size_bytes", "pg_locks_count",
		"pg_stat_database_numbackends", "pg_stat_database_xact_commit", "pg_stat_database_xact_rollback",
		"pg_stat_database_blks_hit", "pg_stat_database_blks_read", "pg_stat_database_deadlocks",
		"pg_stat_activity_count", "pg_stat_activity_max_tx_duration",
	},
	// oliver006/redis_exporter v1.67.
	"redis-exporter": {
		"redis_up", "redis_connected_clients", "redis_blocked_clients", "redis_rejected_connections_total",
		"redis_memory_used_bytes", "redis_memory_max_bytes", "redis_commands_processed_total",
		"redis_evicted_keys_total", "redis_expired_keys_total", "redis_keyspace_hits_total", "redis_keyspace_misses_total",
		"redis_db_keys",
	},
	// gcr.io/cadvisor/cadvisor v0.52: containers.
	"cadvisor": {
		"container_cpu_usage_seconds_total", "container_memory_working_set_bytes", "container_memory_usage_bytes",
		"container_spec_memory_limit_bytes", "container_fs_usage_bytes",
		"container_network_receive_bytes_total", "container_network_transmit_bytes_total",
	},
}
