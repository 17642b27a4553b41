# tests/lib/check.sh -- one line a check for the tools' bash tests (sourced, not run).
# shellcheck shell=bash
#
#   CHECK_WHAT=name              what every line names ("ok - name: ...")
#   check NAME COMMAND...        run COMMAND (its stdout dropped): "ok - ..." when it succeeds,
#                                "not ok - ..." otherwise, counted in check_passed/check_failed
#   check_summary                print the counts; return 1 when a check failed

check_passed=0
check_failed=0

check() {
	local name=$1
	shift
	if "$@" >/dev/null; then
		echo "ok - $CHECK_WHAT: $name"
		check_passed=$((check_passed + 1))
	else
		echo "not ok - $CHECK_WHAT: $name"
		check_failed=$((check_failed + 1))
	fi
}

check_summary() {
	echo "# $CHECK_WHAT: $check_passed passed, $check_failed failed"
	[ "$check_failed" -eq 0 ]
}
