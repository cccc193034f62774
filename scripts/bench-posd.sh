#!/usr/bin/env bash
# Measures one-shot sales through a real posd, as a shop runs it: builds posd and posbench,
# creates a fresh database, starts posd (or an API posd and a projector posd), and runs
# posbench against it with the raw INSERT baseline of the same PostgreSQL in the same run and
# the time the stock read model takes to catch up. Everything it starts it stops.
#
#   scripts/bench-posd.sh [--split | --api] [posbench flags...]
#   scripts/bench-posd.sh --clients 8 --duration 30s
#   scripts/bench-posd.sh --split --clients 32 --duration 30s
#   scripts/bench-posd.sh --api --clients 8 --duration 30s
#   scripts/bench-posd.sh --rate 150 --duration 5m --lag-every 10
#
# --split runs `posd --role api` and `posd --role projector` as two processes; by default one
# `posd --role all`. --api runs `posd --role api` alone: the command path without the
# projector, the policies or the audit checkpointer (a measure of what they cost, not a way to
# run a shop: nothing folds the sales, and stock never moves, so no catch-up is waited for).
# PORT (default 18080), PGADMIN (default postgres://postgres@127.0.0.1:5432) and POSD (a posd
# binary to measure instead of this tree's, e.g. one built from an earlier commit for a
# side-by-side run) may be set in the environment. API_RATE_LIMIT (default 1000)
# is each user's API requests per second (POS_API_RATE_LIMIT): a closed loop of N registers
# measures the server, not the cashier's limit of 20 a second. Prints the load average before
# and after.
set -euo pipefail
cd "$(dirname "$0")/.."

split=0 apionly=0 catchup=5m
case "${1:-}" in
--split) split=1; shift ;;
--api) apionly=1 catchup=0; shift ;;
esac
port=${PORT:-18080}
pgadmin=${PGADMIN:-postgres://postgres@127.0.0.1:5432}
db="posbench_$(date +%s)_$$"
out=$(mktemp -d)
password="bench-admin-password-1"

go build -o "$out/" ./cmd/posd ./cmd/posbench
posd=${POSD:-$out/posd}
psql "$pgadmin/postgres" -qc "CREATE DATABASE $db" >/dev/null
# The raw INSERT baseline runs on the same server in a database of its own, so that the
# per-sale figures below count posd's transactions only.
psql "$pgadmin/postgres" -qc "CREATE DATABASE ${db}_raw" >/dev/null

pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  psql "$pgadmin/postgres" -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true
  psql "$pgadmin/postgres" -qc "DROP DATABASE IF EXISTS ${db}_raw WITH (FORCE)" >/dev/null 2>&1 || true
  rm -rf "$out"
}
trap cleanup EXIT

start() { # role addr logfile
  POS_HTTP_ADDR="$2" POS_DATABASE_URL="$pgadmin/$db?sslmode=disable" POS_REDIS_PREFIX="posbench:$db:" POS_API_RATE_LIMIT="${API_RATE_LIMIT:-1000}" \
  POS_JWT_SECRET="posbench-signing-secret-0123456789abcdef" POS_LOG_LEVEL=warn \
  POS_BOOTSTRAP_ADMIN_USERNAME=admin POS_BOOTSTRAP_ADMIN_PASSWORD="$password" POS_DATA_DIR="$out" \
    "$posd" --role "$1" >"$3" 2>&1 &
  pids+=($!)
}
ready() { # addr
  for _ in $(seq 1 600); do
    curl -fs "http://$1/readyz" >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  echo "posd on $1 did not become ready" >&2; return 1
}

if [ "$split" = 1 ] || [ "$apionly" = 1 ]; then
  start api "127.0.0.1:$port" "$out/api.log"; ready "127.0.0.1:$port"
  if [ "$split" = 1 ]; then
    start projector "127.0.0.1:$((port + 1))" "$out/projector.log"; ready "127.0.0.1:$((port + 1))"
  fi
else
  start all "127.0.0.1:$port" "$out/all.log"; ready "127.0.0.1:$port"
fi

psqldb() { # retried: on a busy machine the server may be out of connection slots for a moment
  for _ in $(seq 1 40); do psql "$pgadmin/$db?sslmode=disable" -XqtAc "$1" 2>/dev/null && return 0; sleep 0.5; done
  psql "$pgadmin/$db?sslmode=disable" -XqtAc "$1"
}
# The events of the types published by default (integration.Filter(nil)).
publishable="SELECT count(*) FROM events WHERE type IN ('sales.sale_completed.v1', 'sales.sale_voided.v1',
  'returns.return_recorded.v1', 'inventory.stock_moved.v1', 'inventory.stock_counted.v1', 'catalog.product_created.v1',
  'catalog.price_changed.v1', 'catalog.product_deactivated.v1', 'catalog.product_reactivated.v1')"
if [ -n "${POS_PUBLISH_URL:-}" ]; then # the publisher's lag, sampled every second during the load
  ( while sleep 1; do curl -fs "http://127.0.0.1:$port/metrics" | awk '/^pos_publish_lag_seconds/ {print $2}'; done >"$out/lag" ) &
  lagpid=$!
  pids+=("$lagpid")
fi
# CPU seconds (user + system) of the given processes, from /proc.
cpu() { local t=0; for p in "$@"; do [ -r "/proc/$p/stat" ] && t=$((t + $(awk '{print $14 + $15}' "/proc/$p/stat"))); done; echo "$t"; }
backends() { psqldb "SELECT pid FROM pg_stat_activity WHERE datname = '$db' AND pid <> pg_backend_pid()"; }
xacts() { psqldb "SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = '$db'"; }
sales() { psqldb "SELECT count(*) FROM events WHERE type = 'sales.sale_completed.v1'"; }
posd_pids=("${pids[@]}")
declare -A pg_before
for b in $(backends); do pg_before[$b]=$(cpu "$b"); done
redis_pids=($(pgrep -x redis-server || true)) # shared with anything else using this Redis
posd_cpu0=$(cpu "${posd_pids[@]}") redis_cpu0=$(cpu "${redis_pids[@]}") xacts0=$(xacts) sales0=$(sales)
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
t0=$(date +%s.%N)
"$out/posbench" --url "http://127.0.0.1:$port" --admin-user admin --admin-password "$password" \
  --baseline-db "$pgadmin/${db}_raw?sslmode=disable" --stock-catchup "$catchup" --quiet "$@"
t1=$(date +%s.%N)
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
# What a sale cost, which load moves far less than sales/s: CPU of posd and of the database's
# backends serving it (those connected at the end; a backend that came and went mid-run is
# missed), and transactions, per completed sale of the run (stock catch-up included).
posd_cpu1=$(cpu "${posd_pids[@]}") redis_cpu1=$(cpu "${redis_pids[@]}") xacts1=$(xacts) sales1=$(sales)
pg_cpu=0
for b in $(backends); do c=$(cpu "$b"); pg_cpu=$((pg_cpu + c - ${pg_before[$b]:-0})); done
n=$((sales1 - sales0)); tick=$(getconf CLK_TCK)
if [ "$n" -gt 0 ]; then
  ms() { printf %.2f "$(echo "scale=3; $1 * 1000 / $tick / $n" | bc)"; }
  echo "per sale ($n sales): posd $(ms $((posd_cpu1 - posd_cpu0))) ms CPU, database backends $(ms "$pg_cpu") ms CPU, $(echo "scale=1; ($xacts1 - $xacts0) / $n" | bc) transactions; Redis $(ms $((redis_cpu1 - redis_cpu0))) ms CPU"
  # The CPU ceiling: posd, its database backends and Redis together, per sale, against the
  # machine's cores (posbench's own share is on its "load generator" line above).
  server=$((posd_cpu1 - posd_cpu0 + pg_cpu + redis_cpu1 - redis_cpu0))
  echo "server CPU per sale $(ms "$server") ms: at most $(echo "$(nproc) * $tick * $n / $server" | bc) sales/s on $(nproc) cores if nothing else ran"
fi
if [ -n "${POS_PUBLISH_URL:-}" ]; then # what was confirmed and appended when the load ended
  during=$(curl -fs "http://127.0.0.1:$port/metrics" | sed -nE 's/^pos_publish_messages_total\{target="([^"]+)"\} ([0-9.e+]+)$/\1=\2/p' | tr '\n' ' ')
  appended_during=$(psqldb "SELECT count(*) FROM events")
  publishable_during=$(psqldb "$publishable")
fi
if [ -n "${POS_PUBLISH_URL:-}" ]; then
  # Integration events: events appended during the run beside the messages each target had
  # confirmed (pos_publish_messages_total) once the counts stopped moving (3 s unchanged).
  kill "$lagpid" 2>/dev/null || true
  declare -A count changed
  stable=0
  while [ "$stable" -lt 6 ]; do
    sleep 0.5
    moved=0
    for kv in $(curl -fs "http://127.0.0.1:$port/metrics" | sed -nE 's/^pos_publish_messages_total\{target="([^"]+)"\} ([0-9.e+]+)$/\1=\2/p'); do
      if [ "${count[${kv%%=*}]:-}" != "${kv#*=}" ]; then
        count[${kv%%=*}]=${kv#*=} changed[${kv%%=*}]=$(date +%s.%N) moved=1
      fi
    done
    if [ "$moved" = 0 ]; then stable=$((stable + 1)); else stable=0; fi
  done
  appended=$(psqldb "SELECT count(*) FROM events")
  echo "events appended: $appended in $(printf %.1f "$(echo "$t1 - $t0" | bc)") s = $(echo "$appended / ($t1 - $t0)" | bc) events/s"
  echo "during the load: $appended_during events appended = $(echo "$appended_during / ($t1 - $t0)" | bc) events/s, $publishable_during of them publishable = $(echo "$publishable_during / ($t1 - $t0)" | bc)/s; confirmed by then: $during"
  echo "publishable in all: $(psqldb "$publishable")"
  for target in "${!count[@]}"; do
    done_at=${changed[$target]}
    echo "published to $target: ${count[$target]} messages, the last $(printf %.1f "$(echo "$done_at - $t1" | bc)") s after the load = $(echo "${count[$target]} / ($done_at - $t0)" | bc) messages/s over the run"
  done
  echo "publish lag during the load: max $(sort -g "$out/lag" | tail -1) s over $(wc -l <"$out/lag") samples"
fi
grep -h '"level":"ERROR"' "$out"/*.log | head -5 || true
