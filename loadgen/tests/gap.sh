#!/usr/bin/env bash
# loadgen/tests/gap.sh -- the gap between a closed-loop p99 (ab) and the open-loop p99 at the
# same throughput, measured on one model and target; prints a Markdown table for the README.
#
#   loadgen/tests/gap.sh [MODEL [TARGET [REQUESTS]]]     (default: epoll /sleep/10 500)
#
# ab -k -c 1 sends REQUESTS one after another: its throughput X is what one closed-loop user
# gets. loadgen then offers Poisson arrivals at 50 %, 80 % and 100 % of X for REQUESTS / X
# seconds each. The server is pinned to CPU 0 and the clients to CPU 1 when the machine has
# two CPUs or more. Heavy: run it under the lock (flock /tmp/sm-heavy.lock loadgen/tests/gap.sh).
set -u

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
model=${1:-epoll}
target=${2:-/sleep/10}
requests=${3:-500}
loadgen=${LOADGEN:-$root/bin/tools/loadgen}
cli_pin=()
(($(nproc) >= 2)) && cli_pin=(taskset -c 1)

# shellcheck source=../../tests/lib/server.sh
source "$root/tests/lib/server.sh"
work=$(mktemp -d "${TMPDIR:-/tmp}/loadgen-gap.XXXXXX")
trap 'server_cleanup; rm -rf "$work"' EXIT

server_start "$root/bin/$model" || exit 1
if ((${#cli_pin[@]})); then taskset -a -p -c 0 "$SERVER_PID" >/dev/null || exit 1; fi
url="http://127.0.0.1:$SERVER_PORT$target"
"${cli_pin[@]}" ab -q -k -c 1 -n "$requests" -e "$work/ab.csv" "$url" >"$work/ab.out" 2>&1 ||
	{ echo "gap.sh: ab failed: $(tail -1 "$work/ab.out")" >&2; exit 1; }
x=$(sed -n 's/^Requests per second: *\([0-9.]*\).*/\1/p' "$work/ab.out")
ab_ms() { awk -F, -v p="$1" '$1 == p { printf "%.2f", $2 }' "$work/ab.csv"; }
echo "| tool | offered req/s | achieved req/s | p50 ms | p99 ms | max ms | status |"
echo "|---|---|---|---|---|---|---|"
echo "| ab -k -c 1 (closed loop) | - | $x | $(ab_ms 50) | $(ab_ms 99) | $(ab_ms 100) | - |"
for share in 50 80 100; do
	rate=$(awk -v x="$x" -v s="$share" 'BEGIN { printf "%.1f", x * s / 100 }')
	secs=$(awk -v x="$x" -v n="$requests" 'BEGIN { printf "%.1f", n / x }')
	"${cli_pin[@]}" "$loadgen" --rate "$rate" --duration "$secs" --drain 30 --threads 1 \
		--connections 64 "$url" >"$work/lg.kv" 2>/dev/null || { echo "gap.sh: loadgen failed" >&2; exit 1; }
	kv() { sed -n "s/^$1=//p" "$work/lg.kv"; }
	ms() { awk -v u="$(kv "$1")" 'BEGIN { printf "%.2f", u / 1000 }'; }
	echo "| loadgen, $share % of ab's | $(kv offered_rps) | $(kv achieved_rps) |" \
		"$(ms lat_p50_us) | $(ms lat_p99_us) | $(ms lat_max_us) | $(kv status) |"
done
server_stop
