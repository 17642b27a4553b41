# style.gp -- what every chart shares: terminal, size, fonts, and one colour and point
# style per model. The harness passes models (every model of the run, in name order);
# model number i is drawn with line style i in every chart. A reference server (a model
# named ref-*, e.g. ref-nginx) is drawn black and dashed and labelled "(reference)".
set terminal pngcairo size 1200,700 noenhanced font "sans,11" linewidth 1.5
set datafile separator comma
set datafile columnheaders
set grid xtics ytics mxtics lc rgb "#dddddd"
set key outside right top vertical box opaque title "model (family)"
# What the levels are (the harness passes levels=...: an open-loop scenario's are shares of
# capacity, an idle scenario's idle connections); older callers pass none and mean concurrency.
# The x column (xcol=...): concurrency, or in a scenario whose levels are idle connections
# idle_conns, on a linear axis: N = 0 is the baseline, and an O(n) design's cost grows along it
# as a straight line.
if (!exists("levels")) levels = "concurrency"
if (!exists("xcol")) xcol = "concurrency"
if (xcol eq "idle_conns") {
	set xlabel "Idle keep-alive connections held open beside the load"
	set format x "%.0f"
} else {
	set logscale x 2
	if (levels eq "concurrency") {
		set xlabel "Concurrency (simultaneous connections, log scale)"
	} else {
		set xlabel sprintf("%s, log scale", levels)
	}
}
set offsets graph 0.03, graph 0.03, 0, 0
set style line 1  lc rgb "#1f77b4" pt 7  ps 1.3 lw 2
set style line 2  lc rgb "#d62728" pt 5  ps 1.3 lw 2
set style line 3  lc rgb "#2ca02c" pt 9  ps 1.5 lw 2
set style line 4  lc rgb "#ff7f0e" pt 11 ps 1.5 lw 2
set style line 5  lc rgb "#9467bd" pt 13 ps 1.5 lw 2
set style line 6  lc rgb "#8c564b" pt 15 ps 1.5 lw 2
set style line 7  lc rgb "#e377c2" pt 6  ps 1.3 lw 2
set style line 8  lc rgb "#7f7f7f" pt 4  ps 1.3 lw 2
set style line 9  lc rgb "#bcbd22" pt 8  ps 1.5 lw 2
set style line 10 lc rgb "#17becf" pt 10 ps 1.5 lw 2
set style line 11 lc rgb "#393b79" pt 12 ps 1.5 lw 2
set style line 12 lc rgb "#aec7e8" pt 14 ps 1.5 lw 2
set style line 13 lc rgb "#ff9896" pt 1  ps 1.5 lw 2
set style line 14 lc rgb "#98df8a" pt 2  ps 1.5 lw 2
set style line 15 lc rgb "#c5b0d5" pt 3  ps 1.5 lw 2
set style line 16 lc rgb "#c49c94" pt 7  ps 1.0 lw 2
set style line 17 lc rgb "#000080" pt 3  ps 1.5 lw 2
set style line 18 lc rgb "#808000" pt 1  ps 1.5 lw 2
set style line 19 lc rgb "#008080" pt 5  ps 1.0 lw 2
set style line 20 lc rgb "#800000" pt 9  ps 1.0 lw 2
set style line 100 lc rgb "#000000" dt 2 pt 2 ps 1.6 lw 2.5
isref(m) = strstrt(m, "ref-") == 1
# The harness passes, per chart, the models in the legend's order (each one's value at its
# highest level, the highest first: the key reads as the lines end), their labels (the model
# and its family, "closes" for an iterative design in keep-alive), a colour per family and a
# marker per model within its family (harness/plot.c): model i is drawn with line style i.
# Without them (an older caller) the styles above cycle by model and the label is the name.
has_styles = exists("colours")
if (!exists("labels")) labels = ""
if (has_styles) {
	do for [i=1:words(models)] {
		set style line i lc rgb word(colours, i) pt int(word(pts, i)) ps 1.4 lw 2 dt isref(word(models, i)) + 1
	}
}
ls_of(i) = has_styles ? i : isref(word(models, i)) ? 100 : (i - 1) % 20 + 1
label(i) = has_styles ? word(labels, i) : isref(word(models, i)) ? word(models, i) . " (reference)" : word(models, i)
# A line joins a model's points only through three levels or more (lines=1): two points
# joined would read as a trend. logy: 1 when the chart's values span 10 x or more, 0 for a
# linear axis, unset for the script's own choice. spread: 1 when a cell had 2 ok repetitions.
if (!exists("lines")) lines = 1
if (!exists("logy")) logy = -1
if (!exists("spread")) spread = 1
LP = lines ? "linespoints" : "points"
ERR = lines ? "yerrorlines" : "yerrorbars"
# The tool that made the mode's rows, for the title (older callers pass none).
if (!exists("tool")) tool = "?"
# The scenario of the chart (older callers pass none: their runs had only hello).
if (!exists("scenario")) scenario = "hello"
# A row belongs to model m's series when it is m's, in this chart's scenario and mode, with
# an ok run. An open-loop scenario's level 0 is its capacity row (a closed-loop keep-alive run,
# no offered load; the harness records it under keep-alive): against concurrency, x = 0 is no
# level of any chart.
mine(m) = strcol("model") eq m && strcol("scenario") eq scenario && strcol("mode") eq mode && column("reps_ok") > 0 && (xcol ne "concurrency" || column("concurrency") > 0)
# Marks, on every chart alike: the harness passes how many of the chart's cells carry each
# (0: no key entry, and an older caller passes none). Each has its point style, drawn over the
# cell's point, and its key entry:
#   ‡ bound    black ring     the load tool at >= 90 % of its CPU: it, not the server, set the number
#   † starved  black cross    some connections never served (starved: most of them; unserved:
#                             Little's law short); a starved cell's p99 is drawn at the run length
#   § noisy    grey square    other processes above 25 % of a CPU during a repetition
#   ¤ slow     orange triangle a repetition's host calibration (calib_us) off the run's median
#   ≠ littles  purple diamond req/s x mean latency / connections off 1 by more than 10 %
if (!exists("bound_marks")) bound_marks = 0
if (!exists("starved_marks")) starved_marks = 0
if (!exists("noisy_marks")) noisy_marks = 0
if (!exists("slow_marks")) slow_marks = 0
if (!exists("littles_marks")) littles_marks = 0
if (!exists("law_lines")) law_lines = 0
bound(m) = bound_marks > 0 && mine(m) && column("client_bound") == 1
starved(m) = mine(m) && column("starved") == 1
unserved(m) = starved_marks > 0 && mine(m) && column("unserved") == 1
noisy(m) = noisy_marks > 0 && mine(m) && column("noisy_reps") > 0
slow(m) = slow_marks > 0 && mine(m) && column("slow_reps") > 0
littles(m) = littles_marks > 0 && mine(m) && column("littles_off") == 1
noisy_key = "grey square: noisy (§), compare with care"
bound_key = "ring: load generator bound (‡)"
starved_key = "cross: unserved (†), starved at run length"
starved_key_at = "cross: some connections unserved (†)"
slow_key = "triangle: slow phase of the host (¤)"
littles_key = "diamond: Little's law off (≠)"
law_key = "dotted: the law's bound"
NMARKS = 5
mark_pt = "6 2 4 8 12"
mark_ps = "2.8 2.8 3.2 3.0 3.0"
mark_lc = "#000000 #000000 #808080 #e07000 #9000a0"
mark_count(k) = k == 1 ? bound_marks : k == 2 ? starved_marks : k == 3 ? noisy_marks : k == 4 ? slow_marks : littles_marks
# (p99.gp sets starved_key_here to starved_key: there a starved cell sits at the run length)
starved_key_here = starved_key_at
mark_key(k) = mark_count(k) <= 0 ? "" : k == 1 ? bound_key : k == 2 ? starved_key_here : k == 3 ? noisy_key : k == 4 ? slow_key : littles_key
# Model i's row carries mark k. A chart whose points are not one a row (mem.gp's bars) redefines it.
marked(k, i) = k == 1 ? bound(word(models, i)) : k == 2 ? starved_marks > 0 && (starved(word(models, i)) || unserved(word(models, i))) : k == 3 ? noisy(word(models, i)) : k == 4 ? slow(word(models, i)) : littles(word(models, i))
# Where model i's row is drawn: each script defines mark_y(i) (its own y); x is the level.
mark_x(i) = column(xcol)
# MARKS, appended to a script's plot command (@MARKS): each mark's key entry, then its points.
MARKS = 'for [k=1:NMARKS] NaN with points pt int(word(mark_pt, k)) ps real(word(mark_ps, k)) lc rgb word(mark_lc, k) title (mark_key(k)), ' . \
        'for [k=1:NMARKS] for [i=1:words(models)] summary using (marked(k, i) ? mark_x(i) : NaN):(mark_y(i)) with points pt int(word(mark_pt, k)) ps real(word(mark_ps, k)) lc rgb word(mark_lc, k) notitle'
# A chart with nothing to draw (no ok cell of the mode has a value for it: empty=1 from the
# harness) still gets its axes, its legend and a line saying so, where gnuplot would stop on an
# empty (or, on a log axis, non-positive) range. Each script runs @EMPTY just before its plot.
if (!exists("empty")) empty = 0
EMPTY = 'if (empty) { unset logscale; set xrange [0:1]; set yrange [0:1]; set label 99 "no ok cell of this mode to draw" at graph 0.5, graph 0.5 center }'
