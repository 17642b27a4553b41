#!/usr/bin/env bash
# counts-overhead.sh -- what counting costs: req/s and server CPU per request of each model
# with and without perf stat attached (as harness/counts.c attaches it: -p the whole tree,
# the four totals, enabled around the load), interleaved run by run so that drift hits both.
#   scripts/counts-overhead.sh [REPS] [MODELS...]   (default 5; epoll prefork thread)
# Load: wrk -t1 -c32 -d2s keep-alive on GET /, wrk on CPU 0 and the server on CPU 1.
# Prints one line per run and, per model, the medians and counted/uncounted ratios.
set -euo pipefail
cd "$(dirname "$0")/.."
reps=${1:-5}
shift || true
models=("${@:-epoll prefork thread}")
[ $# -eq 0 ] && models=(epoll prefork thread)
tmp=$(mktemp -d)
pid= perf_pid=
stop() {
	[ -n "$perf_pid" ] && { kill -INT "$perf_pid" 2>/dev/null || true; wait "$perf_pid" 2>/dev/null || true; }
	[ -n "$pid" ] && { kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; }
	pid= perf_pid=
}
trap 'stop; rm -rf "$tmp"' EXIT
# one MODEL COUNT: one run; prints "model count rps cpu_us_per_req". The server's CPU is
# its whole tree's rusage from /usr/bin/time (start and stop included, alike in both arms).
one() {
	local model=$1 count=$2 line port server out rps reqs
	mkfifo "$tmp/listen"
	/usr/bin/time -f '%U %S' -o "$tmp/time" taskset -c 1 "bin/$model" --port 0 >"$tmp/listen" &
	pid=$!
	read -r -t 5 line <"$tmp/listen"
	rm -f "$tmp/listen"
	port=${line##*:}
	server=$(pgrep -P "$pid")
	if [ "$count" = 1 ]; then
		mkfifo "$tmp/ctl" "$tmp/ack"
		perf stat -x, -o "$tmp/perf" -D -1 --control "fifo:$tmp/ctl,$tmp/ack" \
			-e raw_syscalls:sys_enter,context-switches,cpu-migrations,instructions \
			-p "$server$(pgrep -P "$server" | sed 's/^/,/' | tr -d '\n')" 2>"$tmp/perf.err" &
		perf_pid=$!
		exec 7>"$tmp/ctl" 8<"$tmp/ack"
		echo enable >&7 && read -r -t 10 _ <&8
	fi
	out=$(taskset -c 0 wrk -t1 -c32 -d2s "http://127.0.0.1:$port/")
	if [ "$count" = 1 ]; then
		echo disable >&7 && read -r -t 10 _ <&8
		exec 7>&- 8<&-
		rm -f "$tmp/ctl" "$tmp/ack"
	fi
	[ -n "$perf_pid" ] && { kill -INT "$perf_pid"; wait "$perf_pid" || true; }
	perf_pid=
	kill "$server"
	wait "$pid" || true
	pid=
	reqs=$(awk '/requests in/ { print $1 }' <<<"$out")
	rps=$(awk '/^Requests\/sec/ { print $2 }' <<<"$out")
	awk -v m="$model" -v c="$count" -v r="$rps" -v n="$reqs" '
		{ printf "%s %s %.0f %.3f\n", m, c, r, ($1 + $2) * 1e6 / n }' "$tmp/time"
}

for r in $(seq "$reps"); do
	for m in "${models[@]}"; do
		# alternate which goes first, so neither always follows the other
		if [ $((r % 2)) = 1 ]; then one "$m" 0; one "$m" 1; else one "$m" 1; one "$m" 0; fi
	done
done | tee "$tmp/runs"
echo "model  req/s(off)  req/s(on)  ratio   cpu_us/req(off)  cpu_us/req(on)  ratio"
for m in "${models[@]}"; do
	med() { awk -v m="$m" -v c="$1" -v f="$2" '$1 == m && $2 == c { print $f }' "$tmp/runs" |
		sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
	awk -v m="$m" -v r0="$(med 0 3)" -v r1="$(med 1 3)" -v c0="$(med 0 4)" -v c1="$(med 1 4)" \
		'BEGIN { printf "%-7s %10.0f %10.0f  %6.3f  %15.3f  %14.3f  %6.3f\n", m, r0, r1, r1 / r0, c0, c1, c1 / c0 }'
done
