#!/usr/bin/env bash
# tests/robust/run.sh -- every model against hostile clients and descriptor exhaustion.
#
#   tests/robust/run.sh [--bin DIR] [--tool HOSTILE] [MODEL...]
#
# Runs each check below on each model (default: every executable in DIR, default bin/, except
# harness, each followed by its variants: MODEL:VARIANT, run with the flags of its README's
# Variants line; a MODEL named may be NAME:VARIANT or NAME:*), each on a fresh server on 127.0.0.1, and prints `ok - <model>: <check> (<figure>)`,
# `not ok - <model>: <check>: <why>` or `skip - <model>: <why>`, then `N passed, N failed,
# N skipped`; exit 1 on any failure. HOSTILE is the C client (default $BUILD/tests/hostile,
# BUILD defaulting to build/). Checks:
#   slowloris        200 connections trickle one header byte a second; after 1.5 s a new client
#                    is answered within 1 s. An iterative model (its --help summary starts with
#                    "Iterative") cannot do that: it is run with --timeout 1 behind 3 slow
#                    connections, and must answer within 3 x timeout + 1 s (its stated bound).
#                    A fixed pool of blocking workers (summary starts "Fixed pool") is held by
#                    slow clients too: --workers 2 --timeout 1 behind 4 slow connections, it
#                    must answer within ceil(4/2) x timeout + 1 s.
#                    Models named ref-* are reference servers, not bound by the contract: skipped.
#   idle-timeout     --timeout 1: an idle connection is closed 0.9..3 s after connecting.
#   reset            20 clients send requests then reset (SO_LINGER 0); a new client gets 200.
#   half-close       request, shutdown(SHUT_WR): the full reply still arrives.
#   edge-torture     (hostile torture all) every request split at every offset (each piece its
#                    own edge), pipelines of 3, 100 and 2000 requests (the 2000 with a reader
#                    that waits 300 ms), a FIN in the same segment as the last request: every
#                    request answered, then EOF after a FIN. An iterative model answers the first
#                    request of each connection and closes.
#   pipeline-flood   10,000 pipelined requests never read; a new client every 250 ms is served
#                    within 1 s (iterative: timeout + 1 s linger + 1 s), and the Pss summed over
#                    the model's processes grows by less than 16 MiB (VmRSS shown too).
#   bad-head-*       oversized head 431, long target 414, garbage 400 or a plain close, CL+TE
#                    400, bad chunk size 400; each followed by 64 KiB more than the server reads,
#                    and the client must read the whole error reply and then EOF (not a reset).
#   fd-exhaustion    under `ulimit -n 64`, 200 concurrent clients held (at most 2 s); while they
#                    are, the model uses <= 25 % CPU over 0.5 s (blocking accept() fails at once
#                    when descriptors run out: a loop that does not pause spins); then it is
#                    still alive, a fresh curl gets 200, and it uses <= 10 % CPU idle over 0.5 s.
#   max-conns        models whose --help summary says they serve one process/thread "per
#                    connection" (--max-conns 4: 4 idle keep-alive connections held) or from a
#                    "queue" (--workers 1 --max-conns 4: 1 served + 4 queued): the next client
#                    gets 503 and a graceful close. Other models ignore --max-conns.
#   max-conns-half   the same, but 20 next clients one after another each send their request and
#                    shut their write side down: each still gets its 503, then EOF (issue 19).
#   sequential       every model whose Facts line says admission=yes, at --max-conns 1 (and
#                    --workers 1 for a queue): as many clients side by side as it admits (1 per
#                    connection; 2 for a queue: 1 served + 1 queued), each opening 3000
#                    connections one after another, the next only once the server has closed the
#                    last: none may get a 503 (a slot freed after the close, issue 19).
#   queue-fd-limit   a "queue" model under `ulimit -n 32`, --workers 1 and the default
#                    --max-conns: it says on stderr that the limit cuts its queue, and holds
#                    32 - 8 (SERVER_FD_RESERVE, server.h) connections, the next one getting 503
#                    (not a failed accept).
#   half-storm       (hostile halfstorm 32 500) for 0.5 s, rounds of 32 clients that send
#                    GET /sleep/0 and shut their write side down 300 us later: every one gets its
#                    200, then EOF, and the server lives (offload crashed, issue 19).
#   batch-close      the event loops (Facts wait=ready or all), --timeout 1: (hostile batchclose
#                    32 2500 1000) rounds of 32 clients, each round a quarter reset with 4 MiB of
#                    replies stalled, a quarter reset during GET /sleep/5, a quarter reset with a
#                    request sent within 20 ms of their idle deadline, a quarter half-closed (these
#                    must get 200, then EOF): connections closed while other events of the same
#                    batch still name them; after each round a fresh client gets 200.
#   long-lived       models whose --help summary says work runs on "helper" threads (offload):
#                    ten back-to-back `ab -k -c 64 -t 1 /sleep/10` runs against ONE server, which
#                    must still be alive after each and answer a curl at the end.
#   halfclose-pipeline  a client with a 4 KiB receive buffer pipelines 60,000 requests, shuts
#                    down its write side and reads slowly: every reply (1 from an iterative
#                    model), then EOF.
#   mem-exhaustion   the soft RLIMIT_AS set to the model's size + 256 KiB (prlimit) during a
#                    storm of 500 clients, then lifted: the model is alive and a curl gets 200.
#   sigterm-load     SIGTERM while `ab -c 64` runs: exit 0 within 1 s, no process left behind.
set -u

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
bindir=$root/bin
tool=${BUILD:-$root/build}/tests/hostile
models=()

while (($#)); do
	case $1 in
	--bin) bindir=$2; shift 2 ;;
	--tool) tool=$2; shift 2 ;;
	-h | --help) sed -n '2,/^set -u/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	-*) echo "run.sh: unknown option $1" >&2; exit 2 ;;
	*) models+=("$1"); shift ;;
	esac
done
[[ -x $tool ]] || { echo "run.sh: $tool: not built (make \$(BUILD)/tests/hostile)" >&2; exit 2; }

# shellcheck source=../lib/server.sh
. "$root/tests/lib/server.sh"
# shellcheck source=../lib/facts.sh
. "$root/tests/lib/facts.sh"
# every model followed by its variants (NAME:VARIANT), or the ones named
mapfile -t models < <(models_expand "$root" "$bindir" "${models[@]}")
((${#models[@]})) || { echo "run.sh: no models in $bindir" >&2; exit 2; }

work=$(mktemp -d "${TMPDIR:-/tmp}/robust.XXXXXX") || exit 2
ab_pid= storm_pid=
MEM_MARGIN_KB=256 # address space left to a model for the mem-exhaustion storm
cleanup() {
	[[ -n $ab_pid ]] && kill -KILL "$ab_pid" 2>/dev/null
	[[ -n $storm_pid ]] && kill -KILL "$storm_pid" 2>/dev/null
	server_cleanup
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

passed=0 failed=0 skipped=0
ok() {
	echo "ok - $model: $1 ($2)"
	passed=$((passed + 1))
}
not_ok() {
	echo "not ok - $model: $1: $2"
	failed=$((failed + 1))
}

# Start the model for CHECK with ARGS (BIN overridable for the ulimit wrapper): 0 started,
# 77 skipped (the caller stops testing the model), 1 failed (already reported).
start() {
	local check=$1 rc
	shift
	server_start "${start_bin:-$bin}" "$@" "${variant_args[@]}" 2>"$work/start.err"
	rc=$?
	if ((rc == 77)); then
		return 77
	elif ((rc != 0)); then
		not_ok "$check" "server did not start: $(tr '\n' ' ' <"$work/start.err")"
	fi
	return $rc
}

# Stop the server after CHECK, whose result is OUT (the figure) and RC (0 pass). A server that
# died during the check fails it whatever the figure; a server that stops uncleanly here gets
# a comment (the sigterm-load check is the one that judges stopping).
finish() {
	local check=$1 out=$2 rc=$3
	if ! server_alive "$SERVER_PID"; then
		server_stop >/dev/null 2>&1
		not_ok "$check" "the server died (exit status $SERVER_RC: $(server_log_tail 2 |
			tr '\n' ' ')); $out"
		return
	fi
	if ((rc == 0)); then
		ok "$check" "$out"
	else
		not_ok "$check" "$out"
	fi
	server_stop >/dev/null 2>&1 || echo "# $model: unclean stop after $check: $SERVER_STOP_WHY"
}

# Run the hostile tool for CHECK against the running server and report its line
# (an argument @PID stands for the server's PID).
hostile() {
	local check=$1 out rc a args=()
	shift
	for a; do
		[[ $a == @PID ]] && a=$SERVER_PID
		args+=("$a")
	done
	out=$("$tool" "$SERVER_PORT" "${args[@]}" 2>&1)
	rc=$?
	finish "$check" "$out" "$rc"
}

# One check on a fresh server: check NAME "SERVER ARGS" HOSTILE-ARGS...; returns 77 if the
# model skips itself, else 0 (the result is reported).
check() {
	local name=$1 server_args=$2 rc
	shift 2
	# shellcheck disable=SC2086 # server_args is a list of words
	start "$name" $server_args
	rc=$?
	((rc == 77)) && return 77
	((rc == 0)) && hostile "$name" "$@"
	return 0
}

check_fd_exhaustion() {
	local wrap=$work/ulimit/$model storm= code= cpu= held= why=
	mkdir -p "${wrap%/*}"
	printf '#!/bin/sh\nulimit -n 64 || exit 1\nexec "%s" "$@"\n' "$bin" >"$wrap"
	chmod +x "$wrap"
	start_bin=$wrap start fd-exhaustion --timeout 3
	case $? in 0) ;; 77) return 77 ;; *) return 0 ;; esac
	"$tool" "$SERVER_PORT" storm 200 2000 >"$work/storm.out" 2>&1 &
	storm_pid=$!
	sleep 0.2 # the clients are in: accepted, queued or shed
	held=$("$tool" 0 cpu "$SERVER_PID" 500 25 2>&1) || why="while they were held: $held"
	wait "$storm_pid"
	storm_pid=
	storm=$(<"$work/storm.out")
	sleep 0.2
	if server_alive "$SERVER_PID"; then
		code=$(curl -s -m 3 -o /dev/null -w '%{http_code}' "http://127.0.0.1:$SERVER_PORT/")
		[[ $code == 200 ]] || why+="${why:+; }after the storm a fresh curl got '$code', not 200"
		sleep 0.2
		cpu=$("$tool" 0 cpu "$SERVER_PID" 500 10 2>&1) || why+="${why:+; }$cpu"
	fi
	if [[ -z $why ]]; then
		finish fd-exhaustion "ulimit -n 64, storm: $storm; held: $held; then curl 200; $cpu" 0
	else
		finish fd-exhaustion "$why; storm: $storm" 1
	fi
	return 0
}

# Finish CHECK after a load: unless WHY already says what failed, a live server must answer a
# fresh curl with 200 (WHEN says after what). Reports OK_TEXT, or the failure followed by TAIL.
finish_after_curl() {
	local check=$1 why=$2 when=$3 ok_text=$4 tail=$5 code
	if [[ -z $why ]] && server_alive "$SERVER_PID"; then
		code=$(curl -s -m 3 -o /dev/null -w '%{http_code}' "http://127.0.0.1:$SERVER_PORT/")
		[[ $code == 200 ]] || why="$when a fresh curl got '$code', not 200"
	fi
	if [[ -z $why ]]; then
		finish "$check" "$ok_text" 0
	else
		finish "$check" "$why$tail" 1
	fi
}

# Address space runs out during a storm of 500 clients (the soft RLIMIT_AS set just above the
# model's size with prlimit), then comes back: the model must still be alive and serve a fresh
# client. A model that stops accepting for good after an allocation failure fails here. 500
# clients and a 256 KiB margin: a model that holds no buffer per idle connection (libuv since
# issue 10) must still fail to allocate its per-connection state within one accept pass.
check_mem_exhaustion() {
	local kb storm=
	start mem-exhaustion --timeout 3
	case $? in 0) ;; 77) return 77 ;; *) return 0 ;; esac
	kb=$(awk '/^VmSize:/ { print $2 }' "/proc/$SERVER_PID/status" 2>/dev/null)
	if [[ -z $kb ]] || ! prlimit --pid "$SERVER_PID" --as=$(((kb + MEM_MARGIN_KB) * 1024)): \
		2>"$work/prlimit.err"; then
		finish mem-exhaustion "prlimit failed: $(head -n 1 "$work/prlimit.err")" 1
		return 0
	fi
	storm=$("$tool" "$SERVER_PORT" storm 500 2000 2>&1)
	prlimit --pid "$SERVER_PID" --as=unlimited: 2>/dev/null
	sleep 0.2
	finish_after_curl mem-exhaustion "" "after the storm" \
		"RLIMIT_AS VmSize + $MEM_MARGIN_KB KiB, storm: $storm; then curl 200" "; storm: $storm"
	return 0
}

# ab's time limit only has to outlast this check, which is killed at its end: the process scans
# below (server_descendants, and server_stop's before its SIGTERM) were bash loops over /proc
# that took seconds on a busy machine (now one ps call each), and a short limit (it was 5 s)
# let ab end with a normal report before the SIGTERM: the check then tested a server at rest.
SIGTERM_AB_SECONDS=30
check_sigterm_load() {
	local pid before t0
	start sigterm-load --timeout 3
	case $? in 0) ;; 77) return 77 ;; *) return 0 ;; esac
	t0=$(server_now_ms)
	timeout $((SIGTERM_AB_SECONDS + 10)) ab -q -r -c 64 -t "$SIGTERM_AB_SECONDS" -n 1000000 \
		"http://127.0.0.1:$SERVER_PORT/" >"$work/ab.out" 2>&1 &
	ab_pid=$!
	sleep 0.7
	# Checked before any slow scan: ab runs now, so it still loads the server at the SIGTERM.
	if ! kill -0 "$ab_pid" 2>/dev/null; then
		server_stop >/dev/null 2>&1
		t0=$(($(server_now_ms) - t0))
		not_ok sigterm-load "ab was not running $t0 ms after its start: $(tail -n 1 "$work/ab.out")"
	elif ! server_alive "$SERVER_PID"; then
		server_stop >/dev/null 2>&1
		not_ok sigterm-load "the server died under ab -c 64 (exit status $SERVER_RC)"
	else
		before=$(server_descendants "$SERVER_PID" | wc -l)
		pid=$SERVER_PID
		if server_stop 2>/dev/null; then
			ok sigterm-load "exit 0 in $SERVER_STOP_MS ms under ab -c 64 ($before descendants)"
		else
			not_ok sigterm-load "$SERVER_STOP_WHY (exit $SERVER_RC, $SERVER_STOP_MS ms, pid $pid)"
		fi
	fi
	kill -TERM "$ab_pid" 2>/dev/null
	wait "$ab_pid" 2>/dev/null
	ab_pid=
	return 0
}

# What --max-conns means for a model, from its --help summary: perconn, queue or none.
maxconns_kind() {
	case ${1,,} in
	*"per connection"*) echo perconn ;;
	*queue*) echo queue ;;
	*) echo none ;;
	esac
}

# Under ulimit -n QUEUE_FD_LIMIT a queue model holds this many connections (server.h's
# SERVER_FD_RESERVE is 8; --workers 1: threadpool's one worker, prefork-fdpass's one child socket).
QUEUE_FD_LIMIT=32
QUEUE_FD_HELD=$((QUEUE_FD_LIMIT - 8))

check_queue_fd_limit() {
	local wrap=$work/ulimit32/$model out rc
	mkdir -p "${wrap%/*}"
	printf '#!/bin/sh\nulimit -n %d || exit 1\nexec "%s" "$@"\n' "$QUEUE_FD_LIMIT" "$bin" >"$wrap"
	chmod +x "$wrap"
	start_bin=$wrap start queue-fd-limit --timeout 5 --workers 1
	case $? in 0) ;; 77) return 77 ;; *) return 0 ;; esac
	out=$("$tool" "$SERVER_PORT" maxconns "$QUEUE_FD_HELD" 1 2>&1)
	rc=$?
	if ! grep -q "the limit is $QUEUE_FD_LIMIT" "$SERVER_LOG" 2>/dev/null; then
		out="no stderr line saying the descriptor limit ($QUEUE_FD_LIMIT) cuts the queue; $out"
		rc=1
	fi
	finish queue-fd-limit "$out" "$rc"
	return 0
}

# Ten back-to-back ab -k -c 64 -t 1 /sleep/10 runs against one server (offload's crash, issue 19).
check_long_lived() {
	local i why=
	start long-lived --timeout 3
	case $? in 0) ;; 77) return 77 ;; *) return 0 ;; esac
	for i in 1 2 3 4 5 6 7 8 9 10; do
		timeout 10 ab -q -k -c 64 -t 1 -n 1000000 "http://127.0.0.1:$SERVER_PORT/sleep/10" \
			>"$work/ab.out" 2>&1
		server_alive "$SERVER_PID" || { why="died during ab run $i"; break; }
	done
	finish_after_curl long-lived "$why" "after 10 ab runs" \
		"10 x ab -k -c 64 -t 1 /sleep/10 on one server, then curl 200" ""
	return 0
}

# Every check on one model; 77 as soon as the model skips itself.
run_model() {
	local summary kind facts
	summary=$(timeout 5 "$bin" --help 2>/dev/null | sed -n 2p)
	if [[ ${summary,,} == iterative* ]]; then
		check slowloris-iterative "--timeout 1" slowloris 3 100 4000 || return
	elif [[ ${summary,,} == "fixed pool"* ]]; then
		# 4 slow clients hold 2 blocking workers for ceil(4/2) x 1 s: bound 2 s (+1 s slack).
		check slowloris-pool "--timeout 1 --workers 2" slowloris 4 100 3000 || return
	else
		check slowloris "--timeout 3" slowloris 200 1500 1000 || return
	fi
	check idle-timeout "--timeout 1" idle 900 3000 || return
	check reset "--timeout 3" reset 20 || return
	check half-close "--timeout 3" halfclose || return
	check edge-torture "--timeout 3" torture all "$([[ ${summary,,} == iterative* ]] && echo 1 || echo 0)" ||
		return
	for k in oversized long-target garbage cl-te chunk; do
		check "bad-head-$k" "--timeout 3" badhead "$k" || return
	done
	# a model that closes after every reply answers the first request only
	check halfclose-pipeline "--timeout 3" halfpipe 60000 \
		"$([[ ${summary,,} == iterative* ]] && echo 1 || echo 60000)" || return
	if [[ ${summary,,} == iterative* ]]; then
		check pipeline-flood "--timeout 1" flood @PID 10000 1500 3000 16384 || return
	else
		check pipeline-flood "--timeout 3" flood @PID 10000 1500 1000 16384 || return
	fi
	check_fd_exhaustion || return
	check_mem_exhaustion || return
	kind=$(maxconns_kind "$summary")
	if [[ $kind == perconn ]]; then
		check max-conns "--timeout 5 --max-conns 4" maxconns 4 4 || return
		check max-conns-half "--timeout 5 --max-conns 4" maxconns 4 4 half || return
	elif [[ $kind == queue ]]; then
		check max-conns "--timeout 5 --workers 1 --max-conns 4" maxconns 5 1 || return
		check max-conns-half "--timeout 5 --workers 1 --max-conns 4" maxconns 5 1 half || return
		check_queue_fd_limit || return
	fi
	facts=$(facts_line "$root" "$model" 2>/dev/null)
	if [[ $(facts_get "$facts" admission) == yes ]]; then
		case $kind in
		perconn) check sequential "--timeout 5 --max-conns 1" sequential 3000 1 || return ;;
		queue) check sequential "--timeout 5 --workers 1 --max-conns 1" sequential 3000 2 || return ;;
		*) echo "not ok - $model: sequential: admission=yes, but its --help summary says" \
			"neither 'per connection' nor 'queue'"; failed=$((failed + 1)) ;;
		esac
	fi
	check half-storm "--timeout 3" halfstorm 32 500 || return
	if [[ $(facts_get "$facts" wait) != - ]]; then
		check batch-close "--timeout 1" batchclose 32 2500 1000 || return
	fi
	if [[ ${summary,,} == *helper* ]]; then
		check_long_lived || return
	fi
	check_sigterm_load || return
}

t_all=$(server_now_ms)
for spec in "${models[@]}"; do
	bin=${spec%%:*}
	model=$(basename "$spec")
	variant_args=()
	if [[ $spec == *:* ]]; then
		if ! flags=$(variant_flags "$root" "$(basename "$bin")" "${spec#*:}"); then
			not_ok variant "$flags"
			continue
		fi
		mapfile -t variant_args <<<"$flags"
	fi
	start_bin=
	if [[ $model == ref-* ]]; then
		echo "skip - $model: reference server, not bound by the model contract"
		skipped=$((skipped + 1))
		continue
	fi
	t_model=$(server_now_ms)
	run_model
	rc=$?
	if ((rc == 77)); then
		echo "skip - $model: ${SERVER_SKIP:-skipped}"
		skipped=$((skipped + 1))
	fi
	echo "# $model: $(($(server_now_ms) - t_model)) ms"
done
echo "# all models: $(($(server_now_ms) - t_all)) ms"
echo "$passed passed, $failed failed, $skipped skipped"
((failed == 0))
