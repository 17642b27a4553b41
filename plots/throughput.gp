# throughput.gp -- requests/s against concurrency (or idle connections) for one scenario and mode:
# the point is the median of the ok repetitions, bars span their min..max where a cell had two or
# more (spread=1); where the scenario has a law, each model's bound is a dotted line in its colour.
# Colour is the family, the marker the model; the marks as on every chart (style.gp): ‡ † § ¤ ≠
# (a starved cell's req/s is that of the few connections served).
# gnuplot -e "summary='...'; out='...'; scenario='hello'; mode='close'; models='a b'; runid='...'; tool='ab'; style='plots/style.gp'" throughput.gp
load style
set output out
set title sprintf("%s, %s (%s): throughput against %s (run %s, %s)", scenario, mode, tool, levels, runid, spread ? "medians, bars: min-max" : "1 repetition")
set ylabel "Throughput (requests/s)"
set yrange [0:*]
set format y "%.0s%c"
# A law's bounds can span orders of magnitude (sleep: 100 req/s for one loop, 12,800 for a pool
# at c=128): where the values and bounds span 10 x or more, a log axis shows every model's
# distance to its own bound (logy unset: where the scenario has a law).
if (logy > 0 || (logy < 0 && law_lines > 0)) { set logscale y; set yrange [*:*] }
# With a spread the median carries min-max bars; without one (a single repetition) the point alone.
USING = spread ? '"rps_median":"rps_min":"rps_max"' : '"rps_median"'
STYLE = spread ? ERR : LP
mark_y(i) = column("rps_median")
@EMPTY
plot for [i=1:words(models)] summary \
	using (mine(word(models, i)) ? column(xcol) : NaN):@USING \
	with @STYLE ls ls_of(i) title label(i), \
	@MARKS, \
	for [i=1:words(models)] summary \
	using (mine(word(models, i)) && law_lines > 0 ? column(xcol) : NaN):"bound_rps" \
	with lines ls ls_of(i) dt 3 lw 1 notitle, \
	NaN with lines dt 3 lw 1 lc rgb "black" title (law_lines > 0 ? law_key : "")
