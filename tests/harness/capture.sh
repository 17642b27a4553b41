#!/usr/bin/env bash
# capture.sh -- regenerate the ab fixtures under tests/harness/fixtures/ from real runs:
# ab against real models (close and keep-alive) and against fixture_server.py's broken
# servers (seed-style no body, 404s, failures, a timeout).
#   tests/harness/capture.sh [BIN_DIR]      (default bin; needs its single and epoll models)
# Each fixture NAME gets NAME.out (ab's stdout), NAME.err (stderr) and NAME.perc.csv (-e).
set -euo pipefail
cd "$(dirname "$0")/../.."
bin=${1:-bin}
out=tests/harness/fixtures
mkdir -p "$out"
pid=
port=

stop() {
	if [ -n "$pid" ]; then
		kill "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	fi
	pid=
}
trap stop EXIT

# start CMD...: run a server with --port 0 semantics and read its listening line (5 s bound).
start() {
	local fifo line
	fifo=$(mktemp -u)
	mkfifo "$fifo"
	"$@" >"$fifo" &
	pid=$!
	read -r -t 5 line <"$fifo" || { echo "capture: $* did not start" >&2; rm -f "$fifo"; exit 1; }
	rm -f "$fifo"
	port=${line##*:}
}

# capture NAME AB-ARGS...: one ab run against the started server.
capture() {
	local name=$1
	shift
	ab -q -s 2 -r -e "$out/$name.perc.csv" "$@" "http://127.0.0.1:$port/" \
		>"$out/$name.out" 2>"$out/$name.err" || true
	sed -i 's/\r$//' "$out/$name.out"
	echo "captured $name"
}

start "$bin/single" --port 0
capture close -t 1 -n 3000 -c 8
stop
start "$bin/epoll" --port 0
capture keepalive -t 1 -n 3000 -c 32 -k
stop
for mode in seed notfound flaky; do
	start tests/harness/fixture_server.py "$mode"
	capture "$mode" -n 600 -c 4
	stop
done
start tests/harness/fixture_server.py mute
capture timeout -n 10 -c 2
stop
