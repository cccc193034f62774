#!/bin/sh
# Runs once, when the postgres container initialises an empty data volume
# (/docker-entrypoint-initdb.d): creates grafana_reader, the login role of Grafana's PostgreSQL
# datasource (the business dashboard), with the password GRAFANA_DB_PASSWORD.
#   - It is a member of pos_analyst, which the reports projection grants SELECT on the views
#     of schema "reports" (docs/reports.md).
#   - It may read schema "sales" too (the voids panel counts voided sales there): the schema
#     is created here, owned by pos, with default privileges for the views posd creates in it.
# Nothing else: no events, no users, no writes.
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
	-v reader_password="$GRAFANA_DB_PASSWORD" <<'SQL'
CREATE ROLE pos_analyst NOLOGIN;
CREATE ROLE grafana_reader LOGIN PASSWORD :'reader_password' IN ROLE pos_analyst;
CREATE SCHEMA IF NOT EXISTS sales AUTHORIZATION pos;
GRANT USAGE ON SCHEMA sales TO grafana_reader;
ALTER DEFAULT PRIVILEGES FOR ROLE pos IN SCHEMA sales GRANT SELECT ON TABLES TO grafana_reader;
SQL
