#!/usr/bin/env bash
# tests/san/run.sh SAN_BUILD SAN_BIN [UNIT_BINARY...] -- the sanitizer suite's run half.
#
# Everything here was built with SAN=1 (ASan + UBSan, -fno-sanitize-recover=all) by
# tests/san/san.mk. This script runs the unit tests, then the integration runner against the
# sanitized models, then looks for sanitizer reports wherever they may have landed:
#   - ASan/LSan write every report to $SAN_BUILD/logs/asan.<pid> (log_path): this catches a
#     report from any process, a forked child whose exit status nobody sees included;
#   - UBSan (gcc's runtime ignores log_path) prints to stderr, and so does anything else:
#     tests/lib/server.sh keeps each server's stderr in $SERVER_LOG_DIR/<model>.log, which
#     its children inherit, so those logs are grepped too.
# Every sanitizer aborts on its first report (halt_on_error, abort_on_error), so the process
# dies with SIGABRT and a test that watches it fails as well; the log scan is the backstop.
# Ends with "N passed, N failed[, N skipped]"; exit 1 on any failure.
set -u

if [ $# -lt 2 ]; then
	echo "usage: $0 SAN_BUILD SAN_BIN [UNIT_BINARY...]" >&2
	exit 2
fi
san_build=$1
san_bin=$2
shift 2
root=$(cd "$(dirname "$0")/../.." && pwd)
logs=$san_build/logs
rm -rf "$logs"
mkdir -p "$logs/server"
logs=$(cd "$logs" && pwd)

export ASAN_OPTIONS="halt_on_error=1:abort_on_error=1:detect_leaks=1:disable_coredump=1:log_path=$logs/asan"
export UBSAN_OPTIONS="halt_on_error=1:abort_on_error=1:print_stacktrace=1:log_path=$logs/ubsan"
export LSAN_OPTIONS="exitcode=23"
export SERVER_LOG_DIR="$logs/server"
# The contract's 1 s SIGTERM bound is checked on the plain build; here a forking model waits for
# hundreds of instrumented children whose sanitizer runtimes make each exit several times slower.
export SERVER_STOP_LIMIT_MS=${SERVER_STOP_LIMIT_MS:-3000}

passed=0
failed=0
skipped=0

# Add a component's closing "N passed, N failed[, N skipped]" line to the totals.
tally() {
	local line=$1 p f s
	p=$(sed -n 's/^\([0-9]*\) passed.*/\1/p' <<<"$line")
	f=$(sed -n 's/.* \([0-9]*\) failed.*/\1/p' <<<"$line")
	s=$(sed -n 's/.* \([0-9]*\) skipped.*/\1/p' <<<"$line")
	passed=$((passed + ${p:-0}))
	failed=$((failed + ${f:-0}))
	skipped=$((skipped + ${s:-0}))
	[ -n "$p" ] # no summary line at all: the component broke
}

# Run a component, show its output, count its summary; a non-zero exit with no failure counted
# (it crashed before summing up) is one failure.
component() {
	local name=$1 out rc
	shift
	out=$("$@" 2>&1)
	rc=$?
	printf '%s\n' "$out"
	if ! tally "$(tail -n 1 <<<"$out")" || { [ "$rc" -ne 0 ] && ! grep -q ' [1-9][0-9]* failed' <<<"$(tail -n 1 <<<"$out")"; }; then
		echo "not ok - $name: exit status $rc without a failure count"
		failed=$((failed + 1))
	fi
}

echo "--- unit tests (sanitized)"
if [ $# -gt 0 ]; then
	component unit "$root/tests/unit/run.sh" "$@"
else
	echo "not ok - unit: no unit test binaries given"
	failed=$((failed + 1))
fi

echo "--- integration (sanitized models in $san_bin)"
if [ -x "$root/tests/integration/run.sh" ]; then
	probe=()
	[ -x "$san_build/tests/httpprobe" ] && probe=(--probe "$san_build/tests/httpprobe")
	# shellcheck disable=SC2086 # SAN_MODELS is a word list
	component integration "$root/tests/integration/run.sh" --bin "$san_bin" "${probe[@]}" ${SAN_MODELS:-}
else
	echo "skip - integration: tests/integration/run.sh not found"
	skipped=$((skipped + 1))
fi

echo "--- sanitizer reports in $logs"
pattern='ERROR: (AddressSanitizer|LeakSanitizer|UndefinedBehaviorSanitizer)|runtime error:|WARNING: .*Sanitizer'
nlogs=0
bad=0
for f in "$logs"/asan.* "$logs"/ubsan.* "$logs"/server/*.log; do
	[ -f "$f" ] || continue
	nlogs=$((nlogs + 1))
	if grep -qE "$pattern" "$f"; then
		grep -E -m 5 -A 15 "$pattern" "$f"
		echo "not ok - sanitizer report in $f"
		bad=$((bad + 1))
	fi
done
if [ "$bad" -eq 0 ]; then
	echo "ok - no sanitizer report in $nlogs log file(s)"
	passed=$((passed + 1))
else
	failed=$((failed + bad))
fi

if [ "$skipped" -gt 0 ]; then
	echo "$passed passed, $failed failed, $skipped skipped"
else
	echo "$passed passed, $failed failed"
fi
[ "$failed" -eq 0 ]
