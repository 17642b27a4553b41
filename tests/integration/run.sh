#!/usr/bin/env bash
# tests/integration/run.sh -- every model against real clients (curl, ab, a raw-socket probe).
#
#   tests/integration/run.sh [--bin DIR] [--probe PATH] [MODEL...]
#
# Models are the executables in DIR (default bin) except harness, each followed by its
# variants (the Variants line of its README, run with their flags), or the MODELs named: a name,
# NAME:VARIANT or NAME:* (all its variants; tests/lib/facts.sh, models_expand). Names
# starting with ref- are reference servers (not bound by the contract) and are skipped. Each
# model runs with `--port 0 --timeout 3` through tests/lib/server.sh. One line per check:
# `ok - <model>: <check>`, `not ok - <model>: <check>: <why>` (then the tail of the server's
# stderr) or `skip - <model>: <why>`; the last line is `N passed, N failed[, N skipped]`.
# Exit 1 on any failure. SERVER_LOG_DIR, if set, keeps each server's stderr in <model>.log.
#
# The one model-dependent expectation is persistence. A model declares it in the Facts line of
# its README (docs/design.md): `keepalive=no` (the iterative one: every reply says Connection:
# close) or `keepalive=yes` (it must persist). The first check is that the Facts line is there
# and well formed; the declaration is then checked against behaviour, so a broken model cannot
# hide behind it.
#
# Why --workers 8 (= ab's concurrency): a pool of blocking workers holds one keep-alive
# connection per worker, so with fewer workers than ab's connections the rest wait for the
# idle timeout, and ab counts each idle close as a "Length" failure. That is the pooled
# models' documented trade-off, measured by the benchmark; these tests check correctness.
set -u

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
# shellcheck source=tests/lib/server.sh
. "$ROOT/tests/lib/server.sh"
# shellcheck source=tests/lib/facts.sh
. "$ROOT/tests/lib/facts.sh"

BIN_DIR=bin
PROBE=
MODELS=()
PASSED=0 FAILED=0 SKIPPED=0
AB_C=8
SERVER_ARGS=(--timeout 3 --workers "$AB_C")
AB_PID=
HOLD_FD=
WORK=

usage() {
	echo "usage: $0 [--bin DIR] [--probe PATH] [MODEL...]" >&2
	exit 2
}

while (($#)); do
	case $1 in
	--bin) (($# >= 2)) || usage; BIN_DIR=$2; shift 2 ;;
	--probe) (($# >= 2)) || usage; PROBE=$2; shift 2 ;;
	-h | --help) usage ;;
	-*) usage ;;
	*) MODELS+=("$1"); shift ;;
	esac
done

cleanup() {
	if [[ -n $AB_PID ]]; then
		kill -KILL "$AB_PID" 2>/dev/null
		wait "$AB_PID" 2>/dev/null
	fi
	[[ -n $HOLD_FD ]] && exec {HOLD_FD}>&-
	server_cleanup
	[[ -n $WORK && -d $WORK ]] && rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

WORK=$(mktemp -d "${TMPDIR:-/tmp}/integration.XXXXXX") || exit 1

# The document root of /file/ (issue 24): a 4 MiB generated set (bin/tools/fileset: one
# SPECweb99 directory) beside a secret outside it, and links that lead out of it and one that
# stays in. Every model gets --docroot it.
make_docroot() {
	local fileset=$BIN_DIR/tools/fileset
	[[ -x $fileset ]] || fileset=$ROOT/bin/tools/fileset
	"$fileset" --mib 4 --dir "$DOCROOT" >/dev/null || return 1
	echo SECRET >"$WORK/secret"
	ln -s ../secret "$DOCROOT/out"
	ln -s "$WORK/secret" "$DOCROOT/abs"
	ln -s .. "$DOCROOT/up"
	ln -s class0_4 "$DOCROOT/dir00000/in"
}
DOCROOT=$WORK/docroot
make_docroot || {
	echo "run.sh: cannot make the document root (is bin/tools/fileset built?)" >&2
	exit 1
}
SERVER_ARGS+=(--docroot "$DOCROOT")

# --- reporting ---------------------------------------------------------------------------

MODEL=
LABEL= # MODEL, or MODEL:VARIANT
WHY=

ok() {
	echo "ok - $LABEL: $1"
	PASSED=$((PASSED + 1))
}

# not_ok CHECK WHY: the failure, then the tail of the server's stderr for context.
not_ok() {
	echo "not ok - $LABEL: $1: $2"
	FAILED=$((FAILED + 1))
	local tail
	tail=$(server_log_tail 5)
	[[ -n $tail ]] && sed 's/^/#   server: /' <<<"$tail"
	return 0
}

skip() {
	echo "skip - $LABEL: $1"
	SKIPPED=$((SKIPPED + 1))
}

# check NAME FUNCTION [ARGS...]: run one check; FUNCTION returns non-zero with WHY set.
check() {
	local name=$1
	shift
	WHY=
	if "$@"; then
		ok "$name"
	else
		not_ok "$name" "${WHY:-failed}"
	fi
	# A crash shows up here, named after the check that caused it, and later checks still run.
	if [[ -n $SERVER_PID ]] && ! server_alive "$SERVER_PID"; then
		wait "$SERVER_PID" 2>/dev/null
		not_ok "alive after '$name'" "server exited with status $?"
		server_kill_group "$SERVER_PID" # whatever it left behind
		SERVER_PID=
		start_model "restart after the crash"
	fi
}

# --- the probe ---------------------------------------------------------------------------

# Find or build the raw-socket client.
find_probe() {
	if [[ -z $PROBE ]]; then
		PROBE=$ROOT/build/tests/httpprobe
		if [[ ! -x $PROBE || $PROBE -ot $HERE/httpprobe.c ]]; then
			PROBE=$WORK/httpprobe
			${CC:-cc} -std=gnu11 -O2 -Wall -Wextra -D_GNU_SOURCE -o "$PROBE" "$HERE/httpprobe.c" || return 1
		fi
	fi
	[[ -x $PROBE ]] || {
		echo "run.sh: no httpprobe at $PROBE" >&2
		return 1
	}
}

# probe ARGS...: run httpprobe against the current server (bounded twice: its own poll
# deadlines and timeout(1)); WHY gets its complaint.
probe() {
	local out rc
	out=$(timeout 10 "$PROBE" --port "$SERVER_PORT" "$@" 2>&1 >/dev/null)
	rc=$?
	((rc == 0)) && return 0
	WHY=${out:-httpprobe exit status $rc}
	WHY=${WHY//$'\n'/; }
	return 1
}

# --- the checks --------------------------------------------------------------------------

URL=

# header FILE NAME: the value of header NAME in a curl -D file (CR stripped), empty if absent.
header() {
	tr -d '\r' <"$1" | sed -n "s/^$2: *//Ip" | tail -n 1
}

# curl_get CHECK-ID [CURL ARGS...]: one request; checks status, body and the contract's headers.
curl_get() {
	local id=$1 want_conn=$2 code h b
	shift 2
	h=$WORK/$id.h b=$WORK/$id.b
	code=$(curl -sS --max-time 5 -D "$h" -o "$b" -w '%{http_code}' "$@" "$URL/curl/$id" 2>&1) ||
		{ WHY="curl: $code"; return 1; }
	[[ $code == 200 ]] || { WHY="status $code"; return 1; }
	[[ $(<"$b") == "Hello world" && $(stat -c %s "$b") == 11 ]] ||
		{ WHY="body '$(head -c 40 "$b")' is not 'Hello world'"; return 1; }
	[[ $(header "$h" Content-Length) == 11 ]] || { WHY="Content-Length is not 11"; return 1; }
	[[ $(header "$h" Server) == "$MODEL" ]] ||
		{ WHY="Server: '$(header "$h" Server)', expected '$MODEL'"; return 1; }
	[[ -n $(header "$h" Date) ]] || { WHY="no Date header"; return 1; }
	[[ $(header "$h" Connection) == "$want_conn" ]] ||
		{ WHY="Connection: '$(header "$h" Connection)', expected '$want_conn'"; return 1; }
}

# curl_reuse: two URLs in one curl run; a persisting model lets curl reuse the connection.
curl_reuse() {
	local out n
	out=$(curl -sS -v --max-time 5 -o /dev/null -o /dev/null "$URL/a" "$URL/b" 2>&1) ||
		{ WHY="curl failed: $(tail -n 1 <<<"$out")"; return 1; }
	n=$(grep -c 'Re-using existing connection' <<<"$out")
	if ((PERSISTS)); then
		((n == 1)) || { WHY="curl did not reuse the connection for the second request"; return 1; }
	else
		((n == 0)) || { WHY="curl reused a connection of a model that declares it cannot persist"; return 1; }
	fi
}

# ab_run [-k]: 2000 requests at concurrency 8, all well-formed, all 200, every byte accounted.
ab_run() {
	local out ka
	out=$(timeout 60 ab -s 10 -n 2000 -c "$AB_C" "$@" "$URL/ab" 2>&1) || {
		WHY="ab failed (status $?): $(tail -n 1 <<<"$out")"
		return 1
	}
	grep -Eq '^Complete requests: +2000$' <<<"$out" ||
		{ WHY="$(grep -E '^Complete requests' <<<"$out" || echo 'no Complete requests line')"; return 1; }
	grep -Eq '^Failed requests: +0$' <<<"$out" ||
		{ WHY="$(grep -A3 -E '^Failed requests' <<<"$out" | tr -s ' \n' ' ')"; return 1; }
	if grep -q '^Non-2xx responses' <<<"$out"; then
		WHY=$(grep '^Non-2xx responses' <<<"$out")
		return 1
	fi
	grep -Eq "^HTML transferred: +$((11 * 2000)) bytes$" <<<"$out" ||
		{ WHY="$(grep -E '^HTML transferred' <<<"$out"), expected $((11 * 2000)) bytes"; return 1; }
	if [[ ${1:-} == -k ]]; then
		ka=$(sed -n 's/^Keep-Alive requests: *//p' <<<"$out")
		if ((PERSISTS)); then
			[[ $ka == 2000 ]] || { WHY="Keep-Alive requests: ${ka:-none}, expected 2000"; return 1; }
		else
			[[ $ka == 0 ]] || { WHY="Keep-Alive requests: ${ka:-none}, expected 0"; return 1; }
		fi
	fi
}

# The persistence-dependent probe expectations: a persisting model answers keep-alive and
# keeps the socket; the other answers close and closes (dropping what was pipelined).
persist_args() {
	if ((PERSISTS)); then
		echo "--conn keep-alive --open"
	else
		echo "--conn close --eof"
	fi
}

pipeline() {
	if ((PERSISTS)); then
		probe --pipeline 5 --server "$MODEL" --conn keep-alive --last-close --eof
	else
		probe --pipeline 5 --expect 1 --server "$MODEL" --conn close --eof
	fi
}

bytewise() {
	# shellcheck disable=SC2046
	probe --bytewise --delay-us 1000 --server "$MODEL" $(persist_args)
}

# bad STATUS PRINTF-FORMAT [ARGS...]: that request gets STATUS, Connection: close, then EOF.
bad() {
	local status=$1
	shift
	# shellcheck disable=SC2059
	printf "$@" >"$WORK/req"
	probe --raw "$WORK/req" --status "$status" --conn close --eof
}

# A request whose head is LEN bytes longer than allowed: over-long header or target.
long_header() {
	{
		printf 'GET / HTTP/1.1\r\nHost: x\r\nX-Long: '
		head -c 9000 /dev/zero | tr '\0' a
		printf '\r\n\r\n'
	} >"$WORK/req"
	probe --raw "$WORK/req" --status 431 --conn close --eof
}

long_target() {
	{
		printf 'GET /'
		head -c 5000 /dev/zero | tr '\0' a
		printf ' HTTP/1.1\r\nHost: x\r\n\r\n'
	} >"$WORK/req"
	probe --raw "$WORK/req" --status 414 --conn close --eof
}

http10_close() {
	printf 'GET /10 HTTP/1.0\r\n\r\n' >"$WORK/req"
	probe --raw "$WORK/req" --conn close --eof
}

http10_keepalive() {
	printf 'GET /10ka HTTP/1.0\r\nConnection: keep-alive\r\n\r\n' >"$WORK/req"
	if ((PERSISTS)); then
		probe --raw "$WORK/req" --repeat 3 --conn keep-alive --open
	else
		probe --raw "$WORK/req" --conn close --eof
	fi
}

http11_persist() {
	printf 'GET /11 HTTP/1.1\r\nHost: x\r\n\r\n' >"$WORK/req"
	if ((PERSISTS)); then
		probe --raw "$WORK/req" --repeat 3 --conn keep-alive --open
	else
		probe --raw "$WORK/req" --conn close --eof
	fi
}

http11_close() {
	printf 'GET /11c HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n' >"$WORK/req"
	probe --raw "$WORK/req" --conn close --eof
}

# --- scenarios (issue 9) and protocol details (issue 15) -----------------------------------

# The /bytes body: byte i is PATTERN[i % 61], PATTERN being these 60 characters and a newline
# (models/common/work.h), which is exactly what `yes "$PATTERN"` prints.
PATTERN=0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwx

# bytes_exact N: GET /bytes/N is 200 with Content-Length N and the pattern, byte for byte.
bytes_exact() {
	local n=$1 h=$WORK/bytes.h b=$WORK/bytes.b code diff
	code=$(curl -sS --max-time 10 -D "$h" -o "$b" -w '%{http_code}' "$URL/bytes/$n" 2>&1) ||
		{ WHY="curl: $code"; return 1; }
	[[ $code == 200 ]] || { WHY="status $code"; return 1; }
	[[ $(header "$h" Content-Length) == "$n" ]] ||
		{ WHY="Content-Length '$(header "$h" Content-Length)', expected $n"; return 1; }
	[[ $(stat -c %s "$b") == "$n" ]] || { WHY="$(stat -c %s "$b") body bytes, expected $n"; return 1; }
	yes "$PATTERN" | head -c "$n" >"$WORK/bytes.want"
	diff=$(cmp "$b" "$WORK/bytes.want" 2>&1) || { WHY="body is not the pattern: $diff"; return 1; }
}

# file_exact NAME: GET /file/NAME is 200 with the file's length and every byte of it.
file_exact() {
	local name=$1 h=$WORK/file.h b=$WORK/file.b code diff len
	len=$(stat -L -c %s "$DOCROOT/$name")
	code=$(curl -sS --max-time 10 -D "$h" -o "$b" -w '%{http_code}' "$URL/file/$name" 2>&1) ||
		{ WHY="curl: $code"; return 1; }
	[[ $code == 200 ]] || { WHY="status $code"; return 1; }
	[[ $(header "$h" Content-Length) == "$len" ]] ||
		{ WHY="Content-Length '$(header "$h" Content-Length)', expected $len"; return 1; }
	diff=$(cmp "$b" "$DOCROOT/$name" 2>&1) || { WHY="body differs from the file: $diff"; return 1; }
}

# refused STATUS TARGET: a GET of TARGET, sent as is (no client normalises its dots), gets
# STATUS and Connection: close, never the secret outside the document root.
refused() {
	bad "$1" 'GET %s HTTP/1.1\r\nHost: x\r\n\r\n' "$2" || return 1
	curl -s --path-as-is --max-time 5 "$URL$2" | grep -q SECRET &&
		{ WHY="the file outside the document root was sent"; return 1; }
	return 0
}

# shrunk_file: a 16 MiB file whose reply is stalled in the socket buffers (the client reads
# nothing) is truncated to 0; then the client reads. The Content-Length already went out, so
# the reply must end short, the connection close, and the server serve on (check() sees it
# alive). Sends from a file that ends early: sendfile returns 0, the read path's pread too, and
# a model sending by itself got no bytes to send (libuv's uv_write with no buffer).
shrunk_file() {
	local f=$DOCROOT/shrinks out=$WORK/shrunk.b fd rc got full=$((16 * 1024 * 1024))
	truncate -s "$full" "$f" || { WHY="cannot make $f"; return 1; }
	exec {fd}<>"/dev/tcp/127.0.0.1/$SERVER_PORT" || { WHY="cannot connect"; return 1; }
	printf 'GET /file/shrinks HTTP/1.1\r\nHost: x\r\n\r\n' >&"$fd"
	sleep 0.3 # the reply fills the socket buffers and stalls
	truncate -s 0 "$f"
	timeout 10 cat <&"$fd" >"$out"
	rc=$?
	exec {fd}>&-
	rm -f "$f"
	got=$(stat -c %s "$out")
	((rc != 124)) || { WHY="the connection stayed open after $got bytes"; return 1; }
	((got > 0 && got < full)) || { WHY="$got bytes: the truncation was not seen"; return 1; }
	[[ $(curl -s -m 5 -o /dev/null -w '%{http_code}' "$URL/") == 200 ]] ||
		{ WHY="after the short reply ($got bytes) a fresh curl did not get 200"; return 1; }
}

# The /file/ checks: byte-exact bodies (the smallest, a middle and the largest class), a link
# inside the root followed, and every way out refused.
file_checks() {
	local name
	for name in dir00000/class0_0 dir00000/class2_4 dir00000/class3_8; do
		check "/file/$name byte-exact" file_exact "$name"
	done
	check "/file/ through a link inside the root" file_exact dir00000/in
	check "HEAD /file/dir00000/class3_8 has no body" head_check /file/dir00000/class3_8 921600
	check "6 stalled /file/dir00000/class3_8 clients cost no memory" stalled_bytes \
		/file/dir00000/class3_8
	check "traversal: /file/../secret -> 400" refused 400 /file/../secret
	check "traversal: /file/dir00000/../../secret -> 400" refused 400 /file/dir00000/../../secret
	check "traversal: /file/%2e%2e/secret -> 400" refused 400 /file/%2e%2e/secret
	check "traversal: /file/$WORK/secret (absolute) -> 400" refused 400 "/file/$WORK/secret"
	check "traversal: a link out of the root -> 404" refused 404 /file/out
	check "traversal: an absolute link out of the root -> 404" refused 404 /file/abs
	check "traversal: a link to the parent -> 404" refused 404 /file/up/secret
	check "a missing file -> 404" refused 404 /file/dir00000/class9_9
	check "a directory -> 404" refused 404 /file/dir00000
	check "a file truncated under its stalled reply: short, closed, still serving" shrunk_file
}

# The read path (--file-io read): the model restarted with it, the same bodies.
file_read_checks() {
	local args=("${SERVER_ARGS[@]}")
	SERVER_ARGS+=(--file-io read)
	if start_model "start with --file-io read"; then
		check "--file-io read: /file/dir00000/class3_8 byte-exact" file_exact dir00000/class3_8
		check "--file-io read: /file/dir00000/class1_2 byte-exact" file_exact dir00000/class1_2
		check "--file-io read: 6 stalled /file/ clients cost no memory" stalled_bytes \
			/file/dir00000/class3_8
		check "--file-io read: a file truncated under its stalled reply" shrunk_file
		server_stop >/dev/null 2>&1
	fi
	SERVER_PID=
	SERVER_ARGS=("${args[@]}")
}

# tree_pss: the Pss (kB) summed over the server's processes (its process group: server.sh
# starts it with setsid), so forked workers count and shared pages are not counted twice.
tree_pss() {
	local p kb sum=0
	for p in $(pgrep -g "$SERVER_PID"); do
		kb=$(awk '/^Pss:/ { print $2 }' "/proc/$p/smaps_rollup" 2>/dev/null)
		sum=$((sum + ${kb:-0}))
	done
	echo "$sum"
}

# stalled_bytes [TARGET]: 6 clients (fewer than the 8 workers of a pool here) ask for TARGET
# (default /bytes/67108864) and read nothing: the bodies come from the one shared buffer (or
# the file) and wait in the socket buffers, so the server grows by far less than one body
# (bound 16 MiB for all 6), and (but for the iterative model) a fresh client is served beside
# them.
stalled_bytes() {
	local target=${1:-/bytes/67108864} before after fds=() fd i rc=0
	before=$(tree_pss)
	for i in {1..6}; do
		exec {fd}<>"/dev/tcp/127.0.0.1/$SERVER_PORT" || { WHY="cannot connect"; rc=1; break; }
		fds+=("$fd")
		printf 'GET %s HTTP/1.1\r\nHost: x\r\n\r\n' "$target" >&"$fd"
	done
	sleep 0.5 # every reply has filled its socket buffers by now
	after=$(tree_pss)
	if ((rc == 0 && after - before > 16384)); then
		WHY="memory grew by $((after - before)) KiB Pss with 6 stalled $target clients"
		rc=1
	fi
	if ((rc == 0 && PERSISTS)) && ! curl_get stalled keep-alive; then
		WHY="a fresh client beside them: $WHY"
		rc=1
	fi
	for fd in "${fds[@]}"; do # unread data: the close resets, and the server lets go
		exec {fd}>&-
	done
	return $rc
}

# timed TARGET MIN_MS MAX_MS: GET TARGET is 200 "Hello world" and takes MIN_MS..MAX_MS of wall
# time (the upper bound is generous: the machine is shared and noisy).
timed() {
	local target=$1 min=$2 max=$3 out code secs ms
	out=$(curl -sS --max-time 15 -o "$WORK/timed.b" -w '%{http_code} %{time_total}' \
		"$URL$target" 2>&1) || { WHY="curl: $out"; return 1; }
	read -r code secs <<<"$out"
	[[ $code == 200 ]] || { WHY="status $code"; return 1; }
	[[ $(<"$WORK/timed.b") == "Hello world" ]] || { WHY="body is not 'Hello world'"; return 1; }
	ms=$(awk -v s="$secs" 'BEGIN { printf "%d", s * 1000 }')
	((ms >= min && ms <= max)) || { WHY="took $ms ms, expected $min..$max"; return 1; }
}

# Work requests pipelined with plain ones in one write are all answered, in order (offload
# parks the connection at each blocking one and resumes it when its helper is done).
pipelined_work() {
	local t
	: >"$WORK/req"
	for t in /sleep/50 / /cpu/2000 /sleep/0 /; do
		printf 'GET %s HTTP/1.1\r\nHost: x\r\n\r\n' "$t" >>"$WORK/req"
	done
	if ((PERSISTS)); then
		probe --raw "$WORK/req" --expect 5 --server "$MODEL" --conn keep-alive --open
	else
		probe --raw "$WORK/req" --expect 1 --server "$MODEL" --conn close --eof
	fi
}

# One thread serves everything (parallel=1): each reply leaves once its own work is done, not
# held behind the work of requests that came with it. A /sleep/100 holds the loop while two
# /sleep/200 arrive, so both are ready together when it is done; one must be answered about
# 200 ms before the other. (io_uring once gathered a batch's replies and submitted them after
# every request of the batch had run: both came at once, models/io_uring/README.md.)
reply_not_held() {
	local pids=() x ta tb d
	rm -f "$WORK"/held.*
	curl -sS --max-time 10 -o /dev/null "$URL/sleep/100" >/dev/null 2>&1 &
	pids+=($!)
	sleep 0.03 # it is in the loop's work now
	for x in a b; do
		(curl -sS --max-time 10 -o /dev/null "$URL/sleep/200" >/dev/null 2>&1 &&
			server_now_ms >"$WORK/held.$x") &
		pids+=($!)
	done
	wait "${pids[@]}"
	[[ -s $WORK/held.a && -s $WORK/held.b ]] || { WHY="a /sleep/200 request failed"; return 1; }
	ta=$(<"$WORK/held.a") tb=$(<"$WORK/held.b")
	d=$((ta > tb ? ta - tb : tb - ta))
	((d >= 100)) || { WHY="the two replies came $d ms apart, expected about 200"; return 1; }
}

# head_check TARGET LENGTH: HEAD gets the head only (Content-Length LENGTH, no body), three
# times on one connection, so a body sent anyway would mis-frame the next reply.
head_check() {
	local target=$1 len=$2 h=$WORK/head.h
	curl -sS --max-time 5 -I -o /dev/null -D "$h" "$URL$target" >/dev/null 2>&1 ||
		{ WHY="curl -I failed"; return 1; }
	[[ $(header "$h" Content-Length) == "$len" ]] ||
		{ WHY="Content-Length '$(header "$h" Content-Length)', expected $len"; return 1; }
	printf 'HEAD %s HTTP/1.1\r\nHost: x\r\n\r\n' "$target" >"$WORK/req"
	if ((PERSISTS)); then
		probe --raw "$WORK/req" --head --repeat 3 --conn keep-alive --open --idle-ms 300
	else
		probe --raw "$WORK/req" --head --conn close --eof
	fi
}

# Expect: 100-continue is answered before the body is sent: curl, told to wait 3 s for it,
# sees "100 Continue" and is done well before.
expect_continue() {
	local out ms
	head -c 4000 /dev/zero | tr '\0' b >"$WORK/body4k"
	out=$(curl -sS -v --max-time 10 --expect100-timeout 3 -H 'Expect: 100-continue' \
		--data-binary @"$WORK/body4k" -o "$WORK/ec.b" -w 'TIME %{time_total}\n' \
		"$URL/expect" 2>&1) || { WHY="curl failed: $(tail -n 1 <<<"$out")"; return 1; }
	grep -q '^< HTTP/1.1 100 Continue' <<<"$out" || { WHY="no 100 Continue"; return 1; }
	grep -q '^< HTTP/1.1 200 OK' <<<"$out" || { WHY="no final 200"; return 1; }
	[[ $(<"$WORK/ec.b") == "Hello world" ]] || { WHY="body is not 'Hello world'"; return 1; }
	ms=$(awk '/^TIME / { printf "%d", $2 * 1000 }' <<<"$out")
	((ms < 2000)) || { WHY="took $ms ms: the 100 came late or not at all"; return 1; }
}

# RFC 9112 6.1: an HTTP/1.0 message framed by Transfer-Encoding is answered, then closed,
# even though it asked to keep the connection.
http10_te_closes() {
	printf 'POST /te HTTP/1.0\r\nConnection: keep-alive\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n' \
		>"$WORK/req"
	probe --raw "$WORK/req" --conn close --eof
}

# SIGTERM while a request sleeps (/sleep/10000): the exit still comes within 1 s.
stop_during_sleep() {
	local rc=0 cpid
	curl -sS --max-time 15 -o /dev/null "$URL/sleep/10000" >/dev/null 2>&1 &
	cpid=$!
	sleep 0.3 # the request is in and sleeping
	stop_check || rc=1
	kill "$cpid" 2>/dev/null
	wait "$cpid" 2>/dev/null
	return $rc
}

# At its defaults (no --workers), a fresh client is answered within 1 s while 100 slowloris
# connections hold whatever they can (issue 9 item 3: pools sized like real servers).
held_slowloris() {
	# shellcheck disable=SC2046
	probe --hold 100 --timeout-ms 1000 --server "$MODEL" $(persist_args)
}

# stop_check [CONTEXT]: SIGTERM the server; exit 0 within 1000 ms, nothing left behind.
stop_check() {
	server_stop && return 0
	WHY="${SERVER_STOP_WHY} (status ${SERVER_RC:-?}, ${SERVER_STOP_MS:-?} ms)"
	return 1
}

# SIGTERM while a client holds an idle connection (a blocked reader must not delay the exit).
stop_idle_conn() {
	local rc=0
	if ! exec {HOLD_FD}<>"/dev/tcp/127.0.0.1/$SERVER_PORT"; then
		HOLD_FD=
		WHY="cannot connect"
		return 1
	fi
	sleep 0.1 # let the model accept it and block reading it
	stop_check || rc=1
	exec {HOLD_FD}>&-
	HOLD_FD=
	return $rc
}

# SIGTERM in the middle of ab -c 32.
stop_under_load() {
	local rc=0 out=$WORK/ab-load
	timeout 15 ab -s 5 -t 5 -n 200000 -c 32 "$URL/load" >"$out" 2>&1 &
	AB_PID=$!
	# Wait (bounded) until ab has connections in flight, then let the load run a moment.
	local i
	for i in {1..50}; do
		ss -Htn state established "( sport = :$SERVER_PORT )" 2>/dev/null | grep -q . && break
		sleep 0.01
	done
	sleep 0.2
	if ! server_alive "$AB_PID"; then
		WHY="ab ended before SIGTERM: $(tail -n 2 "$out" | tr '\n' ' ')"
		rc=1
	fi
	stop_check || rc=1
	kill -TERM "$AB_PID" 2>/dev/null
	wait "$AB_PID" 2>/dev/null
	AB_PID=
	return $rc
}

# --- per model ---------------------------------------------------------------------------

BIN_PATH=
VARIANT_ARGS=() # the variant's flags, after SERVER_ARGS

# (Re)start the model for the remaining checks; a failure is reported as CHECK.
start_model() {
	if ! server_start "$BIN_PATH" "${SERVER_ARGS[@]}" "${VARIANT_ARGS[@]}" 2>"$WORK/start.err"; then
		not_ok "${1:-restart}" "$(tr '\n' ' ' <"$WORK/start.err")"
		return 1
	fi
	URL=http://127.0.0.1:$SERVER_PORT
}

# run_model PATH[:VARIANT]: every check, on the model or on one of its variants.
run_model() {
	local rc
	BIN_PATH=${1%%:*}
	MODEL=$(basename "$BIN_PATH")
	LABEL=$(basename "$1")
	VARIANT_ARGS=()
	if [[ $1 == *:* ]]; then
		local flags
		if ! flags=$(variant_flags "$ROOT" "$MODEL" "${1#*:}"); then
			not_ok "variant" "$flags"
			return
		fi
		mapfile -t VARIANT_ARGS <<<"$flags"
	fi
	if [[ $MODEL == ref-* ]]; then
		skip "reference server, not bound by the contract"
		return
	fi
	local facts why
	if ! facts=$(facts_line "$ROOT" "$MODEL") || ! why=$(facts_check "$facts"); then
		not_ok "Facts line" "${why:-$facts}"
		return
	fi
	ok "Facts line ($(echo $facts))"
	PERSISTS=1
	[[ $(facts_get "$facts" keepalive) == no ]] && PERSISTS=0
	PARALLEL_ONE=0
	[[ $(facts_get "$facts" parallel) == 1 ]] && PARALLEL_ONE=1

	server_start "$BIN_PATH" "${SERVER_ARGS[@]}" "${VARIANT_ARGS[@]}" 2>"$WORK/start.err"
	rc=$?
	if ((rc == 77)); then
		skip "$SERVER_SKIP"
		return
	elif ((rc != 0)); then
		not_ok "start" "$(tr '\n' ' ' <"$WORK/start.err")"
		return
	fi
	ok "start ($( ((PERSISTS)) && echo persists || echo 'declares no persistence'))"
	URL=http://127.0.0.1:$SERVER_PORT

	local conn=keep-alive
	((PERSISTS)) || conn=close
	check "curl HTTP/1.1" curl_get 11 "$conn"
	check "curl --http1.0" curl_get 10 close --http1.0
	check "curl connection reuse" curl_reuse
	check "ab -n 2000 -c 8" ab_run
	check "ab -k -n 2000 -c 8" ab_run -k
	if ((PERSISTS)); then
		check "pipeline of 5 in one write, answered in order" pipeline
	else
		check "pipeline of 5 in one write: first answered with close (declared)" pipeline
	fi
	check "request sent one byte per write" bytewise
	if ((PERSISTS)); then
		check "HTTP/1.1 persists (3 requests, one socket)" http11_persist
	else
		check "HTTP/1.1 answered with close (declared)" http11_persist
	fi
	check "HTTP/1.1 Connection: close closes" http11_close
	check "HTTP/1.0 closes" http10_close
	if ((PERSISTS)); then
		check "HTTP/1.0 keep-alive persists (3 requests, one socket)" http10_keepalive
	else
		check "HTTP/1.0 keep-alive answered with close (declared)" http10_keepalive
	fi
	check "bad: no Host -> 400" bad 400 'GET / HTTP/1.1\r\nUser-Agent: t\r\n\r\n'
	check "bad: HTTP/2.0 -> 505" bad 505 'GET / HTTP/2.0\r\nHost: x\r\n\r\n'
	check "bad: Transfer-Encoding gzip -> 501" bad 501 \
		'POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n'
	check "bad: Content-Length + Transfer-Encoding -> 400" bad 400 \
		'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n'
	check "bad: header over 8 KiB -> 431" long_header
	check "bad: target over 4 KiB -> 414" long_target
	check "bad: garbage -> 400" bad 400 '\x01\x02 garbage \xff\xfe\x7f\r\n\r\n'
	check "still serves after the bad requests" curl_get 11b "$conn"
	scenario_checks
	check "SIGTERM: exit 0 within 1 s, nothing left" stop_check
	SERVER_PID=

	start_model && check "SIGTERM with an idle connection open" stop_idle_conn
	SERVER_PID=
	start_model && check "SIGTERM under ab -c 32 load" stop_under_load
	SERVER_PID=
	start_model && check "SIGTERM while a request sleeps (/sleep/10000)" stop_during_sleep
	SERVER_PID=
	file_read_checks
	defaults_checks
}

# The request targets (issue 9) and the protocol details of issue 15, on the running model.
scenario_checks() {
	local n
	for n in 0 1 1048576; do
		check "/bytes/$n byte-exact" bytes_exact "$n"
	done
	check "6 stalled /bytes/67108864 clients cost no memory" stalled_bytes
	check "/sleep/300 takes 300 ms" timed /sleep/300 300 2300
	check "/cpu/200000 takes 200 ms of CPU" timed /cpu/200000 200 3200
	check "/sleep/0 answers at once" timed /sleep/0 0 1000
	check "work requests pipelined with plain ones, answered in order" pipelined_work
	if ((PARALLEL_ONE)); then
		check "a reply is not held behind other requests' work (parallel=1)" reply_not_held
	fi
	check "bad: /sleep/ (no number) -> 400" bad 400 'GET /sleep/ HTTP/1.1\r\nHost: x\r\n\r\n'
	check "bad: /sleep/-1 -> 400" bad 400 'GET /sleep/-1 HTTP/1.1\r\nHost: x\r\n\r\n'
	check "bad: /sleep/10001 (out of range) -> 400" bad 400 \
		'GET /sleep/10001 HTTP/1.1\r\nHost: x\r\n\r\n'
	check "bad: /cpu/1x -> 400" bad 400 'GET /cpu/1x HTTP/1.1\r\nHost: x\r\n\r\n'
	check "bad: /bytes/99999999999 -> 400" bad 400 \
		'GET /bytes/99999999999 HTTP/1.1\r\nHost: x\r\n\r\n'
	check "bad: /bytes/18446744073709551616 (overflow) -> 400" bad 400 \
		'GET /bytes/18446744073709551616 HTTP/1.1\r\nHost: x\r\n\r\n'
	check "HEAD / has no body" head_check / 11
	check "HEAD /bytes/1048576 has no body" head_check /bytes/1048576 1048576
	check "Expect: 100-continue answered at once" expect_continue
	check "HTTP/1.0 with Transfer-Encoding closes" http10_te_closes
	file_checks
}

# Restart the model at its defaults (no --workers) for what a new user would try first.
defaults_checks() {
	local args=("${SERVER_ARGS[@]}")
	SERVER_ARGS=()
	if start_model "start at defaults"; then
		check "defaults: ab -k -n 2000 -c 8" ab_run -k
		if ((PERSISTS)); then
			check "defaults: answered while 100 slowloris connections are held" held_slowloris
		else
			skip "defaults: slowloris: the iterative model serves one client at a time (declared)"
		fi
		server_stop >/dev/null 2>&1
	fi
	SERVER_PID=
	SERVER_ARGS=("${args[@]}")
}

find_probe || exit 1
mapfile -t MODELS < <(models_expand "$ROOT" "$BIN_DIR" "${MODELS[@]}")
if ((${#MODELS[@]} == 0)); then
	echo "run.sh: no models in $BIN_DIR" >&2
	echo "0 passed, 1 failed"
	exit 1
fi

T0=$(server_now_ms)
for m in "${MODELS[@]}"; do
	run_model "$m"
	server_cleanup
done
echo "# ${#MODELS[@]} model(s) in $(($(server_now_ms) - T0)) ms"

summary="$PASSED passed, $FAILED failed"
((SKIPPED)) && summary+=", $SKIPPED skipped"
echo "$summary"
((FAILED == 0))
