#!/usr/bin/env bash
# explain.sh -- why one cell costs what it costs: `make explain MODEL=epoll SCENARIO=hello
# LEVEL=32 [MODE=keepalive]`. One timed run and the cell's counting run through bin/harness
# (--profile: perf stat and perf record -g attached to the server's whole tree over the load),
# then prints the system calls per request by name and the 15 functions, user and kernel, where
# the server's CPU went. Debian packages no flame-graph drawer (perf's own `perf script report
# flamegraph` fetches its template from the web), so no flame graph is drawn.
#   scripts/explain.sh MODEL SCENARIO LEVEL [MODE] [BIN]   (MODE: the scenario's first; BIN: bin)
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -ge 3 ] || { echo "usage: make explain MODEL=epoll SCENARIO=hello LEVEL=32 [MODE=keepalive]" >&2; exit 2; }
model=$1 scenario=$2 level=$3 mode=${4:-} bin=${5:-bin}
command -v perf >/dev/null || { echo "explain: perf is not installed (scripts/install-deps.sh installs linux-perf)" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
args=(--bin "$bin" --results "$tmp/results" --plots "$tmp/plots" --scripts plots --models "$model"
	--scenarios "$scenario" --levels "$level" --reps 1 --no-warmup --count 1 --profile)
[ -n "$mode" ] && args+=(--modes "$mode")
"$bin/harness" "${args[@]}" >"$tmp/harness.out" 2>&1 || { cat "$tmp/harness.out"; exit 1; }
grep -E '^\[count\]|^\[1/|counts off' "$tmp/harness.out" || true
run=$(ls "$tmp/results" | grep -v latest | head -1)
dir=$tmp/results/$run
if [ ! -s "$dir/syscalls.md" ]; then
	echo "explain: nothing was counted ($(sed -n 's/^counts: //p' "$dir/meta"))" >&2
	exit 1
fi
echo
grep -v '^!\[' "$dir/syscalls.md" | grep -v '^The counting pass'
for data in "$dir"/raw/count-*.perf.data; do
	[ -s "$data" ] || { echo "explain: perf record wrote nothing (${data%.data}.data.err)"; continue; }
	echo
	echo "Top 15 functions (user and kernel, self time) over the load, $(basename "$data" .perf.data | sed 's/^count-r1-//'):"
	echo
	perf report --stdio --no-children --sort sym -i "$data" 2>/dev/null |
		awk '/^ +[0-9.]+%/ && n++ < 15'
done
echo
echo "flame graph: none (Debian packages no flame-graph drawer; see docs/performance.md)"
