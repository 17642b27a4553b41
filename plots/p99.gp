# p99.gp -- 99th percentile latency against concurrency (or idle connections) for one mode (median
# of the ok repetitions; ab -e gives microsecond resolution). Log y where the models span 10 x or
# more, else linear from 0. Colour is the family, the marker the model.
# gnuplot -e "summary='...'; out='...'; scenario='hello'; mode='close'; models='a b'; runid='...'; tool='ab'; style='plots/style.gp'" p99.gp
load style
set output out
set title sprintf("%s, %s (%s): p99 latency against %s (run %s, medians)", scenario, mode, tool, levels, runid)
if (logy != 0) {
	set ylabel "p99 latency (ms, log scale)"
	set logscale y 10
} else {
	set ylabel "p99 latency (ms)"
	set yrange [0:*]
}
# A starved cell's p99 is that of the few connections served: it is not plotted as such, but
# at the run length in the model's style, with the starved cross (†) over it. The other marks
# as on every chart (style.gp).
starved_key_here = starved_key
p99(i) = column("lat_p99_ms_median") > 0 ? column("lat_p99_ms_median") : NaN
mark_y(i) = starved(word(models, i)) ? 1000 * column("run_s") : p99(i)
@EMPTY
plot for [i=1:words(models)] summary \
	using (mine(word(models, i)) && !starved(word(models, i)) ? column(xcol) : NaN):(p99(i)) \
	with @LP ls ls_of(i) title label(i), \
	for [i=1:words(models)] summary \
	using (starved(word(models, i)) ? column(xcol) : NaN):(1000 * column("run_s")) \
	with points ls ls_of(i) notitle, \
	@MARKS
