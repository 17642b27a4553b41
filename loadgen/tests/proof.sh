#!/usr/bin/env bash
# loadgen/tests/proof.sh -- proof that the open-loop generator measures right, against real
# models with a known service time (/sleep/10: 10 ms of blocking work per request).
#
#   loadgen/tests/proof.sh [--loadgen BIN] [--bin DIR]
#
# Prints `ok - <check> (<figures>)` or `not ok - <check>: <why>` per check, then
# `N passed, N failed`; exit 1 on any failure. Timing-sensitive: run it by hand under the heavy
# lock (flock /tmp/sm-heavy.lock make test-loadgen). About 30 s. Checks:
#   bad-input       rate 0, a rate beyond what the connections carry (for a mix too), a malformed
#                   URL, a non-loopback target without --allow-remote, a malformed --mix or one
#                   beside a URL's path, --close beside --requests-per-conn 5: exit 2 with a
#                   message. A dead target: exit 1.
#   thread-p50      thread (one thread per connection: no queueing) at 50 req/s of /sleep/10 for
#                   3 s over 8 connections: p50 within 10..12 ms, no errors.
#   overload-grows  epoll (one loop: capacity 100 req/s of /sleep/10) at 150 req/s: the p50 of a
#                   4 s run is at least 1.8 times that of a 1.5 s run (an overloaded queue grows
#                   with time: expected ~2.7x), and both are above 100 ms. A closed-loop tool
#                   would report ~10 ms x its connections for any length.
#   ab-agrees       thread at 20 req/s of /sleep/10 (no queueing) against `ab -k -c 1 -e`:
#                   p50 and p90 agree within AGREE_US (1500 us) or 10 %, whichever is larger.
#   mix-classes     thread (no queueing) offered --mix /sleep/1:3,/sleep/20:1 at 100 req/s for
#                   2 s: each class's p50 is its own service time (1..3 ms and 20..23 ms, where
#                   the mix's p50 alone would be ~1 ms), the classes' replies add up to the
#                   total, and the first class carries 60..90 % of them (75 % expected).
#   per-conn        a table of --requests-per-conn K (none, 1 through --close, 10, 25) against
#                   thread, 200 requests at a constant 200 req/s over 4 connections: the
#                   connections opened are ceil(200 / K) to that plus 4 (4 with no K), all
#                   200 answered and no errors. (The kernel's TIME_WAIT sockets are no
#                   count to check it against on a shared machine: other jobs fill the table.)
set -u

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
loadgen=${LOADGEN:-$root/bin/tools/loadgen}
bindir=${BIN:-$root/bin}
AGREE_US=1500

while (($#)); do
	case $1 in
	--loadgen) loadgen=$2; shift 2 ;;
	--bin) bindir=$2; shift 2 ;;
	-h | --help) sed -n '2,/^set -u/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	*) echo "proof.sh: unknown argument $1" >&2; exit 2 ;;
	esac
done
[[ $loadgen == /* ]] || loadgen=$root/$loadgen
[[ $bindir == /* ]] || bindir=$root/$bindir
[[ -x $loadgen ]] || { echo "proof.sh: $loadgen: not built (make bin/tools/loadgen)" >&2; exit 2; }
command -v ab >/dev/null || { echo "proof.sh: ab is not installed (make deps)" >&2; exit 2; }

# shellcheck source=../../tests/lib/server.sh
source "$root/tests/lib/server.sh"
work=$(mktemp -d "${TMPDIR:-/tmp}/loadgen-proof.XXXXXX")
trap 'server_cleanup; rm -rf "$work"' EXIT

passed=0
failed=0
ok() { echo "ok - $*"; passed=$((passed + 1)); }
not_ok() { echo "not ok - $*"; failed=$((failed + 1)); }

# The value of KEY in loadgen's key=value output FILE.
kv() { sed -n "s/^$2=//p" "$1"; }

# Run loadgen with ARGS, its report in $work/$1.kv (and its summary in $work/$1.err).
run_loadgen() {
	local name=$1
	shift
	"$loadgen" "$@" >"$work/$name.kv" 2>"$work/$name.err"
}

# Start model $1 (by name) or report why not; the caller checks the status.
start_model() {
	server_start "$bindir/$1" && return 0
	not_ok "$2: cannot start $1"
	return 1
}

check_bad_input() {
	local port=$1 args want out rc
	local -a cases=(
		"2|--rate 0 http://127.0.0.1:$port/"
		"2|--rate 1000 --connections 2 http://127.0.0.1:$port/sleep/10"
		"2|--rate 10 http://127.0.0.1:$port:80/"
		"2|--rate 10 ftp://127.0.0.1/"
		"2|--rate 10 http://198.18.0.1/"
		"2|--rate 10 --dist gamma http://127.0.0.1:$port/"
		"2|--rate 10 --mix cpu/10:5 http://127.0.0.1:$port/"
		"2|--rate 10 --mix /cpu/10:0 http://127.0.0.1:$port/"
		"2|--rate 10 --mix /cpu/10 http://127.0.0.1:$port/sleep/1"
		"2|--rate 10 --close --requests-per-conn 5 http://127.0.0.1:$port/"
		"2|--rate 500 --connections 2 --mix /cpu/10:1,/sleep/10:1 http://127.0.0.1:$port/"
		"1|--rate 10 --duration 0.1 http://127.0.0.1:1/"
	)
	for c in "${cases[@]}"; do
		want=${c%%|*}
		args=${c#*|}
		# shellcheck disable=SC2086 # the arguments are split on purpose
		out=$(timeout 10 "$loadgen" $args 2>&1 >/dev/null)
		rc=$?
		if ((rc != want)) || [[ $out != loadgen:* ]]; then
			not_ok "bad-input: loadgen $args: exit $rc (expected $want), said: ${out%%$'\n'*}"
			return
		fi
	done
	ok "bad-input (${#cases[@]} cases, each a clear line and its exit code)"
}

check_thread_p50() {
	run_loadgen thread --rate 50 --duration 3 --connections 8 "http://127.0.0.1:$1/sleep/10" || {
		not_ok "thread-p50: loadgen failed: $(head -1 "$work/thread.err")"
		return
	}
	local p50 errors completed
	p50=$(kv "$work/thread.kv" lat_p50_us)
	errors=$(kv "$work/thread.kv" errors)
	completed=$(kv "$work/thread.kv" completed)
	if ((p50 >= 10000 && p50 <= 12000 && errors == 0 && completed >= 100)); then
		ok "thread-p50 (p50 $p50 us over $completed replies)"
	else
		not_ok "thread-p50: p50 $p50 us (want 10000..12000), $errors errors, $completed replies"
	fi
}

check_overload_grows() {
	local short long
	if ! run_loadgen short --rate 150 --duration 1.5 --drain 10 --connections 16 \
		"http://127.0.0.1:$1/sleep/10" ||
		! run_loadgen long --rate 150 --duration 4 --drain 10 --connections 16 \
			"http://127.0.0.1:$1/sleep/10"; then
		not_ok "overload-grows: loadgen failed: $(cat "$work"/*.err | head -1)"
		return
	fi
	short=$(kv "$work/short.kv" lat_p50_us)
	long=$(kv "$work/long.kv" lat_p50_us)
	if ((short > 100000 && long * 10 >= short * 18)); then
		ok "overload-grows (p50 $short us over 1.5 s, $long us over 4 s;" \
			"achieved $(kv "$work/long.kv" achieved_rps) req/s of 150)"
	else
		not_ok "overload-grows: p50 $short us over 1.5 s, $long us over 4 s"
	fi
}

# The value at percentile $2 in ab's -e CSV $1, in microseconds.
ab_pct() { awk -F, -v p="$2" '$1 == p { printf "%d", $2 * 1000 }' "$1"; }

check_ab_agrees() {
	local url="http://127.0.0.1:$1/sleep/10" p a b tol report=""
	if ! ab -q -k -c 1 -n 60 -e "$work/ab.csv" "$url" >"$work/ab.out" 2>&1; then
		not_ok "ab-agrees: ab failed: $(tail -1 "$work/ab.out")"
		return
	fi
	run_loadgen low --rate 20 --duration 3 --connections 4 "$url" || {
		not_ok "ab-agrees: loadgen failed: $(head -1 "$work/low.err")"
		return
	}
	for p in 50 90; do
		a=$(ab_pct "$work/ab.csv" $p)
		b=$(kv "$work/low.kv" "lat_p${p}_us")
		tol=$((a / 10 > AGREE_US ? a / 10 : AGREE_US))
		report+="p$p ab $a us, loadgen $b us; "
		if ((b - a > tol || a - b > tol)); then
			not_ok "ab-agrees: p$p: ab $a us, loadgen $b us (tolerance $tol us)"
			return
		fi
	done
	ok "ab-agrees (${report%; })"
}

check_mix_classes() {
	run_loadgen mix --rate 100 --duration 2 --connections 16 --mix /sleep/1:3,/sleep/20:1 \
		"http://127.0.0.1:$1/" || {
		not_ok "mix-classes: loadgen failed: $(head -1 "$work/mix.err")"
		return
	}
	local f=$work/mix.kv short long n0 n1 total
	short=$(kv "$f" class0_lat_p50_us)
	long=$(kv "$f" class1_lat_p50_us)
	n0=$(kv "$f" class0_completed)
	n1=$(kv "$f" class1_completed)
	total=$(kv "$f" completed)
	if [[ $(kv "$f" classes) == 2 && $(kv "$f" class1_path) == /sleep/20 ]] &&
		((short >= 1000 && short <= 3000 && long >= 20000 && long <= 23000)) &&
		((n0 + n1 == total && total >= 150 && n0 * 10 >= total * 6 && n0 * 10 <= total * 9)); then
		ok "mix-classes (/sleep/1 p50 $short us over $n0, /sleep/20 p50 $long us over $n1)"
	else
		not_ok "mix-classes: p50 $short and $long us, $n0 + $n1 of $total replies"
	fi
}

check_per_conn() {
	local port=$1 c k opts lo hi opened errors report=""
	local -a cases=("0|" "1|--close" "10|--requests-per-conn 10" "25|--requests-per-conn 25")
	for c in "${cases[@]}"; do
		k=${c%%|*}
		opts=${c#*|}
		# shellcheck disable=SC2086 # the options are split on purpose
		run_loadgen "k$k" --rate 200 --duration 1 --dist constant --connections 4 $opts \
			"http://127.0.0.1:$port/" || {
			not_ok "per-conn: loadgen $opts failed: $(head -1 "$work/k$k.err")"
			return
		}
		opened=$(kv "$work/k$k.kv" connections_opened)
		errors=$(kv "$work/k$k.kv" errors)
		((k == 0)) && lo=4 hi=4 || lo=$(((200 + k - 1) / k)) hi=$(((200 + k - 1) / k + 4))
		report+="K=${k}: $opened opened; "
		if ((opened < lo || opened > hi || errors != 0)) ||
			[[ $(kv "$work/k$k.kv" completed) != 200 ]]; then
			not_ok "per-conn: $opts: $opened connections opened (want $lo..$hi)," \
				"$errors errors, $(kv "$work/k$k.kv" completed) of 200 answered"
			return
		fi
	done
	ok "per-conn (${report%; })"
}

# A target that answers nothing for the bad-input checks: a model that is not running.
check_bad_input 9

if start_model thread thread-p50; then
	check_thread_p50 "$SERVER_PORT"
	check_ab_agrees "$SERVER_PORT"
	check_mix_classes "$SERVER_PORT"
	check_per_conn "$SERVER_PORT"
	server_stop
fi
if start_model epoll overload-grows; then
	check_overload_grows "$SERVER_PORT"
	server_stop
fi

echo "$passed passed, $failed failed"
((failed == 0))
