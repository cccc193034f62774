#!/usr/bin/env bash
# CI's run of the README walkthrough (scripts/tour.sh) against a real posd: builds posd, starts
# it on a free port of 127.0.0.1 with a fresh PostgreSQL database (posd creates it) and a
# bootstrap admin, runs the tour, stops posd and drops the database. Prints posd's log when the
# tour fails.
#
# Usage: scripts/tour-ci.sh   (after scripts/dev-setup.sh; TOUR_PG_URL is the PostgreSQL server,
# default postgres://postgres@127.0.0.1:5432)
set -euo pipefail
cd "$(dirname "$0")/.."

pg=${TOUR_PG_URL:-postgres://postgres@127.0.0.1:5432}
db=pos_tour_$$_$(date +%s)
work=$(mktemp -d)
posd_pid=

stop() {
	if [ -n "$posd_pid" ]; then
		kill "$posd_pid" 2>/dev/null || true
		wait "$posd_pid" 2>/dev/null || true
	fi
	psql "$pg/postgres?sslmode=disable" -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true
	rm -rf "$work"
}
trap stop EXIT

go build -o "$work/posd" ./cmd/posd

password=tour-$(cat /proc/sys/kernel/random/uuid)
# POS_HTTP_ADDR port 0: the kernel picks a free port, which posd logs once it serves.
POS_HTTP_ADDR=127.0.0.1:0 \
	POS_DATABASE_URL="$pg/$db?sslmode=disable" \
	POS_REDIS_URL= \
	POS_DATA_DIR="$work/data" \
	POS_LOG_FORMAT=json \
	POS_BOOTSTRAP_ADMIN_USERNAME=admin \
	POS_BOOTSTRAP_ADMIN_PASSWORD="$password" \
	"$work/posd" >"$work/posd.log" 2>&1 &
posd_pid=$!

addr=
for _ in $(seq 1 600); do
	addr=$(sed -n 's/.*"msg":"posd ready to serve".*"addr":"\([^"]*\)".*/\1/p' "$work/posd.log" | head -n 1)
	[ -n "$addr" ] && break
	if ! kill -0 "$posd_pid" 2>/dev/null; then
		break
	fi
	sleep 0.1
done
if [ -z "$addr" ]; then
	echo "tour-ci: posd did not start; its log:" >&2
	cat "$work/posd.log" >&2
	exit 1
fi
echo "tour-ci: posd serving on $addr with a fresh database $db"

start=$(date +%s)
status=0
POS=http://$addr ADMIN_PASSWORD=$password bash scripts/tour.sh || status=$?
echo "tour-ci: tour finished in $(( $(date +%s) - start ))s with status $status"
if [ "$status" -ne 0 ]; then
	echo "tour-ci: posd's log:" >&2
	tail -n 100 "$work/posd.log" >&2
fi
exit "$status"
