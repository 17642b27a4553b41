# throughput.gp -- requests/s against concurrency for one mode; bars span min..max of the
# ok repetitions, the point is their median.
# gnuplot -e "summary='...'; out='...'; scenario='hello'; mode='close'; models='a b'; runid='...'; tool='ab'; style='plots/style.gp'" throughput.gp
load style
set output out
set title sprintf("Throughput against %s, %s, %s mode, %s (run %s; median, bars: min-max)", levels, scenario, mode, tool, runid)
set ylabel "Throughput (requests/s)"
set yrange [0:*]
set format y "%.0s%c"
plot for [i=1:words(models)] summary \
	using (mine(word(models, i)) ? column("concurrency") : NaN):"rps_median":"rps_min":"rps_max" \
	with yerrorlines ls ls_of(i) title label(i)
