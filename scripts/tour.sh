#!/usr/bin/env bash
# Runs the README's walkthrough (every ```sh block between <!-- tour:begin and <!-- tour:end -->
# of README.md, in order, in one bash with -euo pipefail) against a running posd, then checks
# that the sale ended completed and the shift closed. The README is the only copy of the
# commands, so it cannot drift from what this script (and CI, through scripts/tour-ci.sh) runs.
#
# Usage: POS=http://127.0.0.1:8080 ADMIN_PASSWORD=... scripts/tour.sh   (or make tour)
# posd must have been started on a fresh database with POS_BOOTSTRAP_ADMIN_USERNAME=admin and
# POS_BOOTSTRAP_ADMIN_PASSWORD=$ADMIN_PASSWORD. Needs bash, curl and jq.
set -euo pipefail
cd "$(dirname "$0")/.."

for tool in curl jq; do
	if ! command -v "$tool" >/dev/null; then
		echo "tour: $tool is needed (apt-get install $tool)" >&2
		exit 1
	fi
done

script=$(mktemp)
trap 'rm -f "$script"' EXIT
# Each block is preceded by a line that prints its first command, so the output reads as a
# transcript; -u, -e and pipefail make any failed request (curl -f) or unset variable fatal.
awk '
	/<!-- tour:begin/ { on = 1; next }
	/<!-- tour:end/ { on = 0; next }
	on && /^```sh$/ { inblock = 1; blocks++; first = 1; next }
	on && inblock && /^```$/ { inblock = 0; next }
	on && inblock {
		if (first) {
			line = $0; gsub(/\047/, "\047\\\047\047", line)
			printf "printf \047\\n== tour step %d: %%s\\n\047 \047%s\047\n", blocks, line
			first = 0
		}
		print
	}
	END { if (blocks == 0) { print "tour: no sh blocks between the tour markers of README.md" > "/dev/stderr"; exit 1 } }
' README.md >"$script"

cat >>"$script" <<'CHECKS'

# Checks of this script, not part of the README: the walkthrough's sale and shift ended as the
# README says.
sale_status=$(curl -fsS "$POS/api/v1/sales/$SALE" -H "Authorization: Bearer $TOKEN" | jq -r .status)
shift_status=$(curl -fsS "$POS/api/v1/shifts/$SHIFT" -H "Authorization: Bearer $TOKEN" | jq -r .status)
if [ "$sale_status" != completed ] || [ "$shift_status" != closed ]; then
	echo "tour: sale $SALE is $sale_status (want completed), shift $SHIFT is $shift_status (want closed)" >&2
	exit 1
fi
echo
echo "tour: done: sale completed, one loaf returned, report and audit read, shift closed"
CHECKS

bash -euo pipefail "$script"
