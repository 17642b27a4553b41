# p99.gp -- 99th percentile latency against concurrency for one mode (median of the ok
# repetitions; ab -e gives microsecond resolution). Log y: the models span decades.
# gnuplot -e "summary='...'; out='...'; scenario='hello'; mode='close'; models='a b'; runid='...'; tool='ab'; style='plots/style.gp'" p99.gp
load style
set output out
set title sprintf("p99 latency against %s, %s, %s mode, %s (run %s; median of repetitions)", levels, scenario, mode, tool, runid)
set ylabel "p99 latency (ms, log scale)"
set logscale y 10
plot for [i=1:words(models)] summary \
	using (mine(word(models, i)) && column("lat_p99_ms_median") > 0 ? column("concurrency") : NaN):"lat_p99_ms_median" \
	with linespoints ls ls_of(i) title label(i)
