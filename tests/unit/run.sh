#!/usr/bin/env bash
# tests/unit/run.sh [--valgrind] BINARY... -- run cmocka test binaries and total their results.
# Each binary counts its tests; with --valgrind each binary also runs under
# valgrind --leak-check=full, which counts as one more check per binary (any
# leak or memory error fails it). Ends with "N passed, N failed"; exit 1 on any failure.
set -u

valgrind=0
if [ "${1:-}" = --valgrind ]; then
	valgrind=1
	shift
fi
if [ $# -eq 0 ]; then
	echo "usage: $0 [--valgrind] BINARY..." >&2
	exit 2
fi

passed=0
failed=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT

# cmocka's summary: "[  PASSED  ] N test(s)." and "[  FAILED  ] N test(s), listed below:".
count() {
	sed -n "s/^\[  $1  \] \([0-9]*\) test.*/\1/p" "$log" | head -n 1
}

for bin in "$@"; do
	name=$(basename "$bin")
	"$bin" >"$log" 2>&1
	rc=$?
	cat "$log"
	p=$(count PASSED)
	f=$(count FAILED)
	p=${p:-0}
	f=${f:-0}
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1 # crashed or failed outside a test: still a failure
		echo "not ok - $name: exit status $rc"
	fi
	passed=$((passed + p))
	failed=$((failed + f))
	if [ "$valgrind" -eq 1 ]; then
		if valgrind -q --leak-check=full --show-leak-kinds=all --errors-for-leak-kinds=all \
			--error-exitcode=1 "$bin" >"$log" 2>&1; then
			echo "ok - $name: valgrind clean"
			passed=$((passed + 1))
		else
			cat "$log"
			echo "not ok - $name: valgrind reported errors or leaks"
			failed=$((failed + 1))
		fi
	fi
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
