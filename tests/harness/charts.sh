#!/usr/bin/env bash
# charts.sh -- the chart scripts' marks, without drawing: gnuplot's `set table` dumps the points
# each script would plot. On a synthetic summary (epoll load-generator bound at both levels,
# prefork starved at c=512 with a served-connection p99 of 0.08 ms): both marks are in the
# key when the harness passes them and absent when it does not, the bound points are ringed,
# and the starved cell is plotted at the run length (2000 ms), never at 0.08 ms. The idle
# scenario's charts: against idle connections, and memory per idle connection as bars. The
# open-loop goodput chart: goodput and rejected against offered load. The ladder's bars.
#   tests/harness/charts.sh PLOTS_DIR
set -uo pipefail
plots=${1:-plots}
tmp=$(mktemp -d /tmp/harness-charts.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

. "$(dirname "$0")/check.sh"

cat >"$tmp/summary.csv" <<'CSV'
model,mode,concurrency,runs,reps_ok,rps_median,rps_min,rps_max,rps_mean,rps_sd,lat_p50_ms_median,lat_p99_ms_median,cpu_us_per_req_median,maxrss_kb_max,client_cpu_pct_max,client_bound,client_cpu_pct_median,tool,reference,statuses,served_conns_median,starved,other_cpu_pct_max,noisy_reps,scenario,bound_rps,run_s,unserved,slow_reps,littles_off
epoll,keepalive,8,1,1,50000,50000,50000,50000,0,0.1,0.2,5,1000,95,1,95,ab,0,ok:1,8,0,1,0,hello,,2.0,0,0,0
epoll,keepalive,512,1,1,60000,60000,60000,60000,0,1,2.5,5,1000,95,1,95,ab,0,ok:1,500,0,1,0,hello,,2.0,0,0,0
prefork,keepalive,8,1,1,40000,40000,40000,40000,0,0.1,0.3,9,1000,50,0,50,ab,0,ok:1,8,0,1,0,hello,,2.0,0,0,0
prefork,keepalive,512,1,1,13000,13000,13000,13000,0,0.05,0.08,9,1000,50,0,50,ab,0,ok:1,1,1,1,0,hello,,2.0,0,0,0
prefork,keepalive,512,1,1,99,99,99,99,0,9,9,9,1000,50,0,50,ab,0,ok:1,512,0,1,0,sleep,,2.0,0,0,0
CSV

# table KIND MARKS: the points KIND.gp would plot, as "x y type" lines after "# Curve title".
table() {
	gnuplot -e "summary='$tmp/summary.csv'; out='$tmp/$1.png'; scenario='hello'; mode='keepalive'; models='epoll prefork'; runid='t'; tool='ab'; style='$plots/style.gp'; $2 set table '$tmp/$1.txt'" \
		"$plots/$1.gp" 2>"$tmp/$1.err" && cat "$tmp/$1.txt"
}
# plotted T: the in-range points of T's output ("x y").
plotted() { awk '$3 == "i" { print $1, $2 }' <<<"$1"; }

t=$(table p99 "bound_marks=2; starved_marks=1;")
check "p99: both marks in the key" 'grep -q "^# Curve title: \"cross: unserved (†), starved at run length\"" <<<"$t" && grep -q "^# Curve title: \"ring: load generator bound (‡)\"" <<<"$t"' "$(cat "$tmp/p99.err")"
check "p99: the starved cell at the run length" 'plotted "$t" | grep -qx "512 2000"'
check "p99: the starved cell's served p99 never plotted" '! plotted "$t" | grep -q " 0.08$"'
check "p99: nothing of the starved cell below the run length" '[ -z "$(plotted "$t" | awk "\$1 == 512 && \$2 < 2000 && \$2 != 2.5")" ]'
check "p99: another scenario's rows left out" '! plotted "$t" | grep -q " 9$"'
t=$(table throughput "bound_marks=2; starved_marks=1;")
# (the y axis prints 50k: a bound point is plotted twice, as itself and as its ring; the
# starved one twice too, as itself and as its cross)
check "throughput: the bound points ringed, the starved one crossed" '[ "$(plotted "$t" | grep -cE "^(8 50k|512 60k)$")" -eq 4 ] && [ "$(plotted "$t" | grep -cx "512 13k")" -eq 2 ] && [ "$(plotted "$t" | grep -cx "8 40k")" -eq 1 ]' "$t"
check "throughput: the ring and the cross in the key" 'grep -q "^# Curve title: \"ring: load generator bound (‡)\"" <<<"$t" && grep -q "^# Curve title: \"cross: some connections unserved (†)\"" <<<"$t"'
# The CPU chart carries the marks too: with a noisy cell (prefork c=8 here) a grey square on it
# and its key entry; ‡ rings as on the others.
sed -i 's/^prefork,keepalive,8,1,1,40000,40000,40000,40000,0,0.1,0.3,9,1000,50,0,50,ab,0,ok:1,8,0,1,0,/prefork,keepalive,8,1,1,40000,40000,40000,40000,0,0.1,0.3,9,1000,50,0,50,ab,0,ok:1,8,0,40,1,/' "$tmp/summary.csv"
t=$(table cpu "bound_marks=2; noisy_marks=1; logy=0; lines=0;")
check "cpu: the noisy cell squared, the bound ones ringed, all in the key" '[ "$(plotted "$t" | grep -cx "8 9")" -eq 2 ] && [ "$(plotted "$t" | grep -cx "8 5")" -eq 2 ] && grep -q "^# Curve title: \"grey square: noisy (§), compare with care\"" <<<"$t" && grep -q "^# Curve title: \"ring: load generator bound (‡)\"" <<<"$t"' "$t $(cat "$tmp/cpu.err")"
# The newer marks, on every chart alike: ¤ (a slow phase: epoll at c=8) an orange triangle and ≠
# (Little's law off: prefork at c=8) a purple diamond, each over the point and in the key; †
# marks an unserved cell (epoll at c=512: some connections never served, not starved) too.
sed -e 's/^\(epoll,keepalive,8,.*\),0,0,0$/\1,0,1,0/' -e 's/^\(prefork,keepalive,8,.*\),0,0,0$/\1,0,0,1/' \
	-e 's/^\(epoll,keepalive,512,.*\),0,0,0$/\1,1,0,0/' "$tmp/summary.csv" >"$tmp/newer.csv"
cp "$tmp/summary.csv" "$tmp/older.csv"
cp "$tmp/newer.csv" "$tmp/summary.csv"
t=$(table cpu "slow_marks=1; littles_marks=1; starved_marks=1; logy=0; lines=0;")
check "cpu: ¤ and ≠ drawn over their points, each in the key" '[ "$(plotted "$t" | grep -cx "8 5")" -eq 2 ] && [ "$(plotted "$t" | grep -cx "8 9")" -eq 2 ] && grep -q "^# Curve title: \"triangle: slow phase of the host (¤)\"" <<<"$t" && grep -q "^# Curve title: \"diamond: Little.s law off (≠)\"" <<<"$t"' "$t $(cat "$tmp/cpu.err")"
check "cpu: the unserved cell crossed (†)" '[ "$(plotted "$t" | grep -cx "512 5")" -eq 2 ] && grep -q "^# Curve title: \"cross: some connections unserved (†)\"" <<<"$t"' "$t"
t=$(table throughput "slow_marks=1; littles_marks=1;")
check "throughput: ¤ and ≠ too" '[ "$(plotted "$t" | grep -cx "8 50k")" -eq 2 ] && [ "$(plotted "$t" | grep -cx "8 40k")" -eq 2 ] && grep -q "(¤)" <<<"$t" && grep -q "(≠)" <<<"$t"' "$t $(cat "$tmp/throughput.err")"
t=$(table p99 "slow_marks=1; littles_marks=1;")
check "p99: ¤ and ≠ too" '[ "$(plotted "$t" | grep -cx "8 0.2")" -eq 2 ] && [ "$(plotted "$t" | grep -cx "8 0.3")" -eq 2 ] && grep -q "(¤)" <<<"$t" && grep -q "(≠)" <<<"$t"' "$t $(cat "$tmp/p99.err")"
t=$(table p99 "")
check "p99 without the newer marks passed: none drawn" '! grep -Eq "Curve title: .(triangle|diamond)" <<<"$t" && [ "$(plotted "$t" | grep -cx "8 0.2")" -eq 1 ]' "$t"
cp "$tmp/older.csv" "$tmp/summary.csv"
t=$(table cpu "")
check "cpu without marks: none in the key" '! grep -Eq "Curve title: .(ring|grey|cross)" <<<"$t"' "$t"
t=$(table p99 "")
check "p99 without marks: none in the key, the starved cell still not at 0.08" '! grep -Eq "Curve title: .(ring|cross)" <<<"$t" && ! plotted "$t" | grep -q " 0.08$"' "$t"

# A mode with nothing to draw (every cell failed: here a scenario with no row) is still drawn,
# its axes and a line saying so, where gnuplot alone stops on the empty log range.
nothing() { gnuplot -e "summary='$tmp/summary.csv'; out='$tmp/none.png'; scenario='none'; mode='keepalive'; models='epoll prefork'; runid='t'; tool='ab'; style='$plots/style.gp'; $1" "$plots/$2.gp" 2>"$tmp/none.err"; }
for kind in throughput p99 cpu; do
	check "$kind: a mode with nothing to draw is drawn empty, and says so" 'nothing "empty=1;" $kind && [ -s "$tmp/none.png" ] && ! nothing "" $kind' "$(cat "$tmp/none.err")"
	rm -f "$tmp/none.png"
done

# The idle scenario: x is the idle connections (0 included, a linear axis) and mem.gp draws one
# bar per model, its slope, from the row at the lowest level; a model without one has no bar.
cat >"$tmp/idle.csv" <<'CSV'
model,mode,concurrency,runs,reps_ok,rps_median,rps_min,rps_max,rps_mean,rps_sd,lat_p50_ms_median,lat_p99_ms_median,cpu_us_per_req_median,maxrss_kb_max,client_cpu_pct_max,client_bound,client_cpu_pct_median,tool,reference,statuses,served_conns_median,starved,other_cpu_pct_max,noisy_reps,scenario,bound_rps,run_s,idle_conns,server_mem_kb_median,mem_per_idle_conn_b,cpu_us_per_req_per_1k_idle
epoll,keepalive,32,1,1,150000,150000,150000,150000,0,0.1,0.2,5,1000,95,1,95,wrk,0,ok:1,32,0,1,0,idle,,2.0,0,300,74,0.01
epoll,keepalive,32,1,1,150000,150000,150000,150000,0,0.1,0.2,5.1,1000,95,1,95,wrk,0,ok:1,32,0,1,0,idle,,2.0,10000,1023,74,0.01
poll,keepalive,32,1,1,150000,150000,150000,150000,0,0.1,0.2,6,1000,95,1,95,wrk,0,ok:1,32,0,1,0,idle,,2.0,0,300,93,7.9
poll,keepalive,32,1,1,11000,11000,11000,11000,0,0.1,0.2,85,1000,95,1,95,wrk,0,ok:1,32,0,1,0,idle,,2.0,10000,1200,93,7.9
select,keepalive,32,1,1,150000,150000,150000,150000,0,0.1,0.2,6,1000,95,1,95,wrk,0,ok:1,32,0,1,0,idle,,2.0,0,300,,
CSV
idle() {
	gnuplot -e "summary='$tmp/idle.csv'; out='$tmp/$1.png'; scenario='idle'; mode='keepalive'; models='epoll poll select'; runid='t'; tool='wrk'; style='$plots/style.gp'; levels='idle connections'; xcol='idle_conns'; first_level=0; set table '$tmp/$1.txt'" \
		"$plots/$1.gp" 2>"$tmp/$1.err" && cat "$tmp/$1.txt"
}
t=$(idle cpu)
check "idle cpu: against idle connections, 0 included" '[ "$(plotted "$t" | tr "\n" " ")" = "0 5 10000 5.1 0 6 10000 85 0 6 " ]' "$t $(cat "$tmp/cpu.err")"
t=$(idle mem)
# (boxes carry xlow and xhigh: the type is the fifth column)
check "idle mem: a bar per model with a slope, at its place" '[ "$(awk "\$5 == \"i\" { print \$1, \$2 }" <<<"$t" | tr "\n" " ")" = "1 74 2 93 " ]' "$t $(cat "$tmp/mem.err")"
# A bar is a slope over all of a model's cells: the marks any of them carries (slope_marks, a
# 0/1 per mark in style.gp's order) are drawn on its top.
t=$(gnuplot -e "summary='$tmp/idle.csv'; out='$tmp/mem.png'; scenario='idle'; mode='keepalive'; models='epoll poll select'; runid='t'; tool='wrk'; style='$plots/style.gp'; levels='idle connections'; xcol='idle_conns'; first_level=0; noisy_marks=1; slope_marks='00000 00100 00000'; set table '$tmp/mem.txt'" \
	"$plots/mem.gp" 2>"$tmp/mem.err" && cat "$tmp/mem.txt")
check "idle mem: the marked model's bar carries its mark" '[ "$(awk "\$3 == \"i\" { print \$1, \$2 }" <<<"$t" | tr "\n" " ")" = "2 93 " ] && grep -q "(§)" <<<"$t"' "$t $(cat "$tmp/mem.err")"

# An open-loop scenario's goodput chart: goodput and rejected against the offered load; the
# capacity row (level 0) is no offered load and is left out; a tool that cannot count 503s
# apart (empty rejected) draws no rejected point.
cat >"$tmp/open.csv" <<'CSV'
model,mode,concurrency,runs,reps_ok,scenario,goodput_rps_median,rejected_rps_median,noisy_reps
threadpool,close,0,1,1,overload,790,,0
threadpool,keepalive,0,1,1,overload,790,,0
threadpool,close,50,1,1,overload,400,0,0
threadpool,close,150,1,1,overload,788,418,1
epoll,close,150,1,1,overload,98,,0
CSV
t=$(gnuplot -e "summary='$tmp/open.csv'; out='$tmp/goodput.png'; scenario='overload'; mode='close'; models='epoll threadpool'; runid='t'; tool='loadgen'; style='$plots/style.gp'; levels='offered load (% of capacity)'; set table '$tmp/goodput.txt'" \
	"$plots/goodput.gp" 2>"$tmp/goodput.err" && cat "$tmp/goodput.txt")
check "goodput: goodput then rejected per model, no capacity row" '[ "$(plotted "$t" | tr "\n" " ")" = "150 98 50 400 150 788 50 0 150 418 " ]' "$t $(cat "$tmp/goodput.err")"
t=$(gnuplot -e "summary='$tmp/open.csv'; out='$tmp/goodput.png'; scenario='overload'; mode='close'; models='epoll threadpool'; runid='t'; tool='loadgen'; style='$plots/style.gp'; levels='offered load (% of capacity)'; noisy_marks=1; set table '$tmp/goodput.txt'" \
	"$plots/goodput.gp" 2>"$tmp/goodput.err" && cat "$tmp/goodput.txt")
check "goodput: a noisy cell squared (§) on its goodput point, in the key" '[ "$(plotted "$t" | grep -cx "150 788")" -eq 2 ] && grep -q "(§)" <<<"$t"' "$t $(cat "$tmp/goodput.err")"

# A mix's short chart: each model's short p99 (ms), then its FCFS and PS simulated p99s, at the
# offered loads; the capacity row (level 0) is left out, and a cell without a law draws none.
cat >"$tmp/mix.csv" <<'CSV'
model,mode,concurrency,runs,reps_ok,scenario,short_p99_us_median,fcfs_p99_us,ps_p99_us
epoll,keepalive,0,1,1,mixed,,,
epoll,keepalive,20,1,1,mixed,5000,600,60
epoll,keepalive,50,1,1,mixed,12000,2500,100
thread,keepalive,50,1,1,mixed,800,,
CSV
t=$(gnuplot -e "summary='$tmp/mix.csv'; out='$tmp/short.png'; scenario='mixed'; mode='keepalive'; models='epoll thread'; runid='t'; tool='loadgen'; style='$plots/style.gp'; levels='offered load (% of the mix capacity)'; set table '$tmp/short.txt'" \
	"$plots/short.gp" 2>"$tmp/short.err" && cat "$tmp/short.txt")
check "short: p99 then the FCFS and PS p99s per model, no capacity row" '[ "$(plotted "$t" | tr "\n" " ")" = "20 5 50 12 50 0.8 20 0.6 50 2.5 20 0.06 50 0.1 " ]' "$t $(cat "$tmp/short.err")"

# The ladder's chart (harness/ladder.c writes its data): a bar group per step, a bar per cell
# with its whiskers (x y low high), a cell a step has no figure for (NaN) left out, and epoll's
# line at 1.
cat >"$tmp/ladder.csv" <<'CSV'
step,hello keep-alive c=64,min,max,bytes keep-alive c=64,min,max
epoll,1.0000,0.9000,1.1000,1.0000,0.9500,1.0500
ref-nginx,0.8000,0.7000,0.9000,NaN,NaN,NaN
io_uring:sqpoll,4.0000,3.5000,4.5000,2.0000,1.9000,2.1000
CSV
t=$(gnuplot -e "data='$tmp/ladder.csv'; out='$tmp/ladder.png'; runid='t'; ncells=2; set table '$tmp/ladder.txt'" \
	"$plots/ladder.gp" 2>"$tmp/ladder.err" && cat "$tmp/ladder.txt")
check "ladder: the bars per cell, NaN left out" '[ "$(awk "NF == 5 && \$5 == \"i\" { print \$2 }" <<<"$t" | tr "\n" " ")" = "1 0.8 4 1 2 " ] && ! grep -qi "warning\|error" "$tmp/ladder.err"' "$t $(cat "$tmp/ladder.err")"
check "ladder: epoll's line at 1" 'grep -q "^# Curve title: \"epoll (its median = 1)\"" <<<"$t"' "$t"

check_totals
