#!/usr/bin/env bash
# Runs EventStore-Client-Go's OWN integration tests (esdb/*_test.go of the version go.mod pins)
# against the project's in-process EventStoreDB emulator (eventstore/esdb/esdbtest), unmodified
# except for the one fixture file that starts a docker container (esdb/containers_test.go),
# which is replaced with eventstore/esdb/esdbtest/testdata/client-suite/containers_test.go.
#
# How: `go test -overlay` refuses to replace files under GOMODCACHE, so the module is copied out
# of the cache into a temporary directory (and checked byte-identical with `diff -r`), a
# temporary go.work uses that copy and this checkout (so the fixture can import esdbtest, and the
# client builds with the dependency versions posd uses), and the fixture is overlaid. Tests that
# need what the emulator deliberately lacks are listed, each with its reason, in
# eventstore/esdb/esdbtest/testdata/client-suite/skip.tsv.
#
# Prints a report per suite and per test (PASS, FAIL or SKIP with its reason) and exits
# non-zero on any failure, on a skip the list does not explain, or when a listed self-skip
# does not skip. Needs go (modules download through the module proxy on a fresh machine).
# Usage: scripts/esdb-client-suite.sh   (ESDB_SUITE_LOG=FILE keeps go test's full output)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
suite_dir=$root/eventstore/esdb/esdbtest/testdata/client-suite
skip_list=$suite_dir/skip.tsv
module=github.com/EventStore/EventStore-Client-Go/v4

version=$(go list -m -f '{{.Version}}' "$module")
go mod download "$module"
cached=$(go list -m -f '{{.Dir}}' "$module")

work=$(mktemp -d)
trap 'chmod -R u+w "$work" 2>/dev/null; rm -rf "$work"' EXIT
cp -R "$cached" "$work/client"
chmod -R u+w "$work/client"
if ! diff -r "$cached" "$work/client" >/dev/null; then
	echo "esdb-client-suite: the copy of $module@$version differs from the module cache" >&2
	exit 1
fi
echo "esdb-client-suite: $module@$version copied out of the module cache (byte-identical)"

cat >"$work/overlay.json" <<EOF
{"Replace": {"$work/client/esdb/containers_test.go": "$suite_dir/containers_test.go"}}
EOF
(cd "$work" && GOWORK= go work init ./client "$root")
export GOWORK=$work/go.work

# go test -skip pattern from the excluded tests: ^A$/^B$/^C$ per test, joined with |.
skip_pattern=$(awk -F'\t' '!/^#/ && $2 == "excluded" {
	n = split($1, part, "/"); p = ""
	for (i = 1; i <= n; i++) {
		gsub(/[][(){}.*+?^$|\\]/, "\\\\&", part[i])
		p = p (i > 1 ? "/" : "") "^" part[i] "$"
	}
	out = out (out == "" ? "" : "|") p
} END { print out }' "$skip_list")

log=${ESDB_SUITE_LOG:-$work/go-test.log}
status=0
(cd "$work" && EVENTSTORE_INSECURE=true CLUSTER=false go test -count=1 -v -timeout 150s \
	-overlay "$work/overlay.json" -skip "$skip_pattern" "$module/esdb") >"$log" 2>&1 || status=$?

# Report: leaves of go test's tree (tests without subtests) with their results, the listed
# tests that never ran with their reasons, counts per suite (the first two name levels).
report_status=0
awk -F'\t' -v go_status="$status" '
	FNR == NR {
		if ($0 ~ /^#/ || NF < 4) next
		how[$1] = $2; needs[$1] = $3; reason[$1] = $4; listed[++nlisted] = $1
		mark_parents($1)
		next
	}
	match($0, /^ *--- (PASS|FAIL|SKIP): [^ ]+/) {
		split(substr($0, RSTART, RLENGTH), f, " ")
		st = f[2]; sub(/:$/, "", st)
		if (!(f[3] in result)) order[++n] = f[3]
		result[f[3]] = st
		mark_parents(f[3])
	}
	function mark_parents(name,   part, np, p, i) {
		np = split(name, part, "/"); p = part[1]
		for (i = 2; i <= np; i++) { parent[p] = 1; p = p "/" part[i] }
	}
	function suite(name,   part, np) {
		np = split(name, part, "/")
		return np > 1 ? part[1] "/" part[2] : "(top-level tests without subtests)"
	}
	function count(name, st) {
		s = suite(name)
		if (!(s in seen)) { seen[s] = 1; suites[++ns] = s }
		tally[s, st]++; total[st]++
	}
	END {
		print "== tests (leaves of go test'"'"'s tree)"
		for (i = 1; i <= n; i++) {
			name = order[i]
			if (name in parent) continue
			st = result[name]; note = ""
			if (st == "SKIP") {
				if (how[name] == "self") note = "  [" needs[name] "] " reason[name]
				else { note = "  UNEXPECTED: skipped without a reason in skip.tsv"; bad++ }
			} else if (how[name] == "self") {
				note = "  UNEXPECTED: skip.tsv says it skips itself"; bad++
			}
			if (st == "FAIL") bad++
			ran[name] = 1
			printf "%-4s  %s%s\n", st, name, note
			count(name, st)
		}
		for (i = 1; i <= nlisted; i++) {
			name = listed[i]
			if (name in ran) continue
			if (how[name] == "self") { printf "FAIL  %s  UNEXPECTED: listed as self-skipping but did not run\n", name; bad++; count(name, "FAIL"); continue }
			printf "SKIP  %s  [%s, %s] %s\n", name, needs[name], how[name], reason[name]
			count(name, "SKIP")
		}
		print "== suites                                             pass  fail  skip"
		for (i = 1; i <= ns; i++)
			printf "%-52s %5d %5d %5d\n", suites[i], tally[suites[i], "PASS"], tally[suites[i], "FAIL"], tally[suites[i], "SKIP"]
		printf "== total: %d passed, %d failed, %d skipped (listed in skip.tsv with reasons); go test exit status %d\n", total["PASS"], total["FAIL"], total["SKIP"], go_status
		if (bad > 0 || go_status != 0) exit 1
	}
' "$skip_list" "$log" || report_status=$?

if [ "$report_status" -ne 0 ]; then
	echo "esdb-client-suite: unexpected failures; go test output follows" >&2
	grep -v '^\(=== RUN\|[0-9/]* [0-9:]* \[\(debug\|info\)\]\)' "$log" | tail -n 200 >&2
	exit 1
fi
echo "esdb-client-suite: every test of $module@$version passed or is listed with its reason"
