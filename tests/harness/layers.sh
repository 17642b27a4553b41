#!/usr/bin/env bash
# layers.sh -- the harness's rooms (docs/design.md, "The harness's rooms"): no include runs back
# up, i.e. the graph of harness/'s own includes has no cycle (tsort finds one if it does), and
# no file in harness/ is over 900 lines.
#   tests/harness/layers.sh [DIR]   (default harness)
set -uo pipefail
dir=${1:-harness}
. "$(dirname "$0")/check.sh"

# "included includer" pairs of the files' own includes (a file's own header left out).
edges() {
	local f m d
	for f in "$dir"/*.[ch]; do
		m=$(basename "${f%.*}")
		for d in $(sed -n 's/^#include "\([a-z_]*\)\.h".*/\1/p' "$f"); do
			[ "$d" != "$m" ] && echo "$d $m"
		done
	done
}
loop=$(edges | tsort 2>&1 >/dev/null | awk 'NR > 1 && /input contains a loop/ { exit } { printf "%s ", $0 }')
check "harness/: no include runs back up (no cycle)" '[ -z "$loop" ]' "$loop"
long=$(wc -l "$dir"/*.[ch] | awk '$2 != "total" && $1 > 900 { print $2 " " $1 }')
check "harness/: no file over 900 lines" '[ -z "$long" ]' "$long"
check_totals
