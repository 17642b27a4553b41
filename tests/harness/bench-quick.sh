#!/usr/bin/env bash
# bench-quick.sh -- the harness end to end: run `make bench-quick` for real, then check a row
# per planned run with status ok (or skipped, for a model that cannot run here), summary.csv,
# the charts as real PNGs of at least 1000x600, the time bound, and `make plots` redrawing.
#   tests/harness/bench-quick.sh BIN_DIR BUILD_DIR
set -uo pipefail
bin=$1
build=$2
tmp=$(mktemp -d /tmp/harness-bench.XXXXXX)
passed=0
failed=0
trap 'rm -rf "$tmp"' EXIT

ok() { echo "ok - $1"; passed=$((passed + 1)); }
not_ok() { echo "not ok - $1: $2"; failed=$((failed + 1)); }
check() { if eval "$2"; then ok "$1"; else not_ok "$1" "${3:-failed: $2}"; fi; }

# png_ok FILE: PNG signature, IHDR at least 1000x600, more than a blank image's bytes.
png_ok() {
	local f=$1 sig w h
	[ -s "$f" ] || return 1
	sig=$(head -c 8 "$f" | od -An -tx1 | tr -d ' \n')
	[ "$sig" = 89504e470d0a1a0a ] || return 1
	w=$((16#$(od -An -tx1 -j16 -N4 "$f" | tr -d ' \n')))
	h=$((16#$(od -An -tx1 -j20 -N4 "$f" | tr -d ' \n')))
	[ "$w" -ge 1000 ] && [ "$h" -ge 600 ] && [ "$(stat -c %s "$f")" -gt 10000 ]
}

vars=(BUILD="$build" BIN="$bin" RESULTS="$tmp/results" PLOTS="$tmp/plots")
start=$(date +%s)
make --no-print-directory bench-quick "${vars[@]}" >"$tmp/out" 2>&1
rc=$?
took=$(($(date +%s) - start))
check "make bench-quick succeeds" '[ "$rc" -eq 0 ]' "exit $rc: $(tail -5 "$tmp/out")"
check "make bench-quick takes <= 90 s (${took}s)" '[ "$took" -le 90 ]'

nmodels=$(find "$bin" -maxdepth 1 -type f -perm -u+x ! -name harness ! -name '.*' | wc -l)
planned=$((nmodels * 2 * 2))
run=$(readlink "$tmp/results/latest")
dir=$tmp/results/$run
csv=$dir/results.csv
rows=$(($(wc -l <"$csv" 2>/dev/null || echo 1) - 1))
bad=$(awk -F, 'NR > 1 && $NF != "ok" && $NF != "skipped" { print $2 " " $3 " c=" $4 ": " $NF }' "$csv" 2>/dev/null)
check "a row per planned run ($rows of $planned)" '[ "$rows" -eq "$planned" ]'
check "every row ok (or skipped)" '[ -z "$bad" ] && [ "$rows" -gt 0 ]' "$bad"
check "rows have the schema's 22 fields" '[ "$(awk -F, "NF != 22" "$csv" | wc -l)" -eq 0 ]'
check "a progress line per run" '[ "$(grep -c "^\[[0-9]*/$planned\]" "$tmp/out")" -eq "$planned" ]'
check "a ranking at the end" 'grep -q "x faster than" "$tmp/out"'
check "summary.csv: a line per cell" '[ "$(($(wc -l <"$dir/summary.csv") - 1))" -eq "$planned" ]'
check "meta, report.md and raw ab output" '[ -s "$dir/meta" ] && [ -s "$dir/report.md" ] && [ "$(ls "$dir/raw" | grep -c "tool.out$")" -ge "$planned" ]'
for mode in close keepalive; do
	for kind in throughput p99 cpu; do
		png=$tmp/plots/$run/$kind-$mode.png
		check "chart $kind-$mode.png is a PNG >= 1000x600" 'png_ok "$png"'
	done
done
check "plots/latest points at the run" '[ "$(readlink "$tmp/plots/latest")" = "$run" ]'

# make plots redraws from the CSV alone.
rm -f "$tmp/plots/$run/p99-close.png"
make --no-print-directory plots "${vars[@]}" RUN="$run" >"$tmp/plots.out" 2>&1
check "make plots RUN=<id> redraws the charts" 'png_ok "$tmp/plots/$run/p99-close.png"' "$(tail -3 "$tmp/plots.out")"
check "make plots starts no run" '[ "$(ls "$tmp/results" | grep -vc latest)" -eq 1 ]'

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
