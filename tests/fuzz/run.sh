#!/usr/bin/env bash
# tests/fuzz/run.sh FUZZ_DIR SECONDS TARGET... -- run each libFuzzer target for SECONDS/N seconds.
# New corpus entries and crash artifacts go under FUZZ_DIR (never into the
# repository); the committed seeds in tests/fuzz/corpus/<name>/ are read only.
# A target fails on a non-zero exit (crash, sanitizer report, invariant
# abort, -timeout=5 per input) or any sanitizer line in its log.
# Ends with "N passed, N failed"; exit 1 on any failure.
set -u

if [ $# -lt 3 ]; then
	echo "usage: $0 FUZZ_DIR SECONDS TARGET..." >&2
	exit 2
fi
dir=$1
secs=$2
shift 2
per=$((secs / $#))
[ "$per" -ge 1 ] || per=1
here=$(cd "$(dirname "$0")" && pwd)
passed=0
failed=0

for bin in "$@"; do
	name=$(basename "$bin")
	short=${name#fuzz_}
	work="$dir/corpus/$short"
	art="$dir/artifacts/$short/"
	log="$dir/$name.log"
	mkdir -p "$work" "$art"
	# The outer timeout only guards against a hung fuzzer; libFuzzer stops itself.
	timeout -k 5 $((per + 120)) "$bin" -max_total_time="$per" -timeout=5 -max_len=24576 \
		-rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$art" \
		"$work" "$here/corpus/$short" >"$log" 2>&1
	rc=$?
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
	if [ "$rc" -eq 0 ] && ! grep -qE 'ERROR: (AddressSanitizer|LeakSanitizer|UndefinedBehaviorSanitizer|libFuzzer)|runtime error:|invariant broken' "$log"; then
		echo "ok - $name: ${runs:-?} inputs in ${per}s, no report"
		passed=$((passed + 1))
	else
		grep -E -m 20 -A 12 'ERROR:|runtime error:|invariant broken|Test unit written|SUMMARY' "$log"
		echo "not ok - $name: exit status $rc, log $log, artifacts in $art"
		failed=$((failed + 1))
	fi
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
