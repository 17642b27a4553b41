#!/usr/bin/env bash
# capture-counts.sh -- regenerate the perf fixtures under tests/harness/fixtures/ (counts-*.perf)
# from real runs: `perf stat -x,` attached to a model's tree over an ab load, as
# harness/counts.c attaches it (-p the tree, -D -1, enabled by its control pipe).
#   tests/harness/capture-counts.sh [BIN_DIR]    (default bin; needs fork and epoll, perf, ab)
# counts-fork-close.perf: the totals, fork in close mode (children created during the load);
# counts-epoll-breakdown.perf: the totals and one syscalls:sys_enter_NAME line per call;
# counts-gone.perf, counts-gone.perf.err: perf told to attach to a process that is gone.
set -euo pipefail
cd "$(dirname "$0")/../.."
bin=${1:-bin}
out=tests/harness/fixtures
tmp=$(mktemp -d)
pid=
perf_pid=
stop() {
	[ -n "$perf_pid" ] && { kill -INT "$perf_pid" 2>/dev/null || true; wait "$perf_pid" 2>/dev/null || true; }
	[ -n "$pid" ] && { kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; }
	pid= perf_pid=
}
trap 'stop; rm -rf "$tmp"' EXIT
totals=raw_syscalls:sys_enter,context-switches,cpu-migrations,instructions

# capture NAME MODEL EVENTS AB-ARGS...: one model, perf enabled around one ab run.
capture() {
	local name=$1 model=$2 events=$3 line port
	shift 3
	mkfifo "$tmp/listen" "$tmp/ctl" "$tmp/ack"
	"$bin/$model" --port 0 >"$tmp/listen" &
	pid=$!
	read -r -t 5 line <"$tmp/listen" || { echo "capture: $model did not start" >&2; exit 1; }
	port=${line##*:}
	perf stat -x, -o "$out/$name.perf" -D -1 --control "fifo:$tmp/ctl,$tmp/ack" \
		-e "$events" -p "$pid" 2>"$tmp/perf.err" &
	perf_pid=$!
	exec 7>"$tmp/ctl" 8<"$tmp/ack"
	echo enable >&7 && read -r -t 10 _ <&8
	ab -q -s 2 "$@" "http://127.0.0.1:$port/" >/dev/null
	echo disable >&7 && read -r -t 10 _ <&8
	exec 7>&- 8<&-
	stop
	rm -f "$tmp/listen" "$tmp/ctl" "$tmp/ack"
	sed -i '/^# started on/d' "$out/$name.perf"
	echo "captured $name"
}

capture counts-fork-close fork "$totals" -n 2000 -c 32
calls=
for c in accept4 recvfrom sendto sendmsg epoll_pwait epoll_ctl close; do
	calls+=",syscalls:sys_enter_$c"
done
capture counts-epoll-breakdown epoll "$totals$calls" -n 20000 -c 32 -k
# A pid that cannot exist: perf writes nothing to -o and says why on stderr.
perf stat -x, -o "$out/counts-gone.perf" -e "$totals" -p 2147483646 \
	2>"$out/counts-gone.perf.err" || true
echo "captured counts-gone"
