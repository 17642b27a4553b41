# check.sh -- sourced by the harness's shell suites: TAP-like ok/not ok lines and their totals.
#   check NAME 'CONDITION' [WHY]   evaluates CONDITION; prints "ok - NAME" or "not ok - NAME: WHY"
#   check_totals                   prints "N passed, N failed"; fails if any failed
passed=0
failed=0
ok() { echo "ok - $1"; passed=$((passed + 1)); }
not_ok() { echo "not ok - $1: $2"; failed=$((failed + 1)); }
check() { if eval "$2"; then ok "$1"; else not_ok "$1" "${3:-failed: $2}"; fi; }
check_totals() {
	echo "$passed passed, $failed failed"
	[ "$failed" -eq 0 ]
}
