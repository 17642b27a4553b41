#!/usr/bin/env bash
# tests/soak/run.sh -- one long-lived server per model under a mix of ordinary and hostile load.
#
#   tests/soak/run.sh [--bin DIR] [--seconds N] [--tool HOSTILE] [--probe HTTPPROBE]
#                     [--san LOGDIR] [--jobs J] [MODEL...]
#
# For each model (default: every executable in DIR, default bin/, except harness), ONE server
# at its defaults (`--port 0` only) is started and kept for the whole run:
#   warm-up   the mix below for WARMUP seconds (SOAK_WARMUP, default N/10, at least 2); then,
#             once quiet, the baseline: descriptors open in the server's whole process tree
#             (/proc/PID/fd of the server and every descendant) and the tree's PSS (hostile mem);
#   soak      the mix for N seconds (--seconds, default SOAK_SECONDS or 60), all at once:
#               ab -k -c 8 /            keep-alive clients on /
#               ab -c 4 /               a connection per request on /
#               ab -k -c 8 /sleep/10    blocking work
#               ab -k -c 2 /cpu/200     CPU work
#               curl /bytes/4000000     read slowly (--limit-rate 16M), status and size checked
#               httpprobe (pipeline)    GET, POST with a body, HEAD, chunked POST to /bytes/10,
#                                       GET /bytes/100, GET /cpu/50 + Connection: close, in one
#                                       write; every reply's status, framing, Content-Length
#                                       and the close after the last checked (--bodies)
#               hostile halfstorm 8     GET /sleep/0 then SHUT_WR: each gets its 200, then EOF
#               hostile reset 10        requests then RST (load only: see below)
#               hostile slowloris 4     one header byte a second (load only); 1 for an iterative
#                                       model (its --help summary starts "Iterative"), which each
#                                       slow client holds for its whole --timeout by design
#             Every client's wait is bounded at 3 x the default --timeout (10 s) + 10 s, so the
#             iterative model, slow here by design, is not taken for a wrong one.
#   end       once quiet: the server still answers (curl / gets 200); its descriptor count is
#             back at the baseline (waited for at most SOAK_SETTLE_MS, default 5000: lingering
#             closes take at most 1 s); its PSS is within the bound of the baseline (at most
#             SOAK_PSS_SLACK_KB, default 16384, plus SOAK_PSS_SLACK_PCT %, default 25, more);
#             SIGTERM makes it exit 0 within 1 s (the contract's bound) leaving no process.
# Errors are counted by kind: ab's failed requests and non-2xx replies (ab-fail, ab-non2xx),
# curl's bad status or size (bytes), failed pipelines (pipeline), failed half-close rounds
# (halfclose), a hostile tool that could not run (tool). reset and slowloris clients are load:
# what they check themselves (a fresh client answered quickly after them) the robust suite
# judges on a fresh server, not beside this much load. Prints one line per model:
#   ok|not ok - MODEL: N requests, errors ab-fail=.. ab-non2xx=.. bytes=.. pipeline=..
#   halfclose=.. tool=..; fds B -> A; pss B -> A KiB (bound K); stop: ...
# --jobs J: soak up to J models at once (each its own server and load; default 1).
# A model whose Facts say keepalive=no gets the pipeline's first reply, then EOF; one whose Facts
# say targets=hello (ref-nginx serves only /) gets only the clients that ask for /.
# --san LOGDIR: the binaries are the ASan+UBSan build (make soak SAN=1): their reports go to
# LOGDIR/<model>/ (as in tests/san/run.sh), any report is an error (san), ASan's quarantine is
# capped at 16 MiB and the PSS bound is SOAK_PSS_SLACK_KB (default 131072 here) + 50 %, and
# SIGTERM may take 3 s (instrumented children exit slower).
# or `skip - MODEL: why` (a model that exits 77: ref-nginx where nginx is not installed), then
# `N passed, N failed, N skipped`; exit 1 on any failure.
set -u

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
bindir=$root/bin
tool=${BUILD:-$root/build}/tests/hostile
probe=${BUILD:-$root/build}/tests/httpprobe
seconds=${SOAK_SECONDS:-60}
san_logs=
jobs=1
models=()

while (($#)); do
	case $1 in
	--bin) bindir=$2; shift 2 ;;
	--seconds) seconds=$2; shift 2 ;;
	--tool) tool=$2; shift 2 ;;
	--probe) probe=$2; shift 2 ;;
	--san) san_logs=$2; shift 2 ;;
	--jobs) jobs=$2; shift 2 ;;
	-h | --help) sed -n '2,/^set -u/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	-*) echo "soak: unknown option $1" >&2; exit 2 ;;
	*) models+=("$1"); shift ;;
	esac
done
[[ $seconds =~ ^[1-9][0-9]*$ ]] || { echo "soak: --seconds '$seconds': a whole number >= 1" >&2; exit 2; }
for t in "$tool" "$probe"; do
	[[ -x $t ]] || { echo "soak: $t: not built (make soak-build)" >&2; exit 2; }
done
for t in ab curl; do
	command -v "$t" >/dev/null || { echo "soak: $t not installed (make deps)" >&2; exit 2; }
done

warmup=${SOAK_WARMUP:-$((seconds / 10 > 2 ? seconds / 10 : 2))}
settle_ms=${SOAK_SETTLE_MS:-5000}
pss_slack_kb=${SOAK_PSS_SLACK_KB:-16384}
pss_slack_pct=${SOAK_PSS_SLACK_PCT:-25}
if [[ -n $san_logs ]]; then
	pss_slack_kb=${SOAK_PSS_SLACK_KB:-131072}
	pss_slack_pct=${SOAK_PSS_SLACK_PCT:-50}
	export SERVER_STOP_LIMIT_MS=${SERVER_STOP_LIMIT_MS:-3000}
	rm -rf "$san_logs"
	mkdir -p "$san_logs"
	san_logs=$(cd "$san_logs" && pwd)
fi
SAN_PATTERN='ERROR: (AddressSanitizer|LeakSanitizer|UndefinedBehaviorSanitizer)|runtime error:|WARNING: .*Sanitizer'

# With --san: send MODEL's sanitizer reports and server log to its own directory.
san_setup() {
	local d=$san_logs/$1
	mkdir -p "$d"
	export ASAN_OPTIONS="halt_on_error=1:abort_on_error=1:detect_leaks=1:disable_coredump=1:quarantine_size_mb=16:log_path=$d/asan"
	export UBSAN_OPTIONS="halt_on_error=1:abort_on_error=1:print_stacktrace=1:log_path=$d/ubsan"
	export LSAN_OPTIONS="exitcode=23"
	export SERVER_LOG_DIR=$d
}

# With --san: the number of MODEL's log files holding a sanitizer report.
san_reports() {
	local f n=0
	for f in "$san_logs/$1"/*; do
		[[ -f $f ]] && grep -qE "$SAN_PATTERN" "$f" && n=$((n + 1))
	done
	echo "$n"
}
client_wait=40 # s: 3 x the default --timeout (10 s) + 10 s

# shellcheck source=../lib/server.sh
. "$root/tests/lib/server.sh"
# shellcheck source=../lib/facts.sh
. "$root/tests/lib/facts.sh"
((${#models[@]})) || mapfile -t models < <(server_models "$bindir")
((${#models[@]})) || { echo "soak: no models in $bindir" >&2; exit 2; }

work=$(mktemp -d "${TMPDIR:-/tmp}/soak.XXXXXX") || exit 2
load_pids=()
cleanup() {
	local p
	for p in $(jobs -p); do # the models being soaked: each cleans up after itself
		kill -TERM "$p" 2>/dev/null
	done
	wait
	for p in "${load_pids[@]}"; do
		kill -KILL -- "-$p" 2>/dev/null
		kill -KILL "$p" 2>/dev/null
	done
	server_cleanup
	[[ -n ${SOAK_KEEP:-} ]] && echo "soak: results kept in $work" >&2 || rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# The pipelined mix, one connection: the i-th reply's Content-Length for httpprobe --bodies
# (h: it answers a HEAD).
printf '%b' "GET / HTTP/1.1\r\nHost: soak\r\n\r\n" \
	"POST / HTTP/1.1\r\nHost: soak\r\nContent-Length: 5\r\n\r\nhello" \
	"HEAD / HTTP/1.1\r\nHost: soak\r\n\r\n" \
	"POST /bytes/10 HTTP/1.1\r\nHost: soak\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n" \
	"GET /bytes/100 HTTP/1.1\r\nHost: soak\r\n\r\n" \
	"GET /cpu/50 HTTP/1.1\r\nHost: soak\r\nConnection: close\r\n\r\n" >"$work/pipeline.raw"
PIPELINE_BODIES=11,11,h11,10,100,11

# The ab clients of the mix: name|flags|path.
AB_MIX='keep|-k -c 8|/
close|-c 4|/
sleep|-k -c 8|/sleep/10
cpu|-k -c 2|/cpu/200'

# Descriptors open in PID's process tree.
tree_fds() {
	local p n=0 f
	for p in "$1" $(server_descendants "$1"); do
		for f in /proc/"$p"/fd/*; do
			[[ -e $f || -L $f ]] && n=$((n + 1))
		done
	done
	echo "$n"
}

# The tree's PSS in KiB (hostile mem), empty if the server is gone.
tree_pss() {
	"$tool" 0 mem "$1" 2>/dev/null | sed -n 's/.*Pss \([0-9]*\) KiB.*/\1/p'
}

# Run CMD... again and again until END (server_now_ms), one result line each into FILE: the
# exit status, then the command's last output line. FILE exists even if nothing ran. An
# argument @LEFT stands for the time left in ms, less 1 s (at least 100), so a command that
# runs for as long as it is told ends near END.
repeat_until() {
	local end=$1 file=$2 out rc left a args
	shift 2
	: >>"$file"
	while left=$((end - $(server_now_ms))) && ((left > 0)); do
		args=()
		for a; do
			[[ $a == @LEFT ]] && a=$((left > 1100 ? left - 1000 : 100))
			args+=("$a")
		done
		out=$("${args[@]}" 2>&1)
		rc=$?
		echo "$rc ${out##*$'\n'}" >>"$file"
	done
}

# Start one job of the mix in the background (each command it runs is bounded in time).
mix_job() {
	"$@" </dev/null >/dev/null 2>&1 &
	load_pids+=($!)
}

# The whole mix against the server for SECS seconds, results in DIR; returns when all is done.
# KEEPALIVE no: the pipeline gets one reply, then EOF. TARGETS hello (ref-nginx serves only /):
# only what asks for / runs.
run_mix() {
	local secs=$1 dir=$2 keepalive=$3 targets=$4 slow=$5 url=http://127.0.0.1:$SERVER_PORT end p
	local name flags path bodies=$PIPELINE_BODIES
	end=$(($(server_now_ms) + secs * 1000))
	mkdir -p "$dir"
	load_pids=()
	[[ $keepalive == no ]] && bodies=${PIPELINE_BODIES%%,*}
	while IFS='|' read -r name flags path; do
		[[ $targets == hello && $path != / ]] && continue
		# shellcheck disable=SC2086 # flags is a list of words
		setsid timeout $((secs + client_wait + 10)) ab -q -r -s "$client_wait" -t "$secs" \
			-n 100000000 $flags "$url$path" </dev/null >"$dir/ab-$name.out" 2>&1 &
		load_pids+=($!)
	done <<<"$AB_MIX"
	if [[ $targets != hello ]]; then
		mix_job repeat_until "$end" "$dir/bytes.log" curl -s -o /dev/null -m "$client_wait" \
			--limit-rate 16M -w '%{http_code} %{size_download}' "$url/bytes/4000000"
		mix_job repeat_until "$end" "$dir/pipeline.log" "$probe" --port "$SERVER_PORT" \
			--raw "$work/pipeline.raw" --bodies "$bodies" --eof \
			--timeout-ms $((client_wait * 1000))
		mix_job repeat_until "$end" "$dir/halfclose.log" "$tool" "$SERVER_PORT" halfstorm 8 500 \
			$((client_wait * 1000))
	fi
	mix_job repeat_until "$end" "$dir/reset.log" "$tool" "$SERVER_PORT" reset 10
	mix_job repeat_until "$end" "$dir/slowloris.log" "$tool" "$SERVER_PORT" slowloris "$slow" \
		@LEFT 1000
	for p in "${load_pids[@]}"; do
		wait "$p" 2>/dev/null
	done
	load_pids=()
}

# ab's figure FIELD ("Complete requests", "Failed requests", "Non-2xx responses") in FILE, or 0.
ab_field() {
	local v
	v=$(sed -n "s/^$1: *\([0-9]*\).*/\1/p" "$2" 2>/dev/null | head -n 1)
	echo "${v:-0}"
}

# Sum the results in DIR (the pipeline's replies listed in BODIES) into the caller's requests,
# errs and why.
count_mix() {
	local dir=$1 bodies=$2 f name c line rc rest
	for f in "$dir"/ab-*.out; do
		name=${f##*/ab-}
		name=${name%.out}
		c=$(ab_field "Complete requests" "$f")
		if ! grep -q '^Complete requests' "$f"; then
			errs[abfail]=$((errs[abfail] + 1)) # ab itself failed: its last line says why
			why+=" ab-$name: $(tail -n 1 "$f");"
		fi
		requests=$((requests + c))
		errs[abfail]=$((errs[abfail] + $(ab_field "Failed requests" "$f")))
		errs[non2xx]=$((errs[non2xx] + $(ab_field "Non-2xx responses" "$f")))
	done
	touch "$dir"/{bytes,pipeline,halfclose,reset,slowloris}.log
	while read -r rc rest; do
		requests=$((requests + 1))
		[[ $rc == 0 && $rest == "200 4000000" ]] || { errs[bytes]=$((errs[bytes] + 1)); why+=" bytes: $rest;"; }
	done <"$dir/bytes.log"
	while read -r rc rest; do
		requests=$((requests + $(tr -cd , <<<"$bodies" | wc -c) + 1))
		((rc == 0)) || { errs[pipeline]=$((errs[pipeline] + 1)); why+=" pipeline: $rest;"; }
	done <"$dir/pipeline.log"
	while read -r rc rest; do
		if ((rc == 0)); then
			c=$(sed -n 's/.*: \([0-9]*\) replies 200.*/\1/p' <<<"$rest")
			requests=$((requests + ${c:-0}))
		elif ((rc == 2)); then
			errs[tool]=$((errs[tool] + 1)); why+=" halfstorm: $rest;"
		else
			errs[halfclose]=$((errs[halfclose] + 1)); why+=" halfclose: $rest;"
		fi
	done <"$dir/halfclose.log"
	for f in reset slowloris; do
		while read -r rc rest; do
			((rc == 2)) && { errs[tool]=$((errs[tool] + 1)); why+=" $f: $rest;"; }
		done <"$dir/$f.log"
	done
	return 0
}

# Wait (at most settle_ms) until the tree's descriptor count is at most WANT (or, without WANT,
# stops falling); print it.
settle_fds() {
	local want=${1:-} t0 n last=-1
	t0=$(server_now_ms)
	while :; do
		n=$(tree_fds "$SERVER_PID")
		if [[ -n $want ]]; then
			((n <= want)) && break
		elif ((n == last)); then
			break
		fi
		(($(server_now_ms) - t0 > settle_ms)) && break
		last=$n
		sleep 0.2
	done
	echo "$n"
}

# Soak MODEL and print its line; also left in $work/MODEL.line for the totals.
soak_model() {
	local model=$1 bin=$bindir/$1 rc fd0 fd1 pss0 pss1 bound code stop line facts ka targets slow
	local requests=0 why= bodies=$PIPELINE_BODIES
	local -A errs=([abfail]=0 [non2xx]=0 [bytes]=0 [pipeline]=0 [halfclose]=0 [tool]=0 [san]=0)
	[[ -n $san_logs ]] && san_setup "$model"
	server_start "$bin" 2>"$work/$model.start.err"
	rc=$?
	if ((rc == 77)); then
		echo "skip - $model: ${SERVER_SKIP:-skipped}" | tee "$work/$model.line"
		return
	elif ((rc != 0)); then
		echo "not ok - $model: server did not start: $(tr '\n' ' ' <"$work/$model.start.err")" |
			tee "$work/$model.line"
		return
	fi
	facts=$(facts_line "$root" "$model" 2>/dev/null)
	ka=$(facts_get "$facts" keepalive) targets=$(facts_get "$facts" targets)
	[[ $ka == no ]] && bodies=${PIPELINE_BODIES%%,*}
	# an iterative model is held for its whole --timeout by each slow client: one at a time
	slow=4
	[[ $(timeout 5 "$bin" --help 2>/dev/null | sed -n 2p | tr '[:upper:]' '[:lower:]') == iterative* ]] &&
		slow=1
	run_mix "$warmup" "$work/$model.warm" "$ka" "$targets" "$slow"
	count_mix "$work/$model.warm" "$bodies"
	fd0=$(settle_fds)
	pss0=$(tree_pss "$SERVER_PID")
	run_mix "$seconds" "$work/$model.soak" "$ka" "$targets" "$slow"
	count_mix "$work/$model.soak" "$bodies"
	fd1=$(settle_fds "$fd0")
	pss1=$(tree_pss "$SERVER_PID")
	if ! server_alive "$SERVER_PID"; then
		why+=" the server died (exit $(wait "$SERVER_PID" 2>/dev/null; echo $?): $(server_log_tail 2 | tr '\n' ' '));"
	else
		code=$(curl -s -m 5 -o /dev/null -w '%{http_code}' "http://127.0.0.1:$SERVER_PORT/")
		[[ $code == 200 ]] || why+=" after the soak a fresh curl got '$code', not 200;"
		((fd1 <= fd0)) || why+=" descriptors $fd0 -> $fd1, not back at the baseline;"
		bound=$((pss0 + pss_slack_kb + pss0 * pss_slack_pct / 100))
		[[ -n $pss1 ]] && ((pss1 <= bound)) || why+=" PSS $pss0 -> $pss1 KiB, over the bound $bound;"
	fi
	if server_stop 2>/dev/null; then
		stop="exit 0 in $SERVER_STOP_MS ms"
	else
		stop="$SERVER_STOP_WHY"
		why+=" SIGTERM: $SERVER_STOP_WHY;"
	fi
	if [[ -n $san_logs ]]; then
		errs[san]=$(san_reports "$model")
		((errs[san] == 0)) || why+=" sanitizer reports in $san_logs/$model;"
	fi
	line="$model: $requests requests, errors ab-fail=${errs[abfail]} ab-non2xx=${errs[non2xx]}"
	line+=" bytes=${errs[bytes]} pipeline=${errs[pipeline]} halfclose=${errs[halfclose]}"
	line+=" tool=${errs[tool]}${san_logs:+ san=${errs[san]}}${targets:+ (targets=$targets)}; fds $fd0 -> $fd1; pss $pss0 -> ${pss1:-?} KiB (bound ${bound:-?}); $stop"
	if [[ -z $why ]] && ((errs[abfail] + errs[non2xx] + errs[bytes] + errs[pipeline] + \
		errs[halfclose] + errs[tool] + errs[san] == 0)); then
		echo "ok - $line" | tee "$work/$model.line"
	else
		echo "not ok - $line;${why:0:600}" | tee "$work/$model.line"
	fi
}

# Up to JOBS models at once, each in a subshell that cleans up after itself (its servers and
# load); ref-nginx exits 77 where nginx is not installed: a skip, with why.
t_all=$(server_now_ms)
for model in "${models[@]}"; do
	while (($(jobs -rp | wc -l) >= jobs)); do
		wait -n
	done
	(
		trap 'for p in "${load_pids[@]}"; do kill -KILL "$p" 2>/dev/null; done; server_cleanup' EXIT
		trap 'exit 130' INT TERM
		soak_model "$model"
	) &
done
wait
passed=0 failed=0 skipped=0
for model in "${models[@]}"; do
	case $(cat "$work/$model.line" 2>/dev/null) in
	"ok - "*) passed=$((passed + 1)) ;;
	"skip - "*) skipped=$((skipped + 1)) ;;
	*) failed=$((failed + 1)) ;;
	esac
done
echo "# soak: ${seconds} s per model (warm-up ${warmup} s, $jobs at once), all models: $(($(server_now_ms) - t_all)) ms"
echo "$passed passed, $failed failed, $skipped skipped"
((failed == 0))
