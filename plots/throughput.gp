# throughput.gp -- requests/s against concurrency (or idle connections) for one scenario and mode; bars span
# min..max of the ok repetitions, the point is their median; where the scenario has a law,
# each model's bound is a dotted line in its colour.
# gnuplot -e "summary='...'; out='...'; scenario='hello'; mode='close'; models='a b'; runid='...'; tool='ab'; style='plots/style.gp'" throughput.gp
load style
set output out
set title sprintf("Throughput against %s, %s, %s mode, %s (run %s; median, bars: min-max)", levels, scenario, mode, tool, runid)
set ylabel "Throughput (requests/s)"
set yrange [0:*]
set format y "%.0s%c"
plot for [i=1:words(models)] summary \
	using (mine(word(models, i)) ? column(xcol) : NaN):"rps_median":"rps_min":"rps_max" \
	with yerrorlines ls ls_of(i) title label(i), \
	NaN with points pt 6 ps 2.8 lc rgb "black" title (bound_marks > 0 ? bound_key : ""), \
	for [i=1:words(models)] summary \
	using (bound(word(models, i)) ? column(xcol) : NaN):"rps_median" \
	with points pt 6 ps 2.8 lc rgb "black" notitle, \
	for [i=1:words(models)] summary \
	using (mine(word(models, i)) && law_lines > 0 ? column(xcol) : NaN):"bound_rps" \
	with lines ls ls_of(i) dt 3 lw 1 notitle, \
	NaN with lines dt 3 lw 1 lc rgb "black" title (law_lines > 0 ? law_key : "")
