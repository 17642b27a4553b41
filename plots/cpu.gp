# cpu.gp -- server CPU time (user + sys) per request against concurrency (or idle connections)
# for one mode: the cost of the model's design per answer, whatever the throughput. Colour is
# the model's family, the marker the model. Where the values span 10 x or more (a few µs for an
# event loop, hundreds for fork per connection) the y axis is logarithmic, equal ratios equal
# distances; below that it is linear from 0, so that a 2 x gap between families looks 2 x.
# Marks as on every chart (style.gp): ‡ † § ¤ ≠, each its point style and key entry.
# gnuplot -e "summary='...'; out='...'; scenario='hello'; mode='close'; models='a b'; runid='...'; tool='ab'; style='plots/style.gp'" cpu.gp
load style
set output out
set title sprintf("%s, %s (%s): server CPU per request against %s (run %s, medians)", scenario, mode, tool, levels, runid)
if (logy != 0) {
	set ylabel "Server CPU time per request (µs, user + sys, log scale)"
	set logscale y 10
	set mytics 10
	set grid xtics ytics mxtics mytics lc rgb "#dddddd"
	set yrange [*:*]
} else {
	set ylabel "Server CPU time per request (µs, user + sys)"
	set yrange [0:*]
}
# A median of 0 µs (too few requests to measure) is left out: it is no measurement.
cpu(m) = column("cpu_us_per_req_median") > 0 ? column("cpu_us_per_req_median") : NaN
mark_y(i) = cpu(word(models, i))
@EMPTY
plot for [i=1:words(models)] summary \
	using (mine(word(models, i)) ? column(xcol) : NaN):(cpu(word(models, i))) \
	with @LP ls ls_of(i) title label(i), \
	@MARKS
