#!/usr/bin/env bash
# bench-quick.sh -- the harness end to end: run `make bench-quick` for real (every scenario of
# the table at its quick level), then check a row per planned run with status ok (or skipped,
# for a model that cannot run here) and its scenario, summary.csv, the laws in report.md, the
# charts of every scenario as real PNGs of at least 1000x600, that the run took no longer than
# the harness's own estimate (its plan announcement) allows, and `make plots` redrawing.
# Then a tiny real `harness --compare` (ref-nginx, epoll, single; 1 rep of 1 s): wrk rows for
# keep-alive, ab rows for close, wrk rows for the pipelined cell, the table, the verdict lines
# and compare.md (ref-nginx's rows are ok when nginx is installed, skipped with the reason
# otherwise).
#   tests/harness/bench-quick.sh BIN_DIR BUILD_DIR
set -uo pipefail
bin=$1
build=$2
tmp=$(mktemp -d /tmp/harness-bench.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

. "$(dirname "$0")/check.sh"

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

# seconds DURATION: the harness's duration (util_duration: 45s, 1m39s, 1h05m) in seconds.
seconds() {
	local d=$1 s=0
	[[ $d =~ ^(([0-9]+)h)?(([0-9]+)m)?(([0-9]+)s)?$ && -n $d ]] || return 1
	s=$((10#${BASH_REMATCH[2]:-0} * 3600 + 10#${BASH_REMATCH[4]:-0} * 60 + 10#${BASH_REMATCH[6]:-0}))
	echo "$s"
}

vars=(BUILD="$build" BIN="$bin" RESULTS="$tmp/results" PLOTS="$tmp/plots")
start=$(date +%s)
make --no-print-directory bench-quick "${vars[@]}" >"$tmp/out" 2>&1
rc=$?
took=$(($(date +%s) - start))
check "make bench-quick succeeds" '[ "$rc" -eq 0 ]' "exit $rc: $(tail -5 "$tmp/out")"
# Not a speed target (a busy machine is slower): the plan announcement's estimate must be
# honest, so the run may take at most 35 % + 15 s more than the harness said. A plan that grows
# (a new pass, a new scenario) without its estimate growing fails here.
est=$(sed -n 's/^plan: [0-9]* runs .*, estimated \([0-9hms]*\);.*/\1/p' "$tmp/out" | head -1)
est_s=$(seconds "$est") || est_s=
limit=$((${est_s:-0} * 135 / 100 + 15))
check "make bench-quick took ${took}s, within its estimate $est + 35 % + 15 s (${limit}s)" \
	'[ -n "$est_s" ] && [ "$took" -le "$limit" ]' "the plan line: $(grep -m1 "estimated" "$tmp/out")"

# Reference servers (ref-*) are not in the default plan. A run per model and cell: hello in
# both modes, every other default scenario in keep-alive, one level each.
nmodels=$(find "$bin" -maxdepth 1 -type f -perm -u+x ! -name harness ! -name '.*' ! -name 'ref-*' | wc -l)
scenarios="hello sleep cpu bytes"
planned=$((nmodels * 5))
run=$(readlink "$tmp/results/latest")
dir=$tmp/results/$run
csv=$dir/results.csv
rows=$(($(wc -l <"$csv" 2>/dev/null || echo 1) - 1))
bad=$(awk -F, 'NR > 1 && $22 != "ok" && $22 != "skipped" { print $2 " " $3 " c=" $4 ": " $22 }' "$csv" 2>/dev/null)
check "a row per planned run ($rows of $planned)" '[ "$rows" -eq "$planned" ]'
check "every row ok (or skipped)" '[ -z "$bad" ] && [ "$rows" -gt 0 ]' "$bad"
check "rows have the schema's 54 fields" '[ "$(awk -F, "NF != 54" "$csv" | wc -l)" -eq 0 ]'
# Every ok row has the three CPU figures of the load window, the whole machine's at least the
# server's (less 4 of /proc/stat's 10 ms ticks over the requests: its counters move in ticks),
# and its calibration.
badc=$(awk -F, 'NR > 1 && $22 == "ok" && !($19 ~ /^[0-9.]+$/ && $40 ~ /^[0-9.]+$/ && $41 ~ /^[0-9.]+$/ && $41 >= $19 - 40000 / $7 && $38 ~ /^[0-9.]+$/ && $39 ~ /^[0-9.]+$/ && $43 > 0) { print $2 " " $3 " c=" $4 ": server " $19 ", client " $40 ", system " $41 ", calib " $43 }' "$csv" 2>/dev/null)
check "ok rows: server, client and system CPU per request (system >= server), start-up and exit CPU, calib_us" '[ -z "$badc" ]' "$badc"
for sc in $scenarios; do
	n=$(awk -F, -v s="$sc" 'NR > 1 && $25 == s' "$csv" | wc -l)
	[ "$sc" = hello ] && want=$((nmodels * 2)) || want=$nmodels
	check "scenario $sc: a row per model and cell ($n of $want), its target in meta" '[ "$n" -eq "$want" ] && grep -q "^scenario $sc: GET /" "$dir/meta"'
done
# Every ok row knows how many connections were served (0 < served <= c, a closed loop) and
# what the rest of the machine used.
badh=$(awk -F, 'NR > 1 && $22 == "ok" && !($23 ~ /^[0-9.]+$/ && $23 > 0 && $23 <= $4 * 1.05 && $24 ~ /^[0-9.]+$/) { print $2 " " $3 " c=" $4 ": served " $23 ", other " $24 }' "$csv" 2>/dev/null)
check "ok rows: served_conns in (0, c], other_cpu_pct a number" '[ -z "$badh" ]' "$badh"
check "meta: workers and the thresholds" 'grep -q "^workers: not passed" "$dir/meta" && grep -q "^noise threshold: " "$dir/meta" && grep -q "^starvation threshold: " "$dir/meta"'
check "meta: server cpus, irq time, a facts line per model" 'grep -q "^server cpus: [0-9]" "$dir/meta" && grep -q "^irq time: " "$dir/meta" && [ "$(grep -c "^facts " "$dir/meta")" -eq "$nmodels" ]'
# The laws: where a model has its Facts line, report.md gives its share of the bound.
if grep -q "^facts [a-z_-]*: keepalive=" "$dir/meta"; then
	check "report.md: sleep and cpu cells against their bounds" 'grep -A30 "^## scenario sleep" "$dir/report.md" | grep -Eq "/s = [0-9]+ %" && grep -A30 "^## scenario cpu" "$dir/report.md" | grep -Eq "/s = [0-9]+ %"'
fi
check "report.md: a section per scenario" '[ "$(grep -c "^## scenario " "$dir/report.md")" -eq 4 ]'
check "report.md: verdicts first, a line per scenario and mode; the ranking beside it" '[ "$(sed -n "3p" "$dir/report.md")" = "## Verdicts" ] && [ "$(grep -c "^- \*\*[a-z]*, [a-z]*\*\* " "$dir/report.md")" -eq 5 ] && grep -Eq "x (faster than|less CPU per request)|: a tie \(medians|: not told apart \(medians" "$dir/ranking.md"' "$(head -20 "$dir/report.md")"
check "a quick run is not the full plan: no last-full" '[ ! -e "$tmp/results/last-full" ] && [ ! -e "$tmp/plots/last-full" ]'
check "summary.csv: starved, noisy, scenario, bound, run length, idle, outcome, paired, mix and load-window columns" 'head -1 "$dir/summary.csv" | grep -q ",served_conns_median,starved,other_cpu_pct_max,noisy_reps,scenario,bound_rps,run_s,idle_conns,server_mem_kb_median,mem_per_idle_conn_b,cpu_us_per_req_per_1k_idle,goodput_rps_median,rejected_rps_median,cpu_ratio_to_idle0_median,cpu_ratio_to_idle0_min,cpu_ratio_to_idle0_max,cpu_ratio_pairs,short_p99_us_median,short_mean_us_median,rho,fcfs_short_us,ps_short_us,fcfs_p99_us,ps_p99_us,cpu_us_per_req_min," && head -1 "$dir/summary.csv" | grep -q ",slow_reps,kernel_mem_per_idle_conn_b,gen_wait_share_median,syscalls_per_req_median,ctx_switches_per_req_median,migrations_per_req_median,instructions_per_req_median$"'
check "a progress line per run" '[ "$(grep -c "^\[[0-9]*/$planned\]" "$tmp/out")" -eq "$planned" ]'
check "a ranking at the end, by medians" 'grep -q "median" "$tmp/out" && grep -Eq "x (faster than|less CPU per request)|: a tie \(medians|: not told apart \(medians" "$tmp/out"'
check "summary.csv: a line per cell" '[ "$(($(wc -l <"$dir/summary.csv") - 1))" -eq "$planned" ]'
check "meta, report.md and raw ab output" '[ -s "$dir/meta" ] && [ -s "$dir/report.md" ] && [ "$(ls "$dir/raw" | grep -c "tool.out$")" -ge "$planned" ]'
for chart in hello-{throughput,p99,cpu}-{close,keepalive} {sleep,cpu,bytes}-{throughput,p99,cpu}-keepalive; do
	check "chart $chart.png is a PNG >= 1000x600" 'png_ok "$tmp/plots/$run/$chart.png"'
done
check "plots/latest points at the run" '[ "$(readlink "$tmp/plots/latest")" = "$run" ]'

# make plots redraws from the CSV alone.
rm -f "$tmp/plots/$run/hello-p99-close.png"
make --no-print-directory plots "${vars[@]}" RUN="$run" >"$tmp/plots.out" 2>&1
check "make plots RUN=<id> redraws the charts" 'png_ok "$tmp/plots/$run/hello-p99-close.png"' "$(tail -3 "$tmp/plots.out")"
check "make plots starts no run" '[ "$(ls "$tmp/results" | grep -vc latest)" -eq 1 ]'
check "references left out of the default plan" '! grep -q "^ref-" <(cut -d, -f2 "$csv") && { [ ! -x "$bin/ref-nginx" ] || grep -q "reference server left out" "$tmp/out"; }'

# --compare, as small as it gets: our models that exist of epoll and single.
ours=$(for m in epoll single; do [ -x "$bin/$m" ] && printf '%s ' "$m"; done)
start=$(date +%s)
"$bin/harness" --bin "$bin" --results "$tmp/cmp" --plots "$tmp/cmpplots" --compare \
	--models "$ours" --reps 1 --duration 1 >"$tmp/cmp.out" 2>&1
rc=$?
took=$(($(date +%s) - start))
run=$(readlink "$tmp/cmp/latest")
csv=$tmp/cmp/$run/results.csv
nours=$(echo $ours | wc -w)
check "harness --compare succeeds" '[ "$rc" -eq 0 ]' "exit $rc: $(tail -5 "$tmp/cmp.out")"
check "harness --compare (1 rep of 1 s) takes <= 30 s (${took}s)" '[ "$took" -le 30 ]'
check "compare: a row per model and cell" '[ "$(($(wc -l <"$csv") - 1))" -eq $(((nours + 1) * 3)) ]'
check "compare: keep-alive rows by wrk at c=64, close rows by ab at c=32, pipeline rows by wrk at c=64" \
	'[ "$(awk -F, "NR > 1 && !((\$25 == \"hello\" && \$3 == \"keepalive\" && \$6 == \"wrk\" && \$4 == 64) || (\$25 == \"hello\" && \$3 == \"close\" && \$6 == \"ab\" && \$4 == 32) || (\$25 == \"pipeline\" && \$3 == \"keepalive\" && \$6 == \"wrk\" && \$4 == 64))" "$csv" | wc -l)" -eq 0 ] && [ "$(awk -F, "NR > 1 && \$25 == \"pipeline\"" "$csv" | wc -l)" -eq $((nours + 1)) ]'
check "compare: our rows ok" '[ -z "$(awk -F, "NR > 1 && \$2 !~ /^ref-/ && \$22 != \"ok\"" "$csv")" ]'
check "compare: meta names both tools" 'grep -q "^load tool (keepalive): wrk" "$tmp/cmp/$run/meta" && grep -q "^load tool (close): This is ApacheBench" "$tmp/cmp/$run/meta"'
check "compare: the table with ref-nginx first" 'grep -q "| keepalive c=64 (wrk) *| ref-nginx (reference)" "$tmp/cmp.out" && grep -q "| pipeline keepalive c=64 (wrk) *| ref-nginx (reference)" "$tmp/cmp.out"'
check "compare: compare.md written" 'grep -q "least server CPU per request of ours\|fastest keep-alive model: not measured" "$tmp/cmp/$run/compare.md" && grep -q "^- kernel: " "$tmp/cmp/$run/compare.md"'
if nginx_rows=$(awk -F, 'NR > 1 && $2 == "ref-nginx" { print $22 }' "$csv" | sort -u) && [ "$nginx_rows" = ok ]; then
	# Per cell: the CPU headline, then the req/s ratio or, with the load tool at 90 % of its
	# CPUs in either run, "client-bound: req/s not comparable".
	check "compare: ref-nginx ran; CPU headline and req/s verdict per cell" 'grep -Eq "keep-alive c=64 \(wrk\): least server CPU per request of ours \([a-z_]+\): [0-9.]+ x nginx \(bar 0.8\): (met|NOT met)" "$tmp/cmp.out" && grep -Eq "close-mode c=32 \(ab\): least server CPU per request of ours \([a-z_]+\): [0-9.]+ x nginx \(bar 0.8\)" "$tmp/cmp.out" && grep -Eq "fastest keep-alive model: [a-z_]+ at [0-9.]+ x nginx \(bar 1.25\): (met|NOT met)|keep-alive c=64: client-bound: req/s not comparable" "$tmp/cmp.out" && grep -Eq "fastest close-mode model: [a-z_]+ at [0-9.]+ x nginx \(bar 1.1\): (met|NOT met)|close-mode c=32: client-bound: req/s not comparable" "$tmp/cmp.out" && grep -Eq "pipeline keep-alive c=64 \(wrk\): least server CPU per request of ours \([a-z_]+\): [0-9.]+ x nginx \(bar 0.8\)" "$tmp/cmp.out" && grep -Eq "fastest pipeline keep-alive model: [a-z_]+ at [0-9.]+ x nginx \(bar 1.25\): (met|NOT met)|pipeline keep-alive c=64: client-bound: req/s not comparable" "$tmp/cmp.out"'
	check "compare: meta has nginx's version" 'grep -q "^reference ref-nginx: nginx version" "$tmp/cmp/$run/meta"'
	check "compare: 1 rep is called indicative" 'grep -q "indicative" "$tmp/cmp.out"'
else
	check "compare: ref-nginx skipped with the reason" '[ "$nginx_rows" = skipped ] && grep -q "ref-nginx skipped: nginx is not installed (OPTIONAL=1 scripts/install-deps.sh installs it)" "$tmp/cmp.out"'
fi
check "compare: charts drawn" 'png_ok "$tmp/cmpplots/$run/hello-throughput-keepalive.png" && png_ok "$tmp/cmpplots/$run/hello-cpu-close.png"'

check_totals
