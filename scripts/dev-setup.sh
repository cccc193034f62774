#!/usr/bin/env bash
# dev-setup.sh makes this machine ready to run and test O'Data POS: PostgreSQL and Redis
# answer on 127.0.0.1 (started when they are installed here but stopped, and we are root),
# and PostgreSQL has a role for the OS user, so that posd's default
# POS_DATABASE_URL (postgres://127.0.0.1:5432/pos, no user: the OS user) connects. As root
# with apt-get, it also installs curl and jq when missing (the README walkthrough uses them).
# posd creates the `pos` database itself on first start.
#
# Used by `make setup` and by .ci/run. Safe to run again. Settings:
#   PGHOST/PGPORT (127.0.0.1/5432), PG_ADMIN_USER (postgres), REDIS_HOST/REDIS_PORT
#   (127.0.0.1/6379), DB_ROLE (the OS user), SKIP_REDIS=1 to not require Redis, SKIP_BROKERS=1
#   to not start NATS (127.0.0.1:4222, JetStream) and RabbitMQ (127.0.0.1:5672), which the
#   integration event publisher's tests use.
set -euo pipefail

PGHOST="${PGHOST:-127.0.0.1}"
PGPORT="${PGPORT:-5432}"
PG_ADMIN_USER="${PG_ADMIN_USER:-postgres}"
REDIS_HOST="${REDIS_HOST:-127.0.0.1}"
REDIS_PORT="${REDIS_PORT:-6379}"
DB_ROLE="${DB_ROLE:-$(id -un)}"

say() { printf 'setup: %s\n' "$*"; }
die() { printf 'setup: error: %s\n' "$*" >&2; exit 1; }

# wait_for NAME CMD...: retries CMD for up to 30 s.
wait_for() {
	local name=$1; shift
	for _ in $(seq 1 60); do
		if "$@" >/dev/null 2>&1; then return 0; fi
		sleep 0.5
	done
	die "$name does not answer after 30s"
}

pg_answers() { pg_isready -q -h "$PGHOST" -p "$PGPORT"; }
redis_answers() { [ "$(redis-cli -h "$REDIS_HOST" -p "$REDIS_PORT" ping 2>/dev/null)" = "PONG" ]; }

command -v psql >/dev/null || die "psql not found: install PostgreSQL (Debian: apt-get install postgresql)"
command -v pg_isready >/dev/null || die "pg_isready not found: install the PostgreSQL client"

# --- PostgreSQL ---
if ! pg_answers; then
	if [ "$(id -u)" = 0 ] && command -v pg_ctlcluster >/dev/null && [ -d /etc/postgresql ]; then
		version="$(ls /etc/postgresql | sort -V | tail -n1)"
		say "starting PostgreSQL $version"
		pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
	else
		die "PostgreSQL does not answer on $PGHOST:$PGPORT; start it (e.g. sudo systemctl start postgresql)"
	fi
	wait_for PostgreSQL pg_answers
fi
say "PostgreSQL answers on $PGHOST:$PGPORT"

psql_admin() { psql -X -q -v ON_ERROR_STOP=1 -h "$PGHOST" -p "$PGPORT" -U "$PG_ADMIN_USER" -d postgres "$@"; }
if [ "$(psql_admin -tAc "SELECT 1 FROM pg_roles WHERE rolname = '$DB_ROLE'")" != 1 ]; then
	say "creating PostgreSQL role $DB_ROLE (LOGIN CREATEDB) for the default POS_DATABASE_URL"
	psql_admin -c "CREATE ROLE \"$DB_ROLE\" LOGIN CREATEDB"
fi
say "PostgreSQL role $DB_ROLE exists"

# --- Redis ---
if [ "${SKIP_REDIS:-0}" != 1 ]; then
	if ! redis_answers; then
		if [ "$(id -u)" = 0 ] && command -v redis-server >/dev/null; then
			say "starting Redis"
			mkdir -p /var/lib/redis /var/log/redis
			redis-server --daemonize yes --bind 127.0.0.1 -::1 --port "$REDIS_PORT" --save "" \
				--appendonly no --dir /var/lib/redis --logfile /var/log/redis/ci.log
		else
			die "Redis does not answer on $REDIS_HOST:$REDIS_PORT; start it, or set SKIP_REDIS=1 and POS_REDIS_URL= to run without"
		fi
		wait_for Redis redis_answers
	fi
	say "Redis answers on $REDIS_HOST:$REDIS_PORT"
fi
# --- NATS (JetStream) and RabbitMQ: the integration event publisher's tests need them ---
port_answers() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }
if [ "${SKIP_BROKERS:-0}" != 1 ]; then
	if ! port_answers 127.0.0.1 4222; then
		if [ "$(id -u)" = 0 ] && [ -x /usr/sbin/nats-server ]; then
			say "starting NATS with JetStream"
			mkdir -p /var/lib/nats-server
			start-stop-daemon --start --oknodo --background --exec /usr/sbin/nats-server -- \
				-a 127.0.0.1 -p 4222 -js -sd /var/lib/nats-server -l /var/log/nats-server.log
			wait_for NATS port_answers 127.0.0.1 4222
		else
			say "warning: NATS does not answer on 127.0.0.1:4222: the publisher's NATS tests will skip (fail in CI)"
		fi
	fi
	if ! port_answers 127.0.0.1 5672; then
		if [ "$(id -u)" = 0 ] && command -v rabbitmq-server >/dev/null; then
			say "starting RabbitMQ"
			rabbitmq-server -detached
			for _ in $(seq 1 120); do port_answers 127.0.0.1 5672 && break; sleep 0.5; done
			port_answers 127.0.0.1 5672 || die "RabbitMQ does not answer after 60s"
		else
			say "warning: RabbitMQ does not answer on 127.0.0.1:5672: the publisher's RabbitMQ tests will skip (fail in CI)"
		fi
	fi
fi
# --- curl and jq, for the README walkthrough (make tour) ---
for tool in curl jq; do
	if ! command -v "$tool" >/dev/null; then
		if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
			say "installing $tool (for make tour)"
			DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$tool" >/dev/null ||
				{ apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$tool" >/dev/null; }
		else
			say "note: $tool not found; make tour needs it (apt-get install $tool)"
		fi
	fi
done
say "ready"
