#!/usr/bin/env bash
# Installs the monitoring tools at pinned versions into bin/ (make monitoring-tools):
#   promtool  checks prometheus.yml and the rules and runs their unit tests
#   amtool    checks alertmanager.yml and tests its routing tree
# Default: the Debian bookworm packages' binaries, extracted with dpkg-deb (no package is
# installed, so no Prometheus or Alertmanager daemon is ever started): seconds on a fresh
# machine. TOOLS_FROM=go builds newer ones from the upstream modules with `go install`
# instead (minutes: Prometheus is a large module).
# Debian's promtool is built without Kubernetes service discovery, so with it
# scripts/monitoring-test.sh leaves prometheus-kubernetes.yml to the Go test of its labels.
set -euo pipefail
cd "$(dirname "$0")/.."

PROMETHEUS_DEB=2.42.0+ds-5+deb12u1
ALERTMANAGER_DEB=0.25.0-1+b4
PROMETHEUS_GO=v0.316.0   # Prometheus 3.x; module github.com/prometheus/prometheus
ALERTMANAGER_GO=v0.34.1

bin=$(pwd)/bin
mkdir -p "$bin"

have() { # have TOOL VERSION-SUBSTRING: the tool in bin/ is that version
	[ -x "$bin/$1" ] && "$bin/$1" --version 2>&1 | head -1 | grep -qF -- "$2"
}

from_debian() {
	local tmp
	tmp=$(mktemp -d)
	trap 'rm -rf "$tmp"' RETURN
	(
		cd "$tmp"
		if ! apt-get download "prometheus=$PROMETHEUS_DEB" "prometheus-alertmanager=$ALERTMANAGER_DEB" >/dev/null 2>&1; then
			apt-get update -qq >/dev/null
			apt-get download "prometheus=$PROMETHEUS_DEB" "prometheus-alertmanager=$ALERTMANAGER_DEB"
		fi
		for deb in ./*.deb; do dpkg-deb -x "$deb" root; done
	)
	install -m 0755 "$tmp/root/usr/bin/promtool" "$bin/promtool"
	install -m 0755 "$tmp/root/usr/bin/amtool" "$bin/amtool"
}

from_go() {
	GOBIN=$bin go install "github.com/prometheus/prometheus/cmd/promtool@$PROMETHEUS_GO"
	GOBIN=$bin go install "github.com/prometheus/alertmanager/cmd/amtool@$ALERTMANAGER_GO"
}

case "${TOOLS_FROM:-debian}" in
debian)
	if have promtool "${PROMETHEUS_DEB%%+*}" && have amtool "${ALERTMANAGER_DEB%%-*}"; then
		exit 0
	fi
	from_debian
	;;
go)
	if have promtool "${PROMETHEUS_GO#v0.}" && have amtool "${ALERTMANAGER_GO#v}"; then
		exit 0
	fi
	from_go
	;;
*)
	echo "TOOLS_FROM must be debian or go" >&2
	exit 2
	;;
esac
"$bin/promtool" --version 2>&1 | head -1
"$bin/amtool" --version 2>&1 | head -1
