#!/usr/bin/env bash
# Checks the monitoring files with the real tools (make monitoring-test; run by .ci/run):
# promtool check config and check rules, promtool test rules (monitoring/prometheus/tests),
# amtool check-config and the routing tests of monitoring/alertmanager/routes.tests. The
# tools come from scripts/install-tools.sh (bin/). Every check runs; the exit status is
# non-zero if any failed.
set -uo pipefail
cd "$(dirname "$0")/.."
promtool=bin/promtool
amtool=bin/amtool
failed=0
check() {
	echo "-- $*"
	"$@" || { echo "FAILED: $*"; failed=1; }
}

check "$promtool" check config monitoring/prometheus/prometheus.yml
if "$promtool" --version 2>&1 | head -1 | grep -q '+ds'; then
	echo "-- skipped: promtool check config monitoring/prometheus/prometheus-kubernetes.yml (Debian's promtool has no Kubernetes discovery; TOOLS_FROM=go installs one that has; the Go test in monitoring checks its labels)"
else
	check "$promtool" check config monitoring/prometheus/prometheus-kubernetes.yml
fi
check "$promtool" check rules monitoring/prometheus/rules/*.yml
# promtool resolves a test's rule_files from its own directory; cd in this shell, not in a
# subshell, so that a failure reaches $failed.
cd monitoring/prometheus
check "../../$promtool" test rules tests/*.test.yml
cd ../..

check "$amtool" check-config monitoring/alertmanager/alertmanager.yml
while read -r receivers labels; do
	case "$receivers" in '' | '#'*) continue ;; esac
	# shellcheck disable=SC2086 # the labels are separate arguments
	check "$amtool" config routes test --config.file=monitoring/alertmanager/alertmanager.yml \
		--verify.receivers="$receivers" $labels
done <monitoring/alertmanager/routes.tests

exit "$failed"
