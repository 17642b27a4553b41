#!/usr/bin/env bash
# scripts/uring-ladder.sh -- the io_uring ladder (models/io_uring/README.md) beside epoll, with
# what the harness does not count: each cell below (wrk, one thread), per step and repetition,
# counted with perf stat on the server's process (every thread, the SQPOLL thread included):
# requests/s, server CPU per request (utime + stime of /proc/PID/stat, which sums its threads),
# system calls, io_uring_enter calls and receive SQEs (tracepoint io_uring:io_uring_submit_req,
# opcode 27, IORING_OP_RECV) per request; then the server's RSS per idle connection (idle_mem).
# RSS is user memory: the kernel's per-connection state is not in it.
#
#   scripts/uring-ladder.sh [BIN_DIR]      env: CELLS="ka64" DURATION=3 REPS=3 IDLE=1000 (at most
#                                          1000: bash's read -t cannot wait on fds past 1023)
#                                          STEPS="basic ... sqpoll" SERVER_CPU=1 CLIENT_CPU=0
#
# Cells (the cell table below): ka1 ka64 ka512 (hello keep-alive at 1, 64, 512 connections),
# close64 (a connection per request), pipe64 (16 requests per write, harness/wrk/pipeline.lua),
# bytes64 (/bytes/65536 keep-alive). One line per run on stdout: `model step cell rep req_s
# cpu_us_per_req syscalls_per_req enters_per_req recv_sqes_per_req`, then
# `idle model step bytes_per_conn`. Needs root (perf
# tracepoints), wrk and curl. Every server it starts is stopped before the next.
set -euo pipefail

bin=${1:-bin}
cells=${CELLS:-ka64} duration=${DURATION:-3} reps=${REPS:-3} idle=${IDLE:-1000}
((idle <= 1000)) || { echo "uring-ladder: IDLE=$idle: at most 1000" >&2; exit 2; }
steps=${STEPS:-basic fastpoll multishot-accept multishot-recv registered defer-taskrun send-zc sqpoll}
scpu=${SERVER_CPU:-1} ccpu=${CLIENT_CPU:-0}
pid= out=$(mktemp -d "${TMPDIR:-/tmp}/uring-ladder.XXXXXX")
cleanup() {
	[[ -n $pid ]] && kill -TERM "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	rm -rf "$out"
}
trap cleanup EXIT

# start MODEL [ARGS...]: the server on a free port, pinned; sets pid and port.
start() {
	taskset -c "$scpu" "$bin/$1" --port 0 "${@:2}" >"$out/listen" 2>"$out/err" &
	pid=$!
	for _ in $(seq 300); do # 30 s: a loaded machine starts slowly
		grep -q 'listening on' "$out/listen" && break
		sleep 0.1
	done
	port=$(sed -n 's/.*listening on .*:\([0-9]*\)$/\1/p' "$out/listen")
	[[ -n $port ]] || { echo "uring-ladder: $1 ${*:2} did not start: $(cat "$out/err")" >&2; exit 1; }
}

stop() {
	kill -TERM "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null || true
	pid=
}

# CPU time of the server's process so far, in microseconds (all its threads).
cpu_us() {
	local hz
	hz=$(getconf CLK_TCK)
	awk -v hz="$hz" '{ print ($14 + $15) * 1000000 / hz }' "/proc/$pid/stat"
}

# The cell table: name, then wrk's connections, target and how it sends (keepalive, close,
# pipeline).
cell_args() {
	case $1 in
	ka1) echo "1 / keepalive" ;;
	ka64) echo "64 / keepalive" ;;
	ka512) echo "512 / keepalive" ;;
	close64) echo "64 / close" ;;
	pipe64) echo "64 / pipeline" ;;
	bytes64) echo "64 /bytes/65536 keepalive" ;;
	*) return 1 ;;
	esac
}

# run LABEL STEP CELL REP: one wrk run, counted.
run() {
	local c0 c1 reqs n target how extra=()
	read -r n target how <<<"$(cell_args "$3")"
	[[ $how == close ]] && extra=(-H "Connection: close") # wrk wants the blank after the colon
	[[ $how == pipeline ]] && extra=(-s harness/wrk/pipeline.lua)
	c0=$(cpu_us)
	perf stat -x, -o "$out/perf" -p "$pid" -e raw_syscalls:sys_enter \
		-e syscalls:sys_enter_io_uring_enter -e io_uring:io_uring_submit_req \
		--filter 'opcode == 27' -- sleep "$((duration + 1))" &
	local perf_pid=$!
	sleep 0.3
	taskset -c "$ccpu" wrk -t1 -c"$n" -d"${duration}s" "${extra[@]}" \
		"http://127.0.0.1:$port$target" >"$out/wrk"
	wait "$perf_pid"
	c1=$(cpu_us)
	reqs=$(awk '/requests in/ { print $1 }' "$out/wrk")
	awk -F, -v m="$1" -v s="$2 $3" -v r="$4" -v n="$reqs" -v d="$duration" -v cpu="$((${c1%.*} - ${c0%.*}))" '
		/raw_syscalls:sys_enter/ { sys = $1 }
		/sys_enter_io_uring_enter/ { ent = $1 }
		/io_uring_submit_req/ { recv = $1 }
		END { printf "%s %s %s %.0f %.2f %.3f %.3f %.4f\n", m, s, r, n / d, cpu / n, sys / n, ent / n,
		      recv / n }' "$out/perf"
}

# idle LABEL STEP: RSS growth per connection from IDLE/2 to IDLE open connections, each opened
# after the one before was answered (as the harness's idle holder does). The slope leaves out
# fixed costs that the first connections touch (io_uring's 1 MiB of provided buffers).
idle_mem() {
	local r0= fds=() fd i
	for ((i = 0; i < idle; i++)); do
		((i == idle / 2)) && r0=$(awk '/VmRSS/ { print $2 }' "/proc/$pid/status")
		exec {fd}<>"/dev/tcp/127.0.0.1/$port"
		printf 'GET / HTTP/1.1\r\nHost: x\r\n\r\n' >&"$fd"
		read -r -t 2 -u "$fd" _ # its reply has begun: one connection in progress at a time
		fds+=("$fd")
	done
	sleep 1
	echo "idle $1 $2 $((($(awk '/VmRSS/ { print $2 }' "/proc/$pid/status") - r0) * 1024 / (idle - idle / 2)))"
	for fd in "${fds[@]}"; do exec {fd}>&-; done
}

for cell in $cells; do
	cell_args "$cell" >/dev/null || { echo "uring-ladder: no cell $cell" >&2; exit 2; }
done
for rep in $(seq "$reps"); do
	for cell in $cells; do
		start epoll
		run epoll - "$cell" "$rep"
		stop
		for s in $steps; do
			start io_uring --uring "$s"
			run io_uring "$s" "$cell" "$rep"
			stop
		done
	done
done
start epoll
idle_mem epoll -
stop
for s in $steps; do
	start io_uring --uring "$s"
	idle_mem io_uring "$s"
	stop
done
